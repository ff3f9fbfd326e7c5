"""The plant: one crane's drives, load pendulum, spreader and yard, stepped in lock-step.

Set :attr:`Plant.inputs`, call :meth:`Plant.step` with the time step, read :meth:`Plant.sensors`
(physical sensor values keyed by canonical signal name, SI units) and :attr:`Plant.faults`.
Time exists only as the sum of the ``dt`` given; nothing reads a clock.

Vertical model. The hoist drum pays rope out and in; ``hoist.position`` is the drum's idea of the
twistlock plane (the encoder, calibrated with the empty spreader hanging). The ropes are a spring
of stiffness ``rope_stiffness_tpm``: rope load T = tare + k (drum - z), z the real twistlock
plane. Hanging, T is the whole load (spreader, held container, a trailer coming up with it), so
a loaded spreader hangs a few centimetres below the drum's figure. Resting, z is fixed by the
highest top below the load's footprint and T follows the drum: it falls as the drum pays out
past touchdown and rises as the drum hauls in, until T reaches the whole load and it lifts off.
Locking the twistlocks of a resting container does not change T. Hence:

- ``hoist.load`` is what the twistlocks carry (T minus the tare, never below 0): the container's
  mass when it hangs, 0 once it rests ("landed: twistlocks carry no weight").
- ``hoist.slack_rope`` reads when T is below ``slack_rope_fraction`` of the tare.
- landing pins press when the spreader is seated on a container's castings (its own size, within
  ``landing_tolerance_m``, twistlocks fully unlocked when it came down) and the twistlocks carry
  no weight. A container the twistlocks hold keeps them pressed as it hangs (its roof presses
  them), as on most spreaders; ``landing_pins_carrying = "released"`` models the kind whose pins
  release as the box lifts.

Horizontal model. A hanging load swings as a :class:`~simulators.crane_model.Pendulum` under the
trolley; a resting load stays where it landed (the rope leans if the crane moves; a later lift
starts the swing from that lean). Wind pushes the hanging load with the drag on its exposed face.
Dynamic rope load from sway or hoist acceleration is not modelled.

Twistlocks hold a container as soon as any of them leaves fully unlocked; from then on the
container is part of the load. Lifting it with fewer than four locked damages it; all four
turning back to unlocked while it hangs drops it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import CONTAINER_WIDTH_M, SiteLayout
from simulators.crane_model import Pendulum, make_drives
from simulators.spreader import Spreader
from simulators.sway_sensor import SwaySensor, SwaySensorReader
from simulators.yard import EPS_M, Container, FaultKind, ModelFault, Yard, YardContents

__all__ = ["Plant", "PlantInputs", "SensorValue"]

SensorValue = bool | int | float
"""A physical sensor value (the canonical signal value type)."""

_HALF_WIDTH_M = CONTAINER_WIDTH_M / 2
_PINS_UP = (False, False, False, False)
_TURN_FRICTION_T = 0.5
"""Weight on the twistlocks above which they do not turn (held in their castings), t."""
_PINS_DOWN = (True, True, True, True)
_KG_PER_T = 1000.0


@dataclass(slots=True)
class PlantInputs:
    """What drives the plant: the PLC's outputs to the drives and spreader, and the weather."""

    drives_enabled: bool = False
    """Drives enabled, brakes released. False: brakes set, every axis stops and holds."""
    braked_axes: frozenset[str] = frozenset()
    """Axes whose drive is off (tripped) even while the others are enabled: their brake sets."""
    gantry_speed_ref_mps: float = 0.0
    trolley_speed_ref_mps: float = 0.0
    hoist_speed_ref_mps: float = 0.0
    """Speed references, m/s (positive: increasing coordinate; hoist positive = up)."""
    lock: bool = False
    """Turn the twistlocks to locked (held while they should turn)."""
    unlock: bool = False
    """Turn the twistlocks to unlocked."""
    size_ref_ft: int = 40
    """Telescope target, 20, 40 or 45 ft; any other value holds the telescope."""
    wind_mps: float = 0.0
    """Steady wind speed, m/s."""
    gust_mps: float = 0.0
    """Gust on top of the steady wind at this moment, m/s (a fault layer shapes it in time)."""
    wind_direction_deg: float = 90.0
    """Direction the wind blows towards, degrees from +x (gantry) towards +y (trolley)."""


class Plant:
    """One crane over one site, as a real crane's sensors would see it."""

    def __init__(
        self,
        params: CraneParams | None = None,
        site: SiteLayout | None = None,
        contents: YardContents | None = None,
        *,
        gantry_m: float = 30.0,
        trolley_m: float = 10.0,
        hoist_m: float = 15.0,
        spreader_ft: int = 40,
        sway_sensor: SwaySensor | None = None,
    ) -> None:
        """``sway_sensor``: what the sway sensor reads (default: the true offset)."""
        self.params = p = params or CraneParams()
        self.site = site or SiteLayout()
        _check_reach(p, self.site)
        self.yard = Yard(self.site, p, contents)
        self.gantry, self.trolley, self.hoist = make_drives(p, gantry_m, trolley_m, hoist_m)
        self.pendulum = Pendulum(p.gravity_mps2, p.sway_damping_ratio)
        self.spreader = Spreader.from_params(p, spreader_ft)
        self.inputs = PlantInputs(size_ref_ft=spreader_ft)
        self.sway_sensor = SwaySensorReader(sway_sensor or SwaySensor())
        self.time_s = 0.0
        """Simulated time: the sum of every ``dt`` stepped, s."""
        self._faults: list[ModelFault] = []
        self._engaged: Container | None = None
        self._held = False
        self._carrying = False
        self._resting = False
        self._z = hoist_m
        self._load_x, self._load_y = gantry_m, trolley_m
        self._rope_t = p.spreader_mass_t
        self._load_t = 0.0
        self._tare_t = p.spreader_mass_t
        self._slack_t = p.slack_rope_fraction * p.spreader_mass_t
        self._drag = 0.5 * p.air_density_kgpm3 * p.wind_drag_coefficient
        self._stiffness = p.rope_stiffness_tpm
        self._start_check()

    # --- public view ---------------------------------------------------------------------------

    @property
    def faults(self) -> tuple[ModelFault, ...]:
        """Every model fault recorded so far, oldest first."""
        return tuple(self._faults)

    @property
    def engaged(self) -> Container | None:
        """The container whose castings the spreader sits in or carries, if any."""
        return self._engaged

    @property
    def load_t(self) -> float:
        """What the twistlocks carry, t (what ``hoist.load`` reads)."""
        return self._load_t

    @property
    def carrying(self) -> bool:
        """A container hangs from the spreader."""
        return self._carrying

    def load_position(self) -> tuple[float, float, float]:
        """(x, y, z) of the load: its horizontal centre and the spreader's twistlock plane, m."""
        return self._load_x, self._load_y, self._z

    def sensors(self) -> dict[str, SensorValue]:
        """Physical sensor values, keyed by canonical signal name, SI units."""
        g, t, h, sp = self.gantry, self.trolley, self.hoist, self.spreader
        landed = sp.landed_sensed()
        tl = sp.twistlocks
        sway_x, sway_y = self._sway_reading()
        wind = self.inputs.wind_mps + self.inputs.gust_mps
        return {
            "gantry.position": g.position_m,
            "gantry.speed": g.speed_mps,
            "trolley.position": t.position_m,
            "trolley.speed": t.speed_mps,
            "hoist.position": h.position_m,
            "hoist.speed": h.speed_mps,
            "gantry.limit_fwd_ok": g.position_m < g.hi_m,
            "gantry.limit_rev_ok": g.position_m > g.lo_m,
            "trolley.limit_fwd_ok": t.position_m < t.hi_m,
            "trolley.limit_rev_ok": t.position_m > t.lo_m,
            "hoist.limit_up_ok": h.position_m < h.hi_m,
            "hoist.limit_down_ok": h.position_m > h.lo_m,
            "hoist.load": self._load_t,
            "hoist.slack_rope": self._rope_t < self._slack_t,
            "sway.trolley": sway_y,
            "sway.gantry": sway_x,
            "spreader.size": sp.size_ft,
            "spreader.landed_1": landed[0],
            "spreader.landed_2": landed[1],
            "spreader.landed_3": landed[2],
            "spreader.landed_4": landed[3],
            "spreader.locked_1": tl[0] >= 1.0,
            "spreader.locked_2": tl[1] >= 1.0,
            "spreader.locked_3": tl[2] >= 1.0,
            "spreader.locked_4": tl[3] >= 1.0,
            "spreader.unlocked_1": tl[0] <= 0.0,
            "spreader.unlocked_2": tl[1] <= 0.0,
            "spreader.unlocked_3": tl[2] <= 0.0,
            "spreader.unlocked_4": tl[3] <= 0.0,
            "env.wind": wind if wind > 0.0 else 0.0,
            "lane.truck_lifted": self.yard.trailer_rise_m() > self.params.truck_lift_threshold_m,
        }

    def _sway_reading(self) -> tuple[float, float]:
        """What the sway sensor reads of the load's offset from plumb (gantry, trolley), m."""
        offset = self._load_x - self.gantry.position_m, self._load_y - self.trolley.position_m
        if self.sway_sensor.sensor.ideal:
            return offset
        rope = self.params.suspension_height_m - self._z + self._assembly()[3]
        return self.sway_sensor.read(offset, rope)

    # --- stepping ------------------------------------------------------------------------------

    def step(self, dt: float) -> None:
        """Advance the plant by ``dt`` seconds (> 0)."""
        if not dt > 0.0:
            raise ValueError(f"dt must be positive, not {dt}")
        p, inp = self.params, self.inputs
        held, enabled = self._held, inp.drives_enabled
        vg = p.gantry_speed_loaded_mps if held else p.gantry_speed_empty_mps
        vh = p.hoist_speed_loaded_mps if held else p.hoist_speed_empty_mps
        off = inp.braked_axes
        ax = self.gantry.step(inp.gantry_speed_ref_mps, vg, enabled and "gantry" not in off, dt)
        ay = self.trolley.step(
            inp.trolley_speed_ref_mps, p.trolley_speed_mps, enabled and "trolley" not in off, dt
        )
        self.hoist.step(inp.hoist_speed_ref_mps, vh, enabled and "hoist" not in off, dt)
        self.sway_sensor.step()
        if self.gantry.impact_mps or self.trolley.impact_mps or self.hoist.impact_mps:
            self._check_impacts()
        if not self._resting:
            self._swing(ax, ay, dt)
        self._contact()
        self.spreader.loaded = self._load_t > _TURN_FRICTION_T
        if self.spreader.step(inp.lock, inp.unlock, inp.size_ref_ft, dt):
            self._telescoped()
        if (self._engaged is not None and not self.spreader.all_free()) != self._held:
            self._held_changed()
        if self._carrying:
            self._carry()
        self.time_s += dt

    def _assembly(self) -> tuple[float, float, float, float]:
        """Half length, height below the twistlocks, mass (t), centre of mass below them, m.

        The mass includes a trailer hanging on the container (truck lift); the centre of mass
        and the wind load do not."""
        p = self.params
        c = self._engaged
        if self._held and c is not None:
            m_c, m_s = c.gross_mass_t, self._tare_t
            centre = (m_c * c.height_m / 2 - m_s * p.spreader_cog_above_twistlocks_m) / (m_s + m_c)
            mass = m_s + m_c
            if self._carrying and self.yard.trailer_rise_m() > 0.0:
                mass += p.trailer_lift_mass_t
            return c.length_m / 2, c.height_m, mass, centre
        return self.spreader.length_m / 2, 0.0, self._tare_t, -p.spreader_cog_above_twistlocks_m

    def _hanging_z(self, mass_t: float) -> float:
        """Twistlock plane of a load of ``mass_t`` hanging free on the ropes, m."""
        return self.hoist.position_m - (mass_t - self._tare_t) / self._stiffness

    def _swing(self, ax: float, ay: float, dt: float) -> None:
        """Advance the hanging load's pendulum; the suspension point accelerated (ax, ay)."""
        p, inp = self.params, self.inputs
        half_len, height, mass_t, centre = self._assembly()
        length = p.suspension_height_m - self._hanging_z(mass_t) + centre
        wx = wy = 0.0
        wind = inp.wind_mps + inp.gust_mps
        if wind > 0.0:
            heading = math.radians(inp.wind_direction_deg)
            vx, vy = wind * math.cos(heading), wind * math.sin(heading)
            area_x = _HALF_WIDTH_M * 2 * height + p.spreader_wind_area_m2
            area_y = half_len * 2 * height + p.spreader_wind_area_m2
            per_mass = self._drag / (mass_t * _KG_PER_T)
            wx, wy = per_mass * area_x * vx * abs(vx), per_mass * area_y * vy * abs(vy)
        pend = self.pendulum
        pend.step(length, -self.hoist.speed_mps, ax - wx, ay - wy, dt)
        self._load_x = self.gantry.position_m + length * pend.angle_x
        self._load_y = self.trolley.position_m + length * pend.angle_y

    def _contact(self) -> None:
        """Find what the load rests on; update its height, the rope load, pins, transitions."""
        half_len, height, mass_t, _ = self._assembly()
        lx, ly = self._load_x, self._load_y
        hang_z = self._hanging_z(mass_t)
        x0, x1, y0, y1 = lx - half_len, lx + half_len, ly - _HALF_WIDTH_M, ly + _HALF_WIDTH_M
        if self.yard.clear_below(x0, x1, y0, y1, min(hang_z, self._z) - height):
            z_rest = -math.inf
        else:
            z_rest = self.yard.support(x0, x1, y0, y1) + height
            if not self._resting and z_rest > self._z + EPS_M:
                self._collision(z_rest - height, self._z - height)
        resting = hang_z <= z_rest
        lifted = False
        if resting != self._resting:
            self._resting = resting
            if resting:
                self._touchdown(x0, x1, y0, y1)
            else:
                self._lift_off()
                lifted = True
                _, _, mass_t, _ = self._assembly()
                hang_z = self._hanging_z(mass_t)
        tare = self._tare_t
        if resting:
            self._z = z_rest
            rope_t = max(0.0, tare + self._stiffness * (self.hoist.position_m - z_rest))
        else:
            self._z, rope_t = hang_z, mass_t
        self._rope_t = rope_t
        self._load_t = rope_t - tare if self._held and rope_t > tare else 0.0
        seated = self._engaged is not None and rope_t <= tare
        roof = self._held and self.params.landing_pins_carrying == "pressed"
        self.spreader.pins = _PINS_DOWN if seated or roof else _PINS_UP
        if lifted:
            self._start_swing()

    def _touchdown(self, x0: float, x1: float, y0: float, y1: float) -> None:
        """The load came to rest: land a carried container, or seat the empty spreader."""
        c = self._engaged
        if self._carrying and c is not None:
            self._carrying = False
            c.x_m, c.y_m = self._load_x, self._load_y
            reason = self.yard.land(c)
            if reason is not None:
                self._fault(FaultKind.DAMAGED_LOAD, f"container {c.id}: {reason}", c)
            return
        if c is not None:
            return
        _, found = self.yard.supporters(x0, x1, y0, y1)
        below = found[0]
        tol = self.params.landing_tolerance_m
        if (
            len(found) == 1
            and isinstance(below, Container)
            and below.size_ft == self.spreader.size_ft
            and abs(self._load_x - below.x_m) <= tol
            and abs(self._load_y - below.y_m) <= tol
            and self.spreader.all_free()
        ):
            self._engaged = below

    def _lift_off(self) -> None:
        """The load leaves its support: take the held container along, or leave it."""
        c = self._engaged
        if c is not None and self._held:
            if not self.spreader.all_locked():
                n = sum(self.spreader.locked())
                self._fault(
                    FaultKind.DAMAGED_LOAD,
                    f"container {c.id} lifted with {n} of 4 twistlocks locked",
                    c,
                )
            self._carrying = True
            self.yard.lift(c)
        else:
            self._engaged = None

    def _start_swing(self) -> None:
        """A load just lifted off hangs at rest where it stood (the rope may lean)."""
        length = self.params.suspension_height_m - self._z + self._assembly()[3]
        self.pendulum.hold(
            self._load_x - self.gantry.position_m, self._load_y - self.trolley.position_m, length
        )

    def _held_changed(self) -> None:
        """The twistlocks started holding the engaged container, or all let go of it."""
        c = self._engaged
        assert c is not None
        self._held = not self._held
        if self._held:
            self.yard.attach(c)
        elif self._carrying:
            self._drop(c, "all four twistlocks unlocked while it hung")
        else:
            self.yard.detach(c)

    def _drop(self, c: Container, why: str) -> None:
        fall = self.yard.drop(c)
        self._fault(FaultKind.DROPPED_LOAD, f"container {c.id} fell {fall:.2f} m: {why}", c)
        self._engaged, self._held, self._carrying = None, False, False

    def _telescoped(self) -> None:
        """The spreader changed length: with cones in a container's castings, that tears."""
        c = self._engaged
        if c is None:
            return
        if self._carrying:
            self._drop(c, "the spreader telescoped while carrying it")
            return
        self._fault(
            FaultKind.DAMAGED_LOAD,
            f"container {c.id}: spreader telescoped with its cones in the castings",
            c,
        )
        if self._held:
            self.yard.detach(c)
        self._engaged, self._held = None, False

    def _carry(self) -> None:
        c = self._engaged
        assert c is not None
        self.yard.carry(c, self._load_x, self._load_y, self._z - c.height_m)
        rise = self.yard.trailer_rise_m()
        if rise > self.params.truck_lift_damage_m and not self._trailer_fault_recorded(c):
            trailer = self.yard.lifting
            self._fault(FaultKind.TRUCK_LIFTED, f"{trailer} lifted {rise:.2f} m with {c.id}", c)

    def _trailer_fault_recorded(self, c: Container) -> bool:
        return any(f.kind is FaultKind.TRUCK_LIFTED and f.container == c.id for f in self._faults)

    def _collision(self, top_m: float, bottom_m: float) -> None:
        c = self._engaged if self._held else None
        load = "spreader" if c is None else f"container {c.id}"
        self._fault(
            FaultKind.COLLISION,
            f"{load} (underside {bottom_m:.2f} m) ran into an obstacle with its top at "
            f"{top_m:.2f} m at x {self._load_x:.2f} m, y {self._load_y:.2f} m",
            c,
        )

    def _check_impacts(self) -> None:
        limit = self.params.end_stop_impact_speed_mps
        for name, drive in (
            ("gantry", self.gantry),
            ("trolley", self.trolley),
            ("hoist", self.hoist),
        ):
            if drive.impact_mps > limit:
                end = "upper" if drive.position_m >= drive.hi_m else "lower"
                self._fault(
                    FaultKind.END_STOP_IMPACT,
                    f"{name} hit its {end} end of travel at {drive.impact_mps:.2f} m/s",
                    None,
                )

    def _fault(self, kind: FaultKind, reason: str, c: Container | None) -> None:
        self._faults.append(ModelFault(kind, reason, self.time_s, None if c is None else c.id))

    def _start_check(self) -> None:
        half_len, _, _, _ = self._assembly()
        lx, ly, z = self._load_x, self._load_y, self._z
        top = self.yard.support(
            lx - half_len, lx + half_len, ly - _HALF_WIDTH_M, ly + _HALF_WIDTH_M
        )
        if z <= top:
            raise ValueError(
                f"start hoist position {z} m puts the spreader on or into something {top} m high;"
                " start it hanging free"
            )


def _check_reach(params: CraneParams, site: SiteLayout) -> None:
    """Every lane and stack slot must lie within the crane's trolley and gantry travel."""
    problems = [what for _, what in site.reach_problems(params.gantry_travel_m,
                                                         params.trolley_travel_m)]  # fmt: skip
    if problems:
        raise ValueError(
            f"site {site.name!r} lies outside the crane's reach (gantry 0..{params.gantry_travel_m}"
            f" m, trolley 0..{params.trolley_travel_m} m): {'; '.join(problems)}"
        )
