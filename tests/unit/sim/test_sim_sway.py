"""The load pendulum matches the analytic pendulum: period, amplitude after an acceleration pulse,
damping, wind lean; and its exact discretisation matches a fine reference integration."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from crane_ctrl.crane import CraneParams
from simulators.crane_model import transition_matrix

if TYPE_CHECKING:
    from conftest import Rig

DT = 0.01
UNDAMPED = CraneParams(sway_damping_ratio=0.0)


def _upward_zero_crossings(trace: list[float]) -> list[float]:
    """Times (s) at which the trace crosses zero upwards, linearly interpolated."""
    return [
        (i + a / (a - b)) * DT for i, (a, b) in enumerate(itertools.pairwise(trace)) if a < 0.0 <= b
    ]


def _period(trace: list[float]) -> float:
    ups = _upward_zero_crossings(trace)
    assert len(ups) >= 3, "too few swings to measure a period"
    return (ups[-1] - ups[0]) / (len(ups) - 1)


def _kick_trolley(rig: Rig, seconds: float = 1.0) -> None:
    """Accelerate the trolley briefly, then stop it: the load is left swinging."""
    inp = rig.plant.inputs
    inp.trolley_speed_ref_mps = 0.4
    rig.run(seconds)
    inp.trolley_speed_ref_mps = 0.0
    rig.run(3.0)


@pytest.mark.parametrize("hoist_m", [1.0, 10.0, 17.5])
def test_sway_period_matches_two_pi_root_l_over_g(
    make_rig: Callable[..., Rig], params: CraneParams, hoist_m: float
) -> None:
    rig = make_rig(hoist_m=hoist_m, trolley_m=12.0, gantry_m=250.0)
    _kick_trolley(rig)
    period = rig.pendulum_period_s()
    trace = rig.trace(4 * period, "sway.trolley")
    zeta = params.sway_damping_ratio
    expected = period / math.sqrt(1 - zeta**2)
    assert _period(trace) == pytest.approx(expected, rel=0.02)
    assert max(abs(v) for v in trace) > 0.05, "the kick should leave a visible swing"
    assert rig.s["sway.gantry"] == 0.0


@pytest.mark.parametrize(
    ("axis", "hoist_m"), [("trolley", 10.0), ("trolley", 16.0), ("gantry", 6.0)]
)
def test_sway_amplitude_after_an_acceleration_pulse_matches_the_analytic_pendulum(
    make_rig: Callable[..., Rig], axis: str, hoist_m: float
) -> None:
    """From rest, a constant acceleration a for tau seconds leaves a free swing of amplitude
    A = 2 L (a / g) |sin(omega tau / 2)| (undamped): during the pulse the pendulum oscillates
    about the leaning equilibrium -a/g from rest, th(t) = -(a/g)(1 - cos omega t); after it,
    about plumb with th(tau) = -(a/g)(1 - cos omega tau), th'(tau) = -(a/g) omega sin omega tau,
    and the amplitude sqrt(th^2 + (th'/omega)^2) = (a/g) 2 |sin(omega tau / 2)|."""
    p = UNDAMPED
    rig = make_rig(params=p, hoist_m=hoist_m, trolley_m=12.0, gantry_m=20.0)
    if axis == "trolley":
        accel, speed = p.trolley_accel_mps2, p.trolley_speed_mps
    else:
        accel, speed = p.gantry_accel_mps2, p.gantry_speed_empty_mps
    tau = speed / accel
    length = rig.pendulum_length_m()
    omega = math.sqrt(p.gravity_mps2 / length)
    expected = 2 * length * accel / p.gravity_mps2 * abs(math.sin(omega * tau / 2))

    setattr(rig.plant.inputs, f"{axis}_speed_ref_mps", speed)
    rig.run(tau)
    assert rig.s[f"{axis}.speed"] == pytest.approx(speed)
    trace = rig.trace(2 * rig.pendulum_period_s(), f"sway.{axis}")
    assert max(abs(v) for v in trace) == pytest.approx(expected, rel=0.05)


def test_sway_decays_at_the_configured_damping_ratio(make_rig: Callable[..., Rig]) -> None:
    p = CraneParams(sway_damping_ratio=0.02)
    rig = make_rig(params=p, hoist_m=10.0, trolley_m=12.0, gantry_m=250.0)
    _kick_trolley(rig)
    period = rig.pendulum_period_s()
    cycles = 6
    trace = rig.trace((cycles + 1) * period, "sway.trolley")
    n = round(period / DT)
    first, last = max(trace[:n]), max(trace[cycles * n : (cycles + 1) * n])
    zeta = math.log(first / last) / (2 * math.pi * cycles)
    assert zeta == pytest.approx(0.02, rel=0.05)


@pytest.mark.parametrize(("direction_deg", "axis"), [(90.0, "trolley"), (0.0, "gantry")])
def test_steady_wind_leans_the_load_by_drag_over_weight(
    make_rig: Callable[..., Rig], direction_deg: float, axis: str
) -> None:
    p = CraneParams(sway_damping_ratio=0.3)  # settle within a few swings
    rig = make_rig(params=p, hoist_m=10.0, trolley_m=12.0, gantry_m=250.0)
    inp = rig.plant.inputs
    inp.wind_mps, inp.gust_mps, inp.wind_direction_deg = 18.0, 2.0, direction_deg
    rig.run(40.0)
    drag_n = 0.5 * p.air_density_kgpm3 * p.wind_drag_coefficient * p.spreader_wind_area_m2 * 20.0**2
    lean = rig.pendulum_length_m() * drag_n / (p.spreader_mass_t * 1000 * p.gravity_mps2)
    assert rig.s[f"sway.{axis}"] == pytest.approx(lean, rel=0.02)
    other = "gantry" if axis == "trolley" else "trolley"
    assert rig.s[f"sway.{other}"] == pytest.approx(0.0, abs=1e-9)
    assert rig.s["env.wind"] == 20.0


def test_hoisting_changes_the_rope_length_and_so_the_period(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(hoist_m=3.0, trolley_m=12.0, gantry_m=250.0)
    _kick_trolley(rig)
    rig.move("hoist", 15.0)
    trace = rig.trace(4 * rig.pendulum_period_s(), "sway.trolley")
    assert _period(trace) == pytest.approx(rig.pendulum_period_s(), rel=0.02)
    assert rig.pendulum_period_s() < 0.8 * 2 * math.pi * math.sqrt(18.0 / 9.81)


def _reference(omega2: float, sigma: float, state: tuple[float, float], t: float) -> list[float]:
    """RK4 with 10,000 substeps: the slow, sure way."""
    n = 10_000
    h = t / n
    x, v = state

    def f(x: float, v: float) -> tuple[float, float]:
        return v, -2 * sigma * v - omega2 * x

    for _ in range(n):
        k1 = f(x, v)
        k2 = f(x + h / 2 * k1[0], v + h / 2 * k1[1])
        k3 = f(x + h / 2 * k2[0], v + h / 2 * k2[1])
        k4 = f(x + h * k3[0], v + h * k3[1])
        x += h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        v += h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    return [x, v]


@pytest.mark.parametrize("sigma", [0.0, 0.05, 1.0, 1.3, 3.0])  # under-, critically, over-damped
def test_transition_matrix_is_the_exact_solution(sigma: float) -> None:
    omega2, t, state = 1.69, 2.0, (0.3, -0.2)
    m11, m12, m21, m22 = transition_matrix(omega2, sigma, t)
    exact = [m11 * state[0] + m12 * state[1], m21 * state[0] + m22 * state[1]]
    assert exact == pytest.approx(_reference(omega2, sigma, state, t), abs=1e-9)


def test_undamped_transition_conserves_energy() -> None:
    m11, m12, m21, m22 = transition_matrix(0.98, 0.0, DT)
    assert m11 * m22 - m12 * m21 == pytest.approx(1.0, abs=1e-12)
