"""Derived signals end to end, in lock-step: the simulator serves the raw points, the supervisor
computes the canonical signal from them.

The key example is the shipped ``generic-modbus-sway-angle`` profile: the sway sensor gives the
rope angle (0.01 degree) and the rope length (mm), and ``sway.trolley`` / ``sway.gantry`` in
metres are ``rope_length_m * sin(radians(angle))``. The simulator serves the angle worked back
from the plant's sway and its rope length; the supervisor's sway must match the plant's.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

import pytest

from crane_ctrl.commands import Commands
from crane_ctrl.errors import FaultError
from crane_ctrl.profile.derived import derived_signals, evaluate, point_spec
from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.profile.modbus_map import ModbusCodec
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality
from crane_ctrl.testing import LockStep
from simulators.raw_places import RawForce
from simulators.served_status import ModbusStatus, PointSolver
from simulators.simulator import CraneSimulator
from tests.profile_texts import GENERIC_MODBUS, GENERIC_OPCUA, PROFILES, with_signal

TRAVEL_HEIGHT_M = 17.95
"""Above the default site's safe travel height: gantry and trolley may travel."""
SWAY_TOLERANCE_M = 0.003
"""What the sway sensor's resolution allows: 0.01 degree on a rope of up to 20 m is 1.7 mm."""
SWAYS = ("sway.trolley", "sway.gantry")
UA_SWAY_ANGLE = """
[points]
angle_trolley_deg = { node = "s=Sway.Trolley.AngleDeg", type = "Double" }
angle_gantry_rad  = { node = "s=Sway.Gantry.AngleRad", type = "Float" }
rope_length_mm    = { node = "s=Rope.LengthMm", type = "UInt32" }
"""


def sway_angle_modbus() -> ModbusProfile:
    profile = load_profile(PROFILES / "generic-modbus-sway-angle.toml")
    assert isinstance(profile, ModbusProfile)
    return profile


def sway_angle_opcua() -> Profile:
    """An OPC UA variant: angles in degrees and in radians, the rope length in whole mm."""
    text = with_signal(
        GENERIC_OPCUA,
        "sway.trolley",
        '{ derived = "rope_length_mm / 1000 * sin(radians(angle_trolley_deg))" }',
    )
    text = with_signal(
        text, "sway.gantry", '{ derived = "sin(angle_gantry_rad) * rope_length_mm * 0.001" }'
    )
    return parse_profile(text + UA_SWAY_ANGLE, "sway-angle-opcua.toml")


async def sway_errors(profile: Profile, seconds: float = 15.0) -> tuple[float, float]:
    """Drive gantry and trolley so that the load sways; the largest difference between the
    supervisor's sway and the plant's at the moment the PLC was read, and the largest sway."""
    async with LockStep(profile, CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        rig.supervisor.propose(
            Commands(drives_enable=True, trolley_speed_ref=0.8, gantry_speed_ref=-0.6)
        )
        worst = largest = 0.0
        for _ in range(round(seconds / rig.period_s)):
            plant = rig.sim.plant.sensors()
            view = await rig.scan()
            for name in SWAYS:
                reading = view.snapshot.reading(name)
                assert reading.quality is Quality.GOOD, reading
                assert isinstance(reading.value, float)
                worst = max(worst, abs(reading.value - float(plant[name])))
                largest = max(largest, abs(float(plant[name])))
    return worst, largest


async def test_sway_in_metres_from_angle_and_rope_length_matches_the_plant_over_modbus() -> None:
    worst, largest = await sway_errors(sway_angle_modbus())
    assert largest > 0.05, "the load must sway for the test to mean something"
    assert worst < SWAY_TOLERANCE_M


async def test_sway_from_angles_in_degrees_and_radians_matches_the_plant_over_opcua() -> None:
    worst, largest = await sway_errors(sway_angle_opcua())
    assert largest > 0.05
    assert worst < 1e-3  # whole mm of rope length; the angles are floats


async def test_a_nan_angle_makes_the_sway_bad_with_the_expression_and_why() -> None:
    async with LockStep(sway_angle_opcua(), CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        rig.sim.link_faults.raw["angle_trolley_deg"] = RawForce("angle_trolley_deg", math.nan)
        view = await rig.scan()
    reading = view.snapshot.reading("sway.trolley")
    assert reading.quality is Quality.BAD
    assert reading.reason == (
        'sway.trolley unreadable: derived "rope_length_mm / 1000 * sin(radians(angle_trolley_deg))"'
        ": input angle_trolley_deg is bad (angle_trolley_deg: s=Sway.Trolley.AngleDeg: raw value "
        "nan is not a finite number)"
    )
    assert view.snapshot.reading("sway.gantry").quality is Quality.GOOD


async def test_a_rope_length_of_zero_gives_a_division_by_zero_and_a_bad_reading() -> None:
    text = with_signal(GENERIC_MODBUS, "sway.gantry", '{ derived = "sway.trolley / rope_m" }')
    text += '\n[points]\nrope_m = { table = "input", address = 16, type = "float32" }\n'
    profile = parse_profile(text, "ratio.toml")
    async with LockStep(profile, CraneSimulator(hoist_m=TRAVEL_HEIGHT_M)) as rig:
        view = await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        assert view.snapshot.reading("sway.gantry").quality is Quality.GOOD
        rig.sim.link_faults.raw["rope_m"] = RawForce("rope_m", 0.0)
        view = await rig.scan()
    reading = view.snapshot.reading("sway.gantry")
    assert reading.quality is Quality.BAD
    assert reading.reason.endswith("/ 0 at column 14: division by zero")


# --- what the simulator serves ------------------------------------------------------------------


def modbus_profile(points: str, **derived: str) -> ModbusProfile:
    text = GENERIC_MODBUS
    for name, expression in derived.items():
        text = with_signal(text, name.replace("__", "."), f'{{ derived = "{expression}" }}')
    profile = parse_profile(text + "\n[points]\n" + points, "served.toml")
    assert isinstance(profile, ModbusProfile)
    return profile


def served(profile: ModbusProfile, status: Mapping[str, Value]) -> dict[str, Value]:
    """The points and derived signals the supervisor decodes from what the simulator serves."""
    codec = ModbusCodec(profile)
    image = ModbusStatus(codec).image(status, {})
    decoded = codec.decode(image)
    return {**decoded.points, **decoded.values}


def test_the_rope_length_point_serves_the_sheave_height_less_the_hoist_position() -> None:
    values = served(
        sway_angle_modbus(), {"hoist.position": 15.0, "sway.trolley": 0.2, "sway.gantry": -0.1}
    )
    assert values["rope_length_m"] == pytest.approx(21.5 - 15.0)
    angle = math.degrees(math.asin(0.2 / 6.5))
    assert values["sway_angle_trolley_deg"] == pytest.approx(angle, abs=0.005)
    assert values["sway.trolley"] == pytest.approx(0.2, abs=1e-3)
    assert values["sway.gantry"] == pytest.approx(-0.1, abs=1e-3)


def test_a_scaled_alias_and_a_bool_from_a_status_word_are_worked_back() -> None:
    profile = modbus_profile(
        'sway_mm = { table = "input", address = 14, type = "int16" }\n'
        'limits = { table = "input", address = 15, type = "uint16" }\n',
        sway__trolley="sway_mm / 1000",
        hoist__limit_up_ok="not bit(limits, 3) and not bit(limits, 4)",
    )
    at_limit = served(profile, {"sway.trolley": 0.25, "hoist.limit_up_ok": False})
    assert (at_limit["sway_mm"], at_limit["sway.trolley"]) == (250, 0.25)
    assert at_limit["hoist.limit_up_ok"] is False
    assert served(profile, {"hoist.limit_up_ok": True})["hoist.limit_up_ok"] is True


def test_points_the_simulator_cannot_work_back_are_served_as_zero(
    caplog: pytest.LogCaptureFixture,
) -> None:
    profile = modbus_profile(
        'a = { table = "input", address = 14, type = "int16", scale = 0.01 }\n'
        'b = { table = "input", address = 15, type = "int16", scale = 0.01 }\n'
        'unused = { table = "coil", address = 10 }\n',
        sway__trolley="min(a, b)",
    )
    with caplog.at_level(logging.WARNING, logger="simulators.served_status"):
        values = served(profile, {"sway.trolley": 0.3})
        served(profile, {"sway.trolley": 0.3})
    assert (values["a"], values["b"], values["unused"]) == (0.0, 0.0, False)
    assert values["sway.trolley"] == 0.0
    assert "cannot work back the points of sway.trolley; serving them as 0" in caplog.text


def test_a_modbus_point_beyond_the_servers_registers_is_not_served_and_nothing_crashes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    profile = modbus_profile(
        'far = { table = "input", address = 400, type = "float32" }\n', sway__trolley="far"
    )
    with caplog.at_level(logging.WARNING, logger="simulators.served_status"):
        image = ModbusStatus(ModbusCodec(profile)).image({"sway.trolley": 0.1}, {})
    assert "point far at input 400..401 lies outside the input addresses 0..22" in caplog.text
    problem = ModbusCodec(profile).decode(image).problems["sway.trolley"]
    assert problem == 'derived "far": input far is bad (far: input 400..401: was not read)'


def test_a_derived_signal_cannot_be_forced_raw_but_its_points_can() -> None:
    status = ModbusStatus(ModbusCodec(sway_angle_modbus()))
    with pytest.raises(FaultError, match="derives it from points"):
        status.check(RawForce("sway.trolley", 1.0))
    status.check(RawForce("sway_angle_trolley_deg", 100))


def test_the_solver_leaves_a_signal_the_plc_program_does_not_give() -> None:
    profile = sway_angle_modbus()
    specs = {name: point_spec(name, m) for name, m in profile.points.items()}
    solver = PointSolver(derived_signals(profile), specs, suspension_height_m=21.5)
    solution = solver.solve({"hoist.position": 10.0})
    assert (solution.values, solution.failed, solution.conflicts) == ({}, [], [])


def test_an_input_never_read_makes_a_derived_signal_bad() -> None:
    [sway, _] = derived_signals(sway_angle_modbus())
    values: dict[str, Value] = {}
    problems: dict[str, str] = {}
    evaluate(
        [sway], values=values, problems=problems, points={"rope_length_m": 5.0}, point_problems={}
    )
    assert problems == {
        "sway.trolley": f'derived "{sway.expression.text}": input sway_angle_trolley_deg is never read'
    }


def test_points_of_signals_the_plc_program_does_not_give_are_served_as_zero() -> None:
    image = ModbusStatus(ModbusCodec(sway_angle_modbus())).image({}, {})
    assert image.get("input", 14, 3) == [0, 0, 0]
