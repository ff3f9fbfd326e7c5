"""The crane's own configuration: rated speeds, accelerations, masses, geometry and thresholds.

One :class:`CraneParams` describes one crane, independent of its PLC (a crane may get a new PLC)
and of the site it stands in (:mod:`crane_ctrl.site`). Defaults are the border-gate ARMG of
``DOMAIN.md``; figures marked (A) there are assumptions and are marked so here too.

Axes and units: gantry x (m, along the rails, 0 at the reverse end stop), trolley y (m, across
the span, 0 at the cantilever tip), hoist z (m, height of the spreader's underside, the twistlock
plane, above ground). Speeds in m/s, accelerations in m/s^2, masses in tonnes (t), times in s.
Every threshold any model or interlock uses is a named field here: no magic numbers in logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crane_ctrl.errors import SettingsError

__all__ = ["NOT_USED", "AntiSway", "CraneParams", "not_used", "rated_speeds"]

AntiSway = Literal["fastest", "zv", "zvd"]
"""How automatic travel is shaped against sway (see :attr:`CraneParams.anti_sway`)."""


class CraneParams(BaseModel):
    """The configuration of one container gantry crane (defaults: border-gate ARMG)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    # --- geometry ------------------------------------------------------------------------------
    gantry_travel_m: float = Field(default=300.0, gt=0)
    """Gantry travel between the end limits (x from 0 to this), m (A)."""
    span_m: float = Field(default=30.0, gt=0)
    """Rail centre to rail centre, m."""
    cantilever_m: float = Field(default=8.0, ge=0)
    """Trolley travel beyond the landside rail (over the truck lanes), m."""
    lift_height_m: float = Field(default=18.0, gt=0)
    """Highest twistlock plane above ground: the hoist upper limit, m (1 over 5)."""
    hoist_lowest_m: float = Field(default=-0.5, ge=-2.0)
    """Hoist lower limit as a twistlock-plane height, m (A). Below ground, so that ropes still
    pay out (and go slack) when the spreader sits on the ground."""
    suspension_height_m: float = Field(default=21.5, gt=0)
    """Height of the trolley's rope sheaves, the pendulum's pivot, above ground, m (A)."""
    spreader_cog_above_twistlocks_m: float = Field(default=0.5, ge=0)
    """Centre of mass of spreader + headblock above the twistlock plane, m (A)."""
    min_rope_length_m: float | None = Field(default=None, gt=0)
    """The shortest the hoist ropes get, from the trolley's sheaves (``suspension_height_m``)
    down to the twistlock plane, m: the hoist's upper limit stops the spreader there. It lowers
    the highest twistlock plane to ``suspension_height_m - min_rope_length_m`` where that is
    below ``lift_height_m`` (:attr:`hoist_highest_m`), and no sway estimate takes the rope
    shorter. ``None``: ``lift_height_m`` alone sets the top."""

    # --- masses --------------------------------------------------------------------------------
    swl_t: float = Field(default=40.0, gt=0)
    """Safe working load under the spreader, t."""
    spreader_mass_t: float = Field(default=10.0, gt=0)
    """Spreader + headblock mass, the load cell's tare, t (A)."""
    max_container_mass_t: float = Field(default=30.48, gt=0)
    """Largest container gross mass expected, t."""
    overload_trip_fraction: float = Field(default=1.10, ge=1.0)
    """Overload trip as a fraction of SWL: hoist up blocked, lowering allowed (110 %)."""

    # --- hoist ---------------------------------------------------------------------------------
    hoist_speed_loaded_mps: float = Field(default=0.5, gt=0)
    """Rated hoist speed with a container on the spreader, m/s."""
    hoist_speed_empty_mps: float = Field(default=1.0, gt=0)
    """Rated hoist speed with the empty spreader, m/s."""
    hoist_accel_mps2: float = Field(default=0.5, gt=0)
    """Hoist acceleration limit (speeding up), m/s^2."""
    hoist_decel_mps2: float = Field(default=0.6, gt=0)
    """Hoist deceleration limit (slowing down), m/s^2."""
    hoist_brake_decel_mps2: float = Field(default=1.5, gt=0)
    """Deceleration when the hoist brakes set on a moving hoist (drives disabled), m/s^2 (A)."""
    creep_speed_mps: float = Field(default=0.1, gt=0)
    """Landing (creep) speed over the last ``creep_distance_m``, m/s (A)."""
    creep_distance_m: float = Field(default=0.5, gt=0)
    """Height above the landing surface where creep speed starts, m (A)."""

    # --- trolley -------------------------------------------------------------------------------
    trolley_speed_mps: float = Field(default=0.8, gt=0)
    """Rated trolley speed, m/s."""
    trolley_accel_mps2: float = Field(default=0.4, gt=0)
    """Trolley acceleration limit, m/s^2."""
    trolley_decel_mps2: float = Field(default=0.4, gt=0)
    """Trolley deceleration limit, m/s^2."""
    trolley_brake_decel_mps2: float = Field(default=0.8, gt=0)
    """Deceleration when the trolley brakes set while moving, m/s^2 (A)."""

    # --- gantry --------------------------------------------------------------------------------
    gantry_speed_loaded_mps: float = Field(default=2.0, gt=0)
    """Rated gantry speed with a container, m/s."""
    gantry_speed_empty_mps: float = Field(default=2.2, gt=0)
    """Rated gantry speed with the empty spreader, m/s."""
    gantry_accel_mps2: float = Field(default=0.2, gt=0)
    """Gantry acceleration limit, m/s^2."""
    gantry_decel_mps2: float = Field(default=0.2, gt=0)
    """Gantry deceleration limit, m/s^2."""
    gantry_brake_decel_mps2: float = Field(default=0.5, gt=0)
    """Deceleration when the gantry brakes set while moving, m/s^2 (A)."""

    end_stop_impact_speed_mps: float = Field(default=0.25, gt=0)
    """Arriving at an end of travel faster than this hits the buffers: a model fault, m/s (A)."""

    # --- spreader ------------------------------------------------------------------------------
    twistlock_turn_time_s: float = Field(default=1.5, gt=0)
    """Time for a twistlock to turn between unlocked and locked, s (A)."""
    twistlock_confirm_timeout_s: float = Field(default=3.0, gt=0)
    """All four twistlocks must confirm within this after the command, s."""
    telescope_time_s: float = Field(default=12.0, gt=0)
    """Telescope travel time 20 <-> 40 ft; 40 <-> 45 ft takes the length-proportional share, s
    (A)."""
    telescope_timeout_s: float = Field(default=30.0, gt=0)
    """A telescope move must finish within this, s."""
    landed_confirm_timeout_s: float = Field(default=5.0, gt=0)
    """Landed must confirm within this after creep starts, s (A)."""
    landing_tolerance_m: float = Field(default=0.05, gt=0)
    """Largest horizontal offset of the spreader from a container's castings at which the
    landing pins still press (per direction), m."""
    landing_pins_carrying: Literal["pressed", "released"] = "pressed"
    """What the landing pins do while a container locked on the spreader hangs: ``pressed``
    (most spreaders: the container's roof keeps them pressed, lifted or not) or ``released``
    (they release as it lifts). The supervisor works with either: it reads a hanging load off
    the load cell and the slack-rope switch, and the pins only as "seated" while nothing hangs;
    the simulator's spreader behaves as this says."""
    stacking_tolerance_m: float = Field(default=0.10, gt=0)
    """Largest horizontal offset of a set-down container from the castings or slot below it;
    beyond it the castings miss and the set-down damages the load, m (A)."""

    # --- ropes, load cell, sway ----------------------------------------------------------------
    rope_stretch_m: float = Field(default=0.05, gt=0)
    """Elastic stretch of the hoist ropes under SWL + spreader tare, m (A). Sets the rope
    stiffness: how far the drum turns while a landing load comes off (or onto) the ropes."""
    slack_rope_fraction: float = Field(default=0.5, gt=0, lt=1)
    """Slack rope when the rope load falls below this fraction of the spreader tare (A)."""
    sway_damping_ratio: float = Field(default=0.005, ge=0, lt=0.5)
    """Damping ratio of the load pendulum (rope and air friction); dimensionless."""
    gravity_mps2: float = Field(default=9.81, gt=0)
    """Gravitational acceleration, m/s^2."""
    sway_acceptance_m: float = Field(default=0.05, gt=0)
    """Anti-sway acceptance: residual sway within this after a full-speed stop, m. Only the
    tests measure against it (:data:`NOT_USED`: a site file may not set it)."""
    sway_settle_time_s: float = Field(default=5.0, gt=0)
    """Anti-sway acceptance: time allowed to reach ``sway_acceptance_m``, s. Nothing measures
    against it (:data:`NOT_USED`: a site file may not set it)."""
    anti_sway: AntiSway = "fastest"
    """How automatic travel is shaped against sway, on the pendulum model of the rope.

    ``fastest``: of ZV, unity-magnitude ZV and (where a speed change lasts a period or more)
    whole periods with a ZV-shaped rest, whichever lands soonest: about half a second over the
    unshaped move on the gantry. It needs the model's pendulum close to the real one
    (commissioning: time the spreader's swing at two heights): with the rope length 2 % off, a
    40-100 m gantry move is left swinging 2-5 cm, at 5 % 8-13 cm, which the landing damps
    before it sets down (with a sway sensor, the sequencer learns the rope's real length from
    each travel and plans the next legs on it: :mod:`crane_ctrl.motion.rope_calibration`). ``zv``:
    ZV only (short moves still split their speed changes, as sensitive): half a period on top of a
    long move, which 5 % off leaves swinging 2 cm. ``zvd``: a whole period on top; 5 % off
    leaves under 5 mm, 10 % under 2 cm."""

    # --- wind ----------------------------------------------------------------------------------
    wind_prealarm_mps: float = Field(default=15.0, gt=0)
    """Wind pre-alarm (3-s gust), m/s (A)."""
    wind_stop_mps: float = Field(default=20.0, gt=0)
    """Wind stop: finish nothing new, put the load down, stop (3-s gust), m/s (A)."""
    wind_storm_mps: float = Field(default=25.0, gt=0)
    """Storm: storm pins in (3-s gust), m/s (A)."""
    wind_gust_window_s: float = Field(default=3.0, ge=0)
    """The anemometer's averaging window: ``env.wind`` is its gust over this long (the 3-s
    gust), s. Back from a bad reading it holds the fault until this has passed: no lift takes it
    at its word meanwhile (WIND_NO_LIFT)."""
    wind_stop_reaction: Literal["secure", "raise_clear"] = "secure"
    """A wind stop with a load hanging (travel is blocked): ``secure`` sets it down straight
    below if it hangs within reach over a place where it may legally stand (its pick place just
    after lift-off, its destination), else raises it until its swing envelope clears every
    neighbour and holds; ``raise_clear`` never sets down by itself. Never is a hanging load held
    where its swing can reach another box or vehicle. The old values ``set_down`` and ``hold``
    read as ``secure`` and ``raise_clear``."""
    air_density_kgpm3: float = Field(default=1.225, gt=0)
    """Air density for the wind load on the suspended load, kg/m^3."""
    wind_drag_coefficient: float = Field(default=1.2, gt=0)
    """Drag coefficient of a container face (flat box), dimensionless (A)."""
    spreader_wind_area_m2: float = Field(default=6.0, ge=0)
    """Wind-exposed area of spreader + headblock, either direction, m^2 (A)."""

    # --- lanes ---------------------------------------------------------------------------------
    truck_lift_threshold_m: float = Field(default=0.05, gt=0)
    """Truck-lift trip: the trailer rises more than this during the first lift, m (A)."""
    truck_lift_damage_m: float = Field(default=0.30, gt=0)
    """A trailer lifted more than this is damaged: a model fault, m (A)."""
    trailer_lift_mass_t: float = Field(default=4.0, ge=0)
    """Share of the trailer's mass that hangs on the container when it is lifted with it, t (A)."""
    safe_clearance_m: float = Field(default=0.5, gt=0)
    """Clearance over the highest obstacle for travel in automatic, m."""
    approach_clearance_m: float = Field(default=0.10, gt=0)
    """Clearance the load keeps over its own place while travel starts or ends there, m (A).

    While the load's footprint still overlaps the place it was lifted from, or already overlaps
    the place it is landing on, it need only be this far above that place's level (and above
    anything no higher beside it), not ``safe_clearance_m``: travel starts just after lift-off
    and finishes during the landing's creep. Everything higher keeps ``safe_clearance_m``.
    Enough to clear a chassis's twistlock cones and the hoist's positioning error."""

    @property
    def trolley_travel_m(self) -> float:
        """Trolley travel between the end limits: cantilever plus span, m."""
        return self.cantilever_m + self.span_m

    @property
    def hoist_highest_m(self) -> float:
        """The highest the twistlock plane goes: ``lift_height_m``, or lower where
        ``min_rope_length_m`` keeps the ropes longer, m. Every lift-height limit uses this."""
        if self.min_rope_length_m is None:
            return self.lift_height_m
        return min(self.lift_height_m, self.suspension_height_m - self.min_rope_length_m)

    def shortest_rope_m(self, rope_m: float) -> float:
        """``rope_m`` (sheaves to twistlock plane), never shorter than ``min_rope_length_m``."""
        if self.min_rope_length_m is None:
            return rope_m
        return max(rope_m, self.min_rope_length_m)

    @property
    def rope_stiffness_tpm(self) -> float:
        """Rope stiffness as load change per metre of stretch, t/m."""
        return (self.swl_t + self.spreader_mass_t) / self.rope_stretch_m

    @property
    def overload_trip_t(self) -> float:
        """Load cell reading above which hoisting up is blocked, t."""
        return self.swl_t * self.overload_trip_fraction

    @field_validator("wind_stop_reaction", mode="before")
    @classmethod
    def _old_wind_reaction(cls, value: object) -> object:
        """The names before issue 14: ``set_down`` is ``secure``; ``hold`` raises clear first."""
        return {"set_down": "secure", "hold": "raise_clear"}.get(str(value), value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        rules = (
            ("approach_clearance_m", self.approach_clearance_m <= self.safe_clearance_m,
             "approach_clearance_m must not exceed safe_clearance_m"),
            ("hoist_speed_loaded_mps", self.hoist_speed_loaded_mps <= self.hoist_speed_empty_mps,
             "hoist_speed_loaded_mps must not exceed hoist_speed_empty_mps"),
            ("gantry_speed_loaded_mps",
             self.gantry_speed_loaded_mps <= self.gantry_speed_empty_mps,
             "gantry_speed_loaded_mps must not exceed gantry_speed_empty_mps"),
            ("hoist_lowest_m", self.hoist_lowest_m < self.lift_height_m,
             "hoist_lowest_m must be below lift_height_m"),
            ("suspension_height_m",
             self.suspension_height_m > self.lift_height_m + self.spreader_cog_above_twistlocks_m,
             "suspension_height_m must be above lift_height_m + spreader_cog_above_twistlocks_m "
             "(the load hangs below the sheaves at the upper limit)"),
            ("min_rope_length_m", self.hoist_lowest_m < self.hoist_highest_m,
             "min_rope_length_m leaves the hoist no travel: suspension_height_m - "
             "min_rope_length_m must be above hoist_lowest_m"),
            ("wind_stop_mps", self.wind_prealarm_mps < self.wind_stop_mps < self.wind_storm_mps,
             "wind thresholds must rise: wind_prealarm_mps < wind_stop_mps < wind_storm_mps"),
            ("truck_lift_threshold_m", self.truck_lift_threshold_m < self.truck_lift_damage_m,
             "truck_lift_threshold_m must be below truck_lift_damage_m"),
        )  # fmt: skip
        problems = [((key,), message) for key, ok, message in rules if not ok]
        if problems:
            raise SettingsError(problems)
        return self


NOT_USED: Mapping[str, str] = MappingProxyType(
    {
        "sway_acceptance_m": "an anti-sway acceptance figure of DOMAIN.md that only the tests "
        "measure against",
        "sway_settle_time_s": "an anti-sway acceptance figure of DOMAIN.md that nothing measures "
        "against",
    }
)
"""Crane figures kept for the record that nothing supervising, commanding or simulating the crane
reads, with what they are: a configuration file that sets one is refused (:func:`not_used`),
since the crane would behave no differently. Every other figure reaches whatever uses it."""


def not_used(params: CraneParams) -> list[tuple[tuple[str, ...], str]]:
    """The :data:`NOT_USED` figures ``params`` was given (not left at their defaults), each as
    a :class:`~crane_ctrl.errors.SettingsError` problem: the key and why it is refused."""
    return [
        ((name,), f"not used: {what}; nothing that supervises, commands or simulates the crane "
                  "reads it, so setting it changes nothing: remove it")
        for name, what in NOT_USED.items()
        if name in params.model_fields_set
    ]  # fmt: skip


def rated_speeds(params: CraneParams) -> dict[str, float]:
    """The fastest each axis may be asked to go, m/s (empty ratings: the higher ones)."""
    return {
        "gantry": max(params.gantry_speed_empty_mps, params.gantry_speed_loaded_mps),
        "trolley": params.trolley_speed_mps,
        "hoist": max(params.hoist_speed_empty_mps, params.hoist_speed_loaded_mps),
    }
