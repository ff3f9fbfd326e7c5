"""Whether the sway sensor shows the swing the crane's own motion must give the load. Pure: time
comes in as an argument.

A sway reading in range can still be wrong: a sensor stuck at 0 (a camera that lost its targets
and reports plumb), stuck at another value, frozen at its last reading, reading a fraction of
the swing (a wrong scale) or the swing backwards (a wrong sign). Each passes the range check, and
landings are judged on it: with ``sway.trolley`` stuck at 0 in a gusty wind a box was set down
off the castings (issue 14, finding 4). The crane's own motion says what it must show: the load
is a pendulum hung from the trolley, and braking the trolley at 0.5 m/s^2 on 8 m of rope swings
it by about ``a L / g`` = 0.4 m.

Per direction (gantry, trolley) the watch runs the crane's pendulum model beside the readings,
driven by the change of the measured speed, the rope from the hoist position and the load cell
(:mod:`crane_ctrl.sway_evidence`), and fits overlapping windows of one to two pendulum periods (a
new one every half period) with ``k * prediction + lean + free swing``. The lean (a steady wind,
a sensor mounted off plumb) and whatever the load swung by when the window began are the fit's:
only what the crane did inside the window that no lean or free swing explains is evidence. A
window finds the sensor wrong (the numbers: :class:`SwaySensorWatchSettings`) when the evidence
is at least ``visible_m`` and ``visible_steps`` of the sensor's step (learnt from its readings,
:class:`~crane_ctrl.sway_step.SensorStep`), and

* *stuck*: the readings stayed within ``still_m`` (or a step) the whole window. No wind holds a
  load that still while the crane's motion swings it; or
* *follows too little*: ``k`` at most ``follows_below`` (scaled by 0.2: 0.2; backwards: -1), the
  swing it missed ``(1 - k) * evidence`` ``certain`` times what the fit leaves over (gusts,
  noise) or more, and the evidence beyond what the next gust could lean the load (a gust may
  cancel part of a swing the crane gave, once: not a sensor's scale).

A reading that has not moved for ``frozen_periods`` is also *frozen* when the swing the readings
showed before, run on with the crane's motion since, puts the load ``frozen_off_m`` or more off
it: a sensor that sticks mid-swing, or while the crane stands.

Certain rather than quick: found within one or two periods of an acceleration that must swing the
load visibly. Found, the reading is BAD: the SIGNAL_QUALITY interlock stops the crane and names
it with why, and an automatic move holds. A stuck or frozen one stays bad until it reads a swing
again, or until the swing the model has the load in has died away (the crane's sway damping): no
landing is judged on it while the load may still swing. One that follows too little stays bad
for ``suspect_s`` after the last window that found it. The watch judges only while the load
hangs free (no landing pin pressed without a box on the ropes, ropes not slack) and the readings
it needs are good; otherwise it starts again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.shaping import oscillator_transition, pendulum_length_m
from crane_ctrl.motion.wind_swing import GUST_MARGIN_MPS, steady_lean_m
from crane_ctrl.signals import CORNERS
from crane_ctrl.site import CONTAINER_HEIGHT_HC_M, CONTAINER_HEIGHT_M
from crane_ctrl.snapshot import Quality, Reading
from crane_ctrl.sway_evidence import Epoch, Fit, ModelSwing, Sums, Transition, Window, shown
from crane_ctrl.sway_step import SensorStep

__all__ = ["SWAY_AXES", "SwaySensorWatch", "SwaySensorWatchSettings"]

SWAY_AXES = ("gantry", "trolley")
_TURN = 2.0 * math.pi


@dataclass(frozen=True, slots=True)
class SwaySensorWatchSettings:
    window_periods: float = 2.0
    """A window is judged up to this many pendulum periods long."""
    judged_from_periods: float = 1.0
    """A window is judged from this many periods on: shorter, a free swing explains too much."""
    start_every_periods: float = 0.5
    """A new window starts every this many periods (one always begins soon after a move)."""
    judge_every_s: float = 0.25
    """The windows of a direction are judged this often, s (not every scan: a fit is work)."""
    visible_m: float = 0.02
    """The least evidence (RMS of the swing the crane's motion must give that no lean or free
    swing explains) that finds a sensor wrong, m: a swing of about ±5 cm."""
    visible_steps: float = 1.5
    """And at least this many of the sensor's steps: readings within a step of each other may
    be a load that swung by under a step (a coarse sensor's)."""
    still_m: float = 0.003
    """Readings within this of each other (or within a step, if coarser) have not moved, m."""
    follows_below: float = 0.4
    """A sensor found to follow less than this share of the predicted swing is wrong; a sound
    one follows about 1."""
    certain: float = 3.0
    """The swing missed must be this many times what the fit leaves over (gusts, noise)."""
    frozen_periods: float = 0.5
    """Readings that have not moved for this many periods are judged frozen or not."""
    frozen_off_m: float = 0.04
    """The model putting the load this far (and twice ``visible_steps`` steps, and ``certain``
    times what its fit left over) off a reading that has not moved: frozen, m. A sound sensor
    read up to 0.4 s late still moves before the model, from rest at 0.5 m/s^2, gets this far."""
    suspect_s: float = 10.0
    """A sensor found to follow too little stays bad this long after the last window that
    found it, s."""
    gap_s: float = 0.5
    """Readings further apart than this start the watch again, s (the swing went on unseen)."""
    carried_t: float = 1.0
    """A load-cell reading from this on is a box on the ropes (the pendulum is longer: to the
    common centre of mass), t."""


@dataclass(slots=True)
class _Stuck:
    """A reading that has not moved while the load swings: the value it keeps, and the swing
    the model has the load in (run on with the crane's motion)."""

    reading: float
    swing: ModelSwing


@dataclass(slots=True)
class _Direction:
    """The watch of one direction's reading."""

    epochs: list[Epoch] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    last: tuple[float, float] | None = None
    """Time and speed of the last reading taken."""
    since_window: float = math.inf
    """Phase since the newest window began, rad."""
    since_epoch: float = math.inf
    judged_s: float = -math.inf
    still: tuple[float, float] = (math.inf, math.nan)
    """Since when the readings have not moved, and the value they keep."""
    still_peak: tuple[float, bool] = (0.0, False)
    """The largest acceleration (signed) since, and whether it braked."""
    moved: tuple[Window, Sums] | None = None
    """The longest window judged when the reading last moved, and its epoch's sums then."""
    found: tuple[float, str] | None = None
    """When the sensor was last found wrong, and why."""
    stuck: _Stuck | None = None

    def restart(self, *, hanging: bool) -> None:
        """Start again (the swing went on unseen); not ``hanging`` (the load set down), a stuck
        reading is no longer at odds with a swing."""
        self.epochs.clear()
        self.windows.clear()
        self.last = None
        self.since_window = self.since_epoch = math.inf
        self.still = (math.inf, math.nan)
        self.moved = None
        if not hanging:
            self.stuck = None

    def prune(self, periods: float) -> None:
        """Drop the windows longer than ``periods``, and the epochs nothing looks at."""
        self.windows = [w for w in self.windows if w.phase < periods * _TURN]
        live = {id(w.epoch) for w in self.windows}
        if self.moved is not None:
            live.add(id(self.moved[0].epoch))
        newest = self.epochs[-1]
        self.epochs = [e for e in self.epochs if e is newest or id(e) in live]


@dataclass(frozen=True, slots=True)
class _Rope:
    """The pendulum at a reading."""

    time_s: float
    length_m: float
    rate_mps: float
    omega: float
    hoist_m: float
    box_t: float | None
    """The box on the ropes, t (``None``: the empty spreader)."""
    wind_mps: float | None
    """The wind read (``None``: not good)."""
    step_m: float
    """The sensor's step at this rope length (0: fine or not known), m."""


class SwaySensorWatch:
    """Checks the sway sensor against the swing the crane's accelerations must give the load
    (module docstring)."""

    def __init__(
        self, params: CraneParams, settings: SwaySensorWatchSettings | None = None
    ) -> None:
        self.params = params
        self.settings = settings or SwaySensorWatchSettings()
        self._directions = {axis: _Direction() for axis in SWAY_AXES}
        self._step = SensorStep()
        self._rope: _Rope | None = None
        self._read_s: float | None = None
        self._asked_step = (-math.inf, 0.0)

    def check(self, readings: Mapping[str, Reading], now: float) -> dict[str, Reading]:
        """The good sway readings found wrong now (or still bad), as BAD readings that keep
        their value and say why; an empty dict when both agree with the crane's motion."""
        self._take(readings, now)
        out: dict[str, Reading] = {}
        for axis, direction in self._directions.items():
            reading = readings.get(f"sway.{axis}")
            why = self._why_bad(direction, now)
            if why and reading is not None and reading.good:
                out[f"sway.{axis}"] = Reading(reading.value, Quality.BAD, reading.time_s, why)
        return out

    def _why_bad(self, direction: _Direction, now: float) -> str:
        found = direction.found
        if found is None:
            return ""
        if direction.stuck is not None or now - found[0] < self.settings.suspect_s:
            return found[1]
        return ""

    # --- a scan's readings ----------------------------------------------------------------------

    def _take(self, readings: Mapping[str, Reading], now: float) -> None:
        sway = {axis: readings.get(f"sway.{axis}") for axis in SWAY_AXES}
        times = [r.time_s for r in sway.values() if r is not None and r.good]
        t = max((t for t in times if t is not None), default=None)
        if t is None:
            self._restart(hanging=True)
            return
        if t == self._read_s:
            return  # not read again this scan: nothing new
        self._read_s = t
        rope, hanging = self._rope_at(readings, t)
        if rope is None:
            self._restart(hanging=hanging)
            return
        offsets = {axis: _number(r) for axis, r in sway.items()}
        self._learn_step(rope, sway, offsets)
        before, self._rope = self._rope, rope
        before_s = before.time_s if before is not None else None
        dt = t - before_s if before_s is not None else 0.0
        phi = self._transition(rope, dt) if 0.0 < dt <= self.settings.gap_s else None
        for axis, direction in self._directions.items():
            speed, offset = _number(readings.get(f"{axis}.speed")), offsets[axis]
            last = direction.last
            if (
                phi is None
                or speed is None
                or offset is None
                or last is None
                or last[0] != before_s
            ):
                direction.restart(hanging=True)
                direction.last = None if speed is None or offset is None else (t, speed)
                continue
            direction.last = (t, speed)
            self._follow(direction, rope, (phi, dt), (speed - last[1]) / dt, speed, offset)
            if now - direction.judged_s >= self.settings.judge_every_s:
                direction.judged_s = now
                self._judge(axis, direction, rope, offset, now)
            direction.prune(self.settings.window_periods)

    def _learn_step(
        self,
        rope: _Rope,
        sway: Mapping[str, Reading | None],
        offsets: Mapping[str, float | None],
    ) -> None:
        """Show the step learner both readings (a direction not mapped reads plumb)."""
        seen = [
            0.0 if r is None or r.quality is Quality.MISSING else offsets[axis]
            for axis, r in sway.items()
        ]
        if None not in seen:
            self._step.see(rope.omega, (seen[0] or 0.0, seen[1] or 0.0))

    def _rope_at(self, readings: Mapping[str, Reading], t: float) -> tuple[_Rope | None, bool]:
        """The pendulum at ``t`` (``None`` while a reading it needs is not good, or the load
        does not hang free), and whether the load hangs free."""
        z, load = _number(readings.get("hoist.position")), _number(readings.get("hoist.load"))
        if z is None or load is None:
            return None, True
        slack = readings.get("hoist.slack_rope")
        carried = load >= self.settings.carried_t
        if slack is not None and slack.good and slack.value:
            return None, False
        if not carried and any(_pressed(readings, f"spreader.landed_{c}") for c in CORNERS):
            return None, False  # the empty spreader rests on something
        box_t = load if carried else None
        try:
            length = pendulum_length_m(z, self.params, loaded=carried, container_mass_t=box_t)
        except ValueError:
            return None, True
        omega = math.sqrt(self.params.gravity_mps2 / length)
        before = self._rope
        dt = t - before.time_s if before is not None else 0.0
        fresh = before is not None and 0.0 < dt <= self.settings.gap_s
        rate = (length - before.length_m) / dt if fresh and before is not None else 0.0
        wind = _number(readings.get("env.wind"))
        return _Rope(t, length, rate, omega, z, box_t, wind, self._step_m(t, omega)), True

    def _step_m(self, t: float, omega: float) -> float:
        """The sensor's step, as learnt: asked again only as often as the windows are judged
        (it changes slowly, and asking is work while the rope moves)."""
        asked_s, step = self._asked_step
        if t - asked_s >= self.settings.judge_every_s:
            step = self._step.step_m(omega)
            self._asked_step = (t, step)
        return step

    def _gusts_m(self, rope: _Rope) -> float:
        """How far the next gust may lean the load beyond the wind read now
        (:data:`~crane_ctrl.motion.wind_swing.GUST_MARGIN_MPS` more), on the largest face the box
        on the ropes may have, m; wind not read: no bound."""
        if rope.wind_mps is None:
            return math.inf
        box_t, wind = rope.box_t, rope.wind_mps
        size, height = (None, CONTAINER_HEIGHT_M) if box_t is None else (45, CONTAINER_HEIGHT_HC_M)

        def lean(v: float) -> float:
            return steady_lean_m(
                self.params, rope.hoist_m, v, size_ft=size, height_m=height, mass_t=box_t
            )

        return lean(wind + GUST_MARGIN_MPS) - lean(wind)

    def _restart(self, *, hanging: bool) -> None:
        self._rope = None
        for direction in self._directions.values():
            direction.restart(hanging=hanging)

    def _transition(self, rope: _Rope, dt: float) -> Transition:
        omega2 = rope.omega * rope.omega
        sigma = self.params.sway_damping_ratio * rope.omega + rope.rate_mps / rope.length_m
        return oscillator_transition(omega2, sigma, dt)

    # --- one direction ---------------------------------------------------------------------------

    def _follow(
        self,
        direction: _Direction,
        rope: _Rope,
        step: tuple[Transition, float],
        accel: float,
        speed: float,
        offset: float,
    ) -> None:
        """Run the model over ``step`` (the transition over the time since the last reading,
        and that time) with the crane accelerating at ``accel``, and take the reading."""
        s = self.settings
        phi, dt = step
        turn = rope.omega * dt
        if direction.since_epoch >= s.window_periods * _TURN:
            direction.epochs.append(Epoch.at(rope.omega))
            direction.since_epoch = 0.0
        if direction.since_window >= s.start_every_periods * _TURN:
            direction.windows.append(Window.of(direction.epochs[-1]))
            direction.since_window = 0.0
        eq = -accel / self.params.gravity_mps2
        for epoch in direction.epochs:
            epoch.step(phi, eq, rope.length_m, offset)
        direction.since_epoch += turn
        direction.since_window += turn
        braking = accel * speed < 0.0
        for window in direction.windows:
            window.take(turn, offset, accel, braking=braking)
        if not abs(offset - direction.still[1]) <= self._still_m(rope):
            direction.still, direction.still_peak = (rope.time_s, offset), (0.0, False)
            direction.moved = self._longest(direction)
        elif abs(accel) > abs(direction.still_peak[0]):
            direction.still_peak = (accel, braking)
        stuck = direction.stuck
        if stuck is not None:
            stuck.swing.step(phi, eq)
            moved = abs(offset - stuck.reading) > self._still_m(rope)
            if moved or rope.length_m * stuck.swing.amplitude(rope.omega) < self._floor_m(rope):
                direction.stuck = None  # it reads a swing again, or the swing died away

    def _longest(self, direction: _Direction) -> tuple[Window, Sums] | None:
        """The longest window judged, with its epoch's sums now."""
        turn = self.settings.judged_from_periods * _TURN
        window = next((w for w in direction.windows if w.phase >= turn), None)
        return None if window is None else (window, tuple(window.epoch.sums))

    def _floor_m(self, rope: _Rope) -> float:
        return max(self.settings.visible_m, self.settings.visible_steps * rope.step_m)

    def _still_m(self, rope: _Rope) -> float:
        return max(self.settings.still_m, rope.step_m)

    # --- judging ------------------------------------------------------------------------------

    def _judge(
        self, axis: str, direction: _Direction, rope: _Rope, offset: float, now: float
    ) -> None:
        s = self.settings
        floor = self._floor_m(rope)
        swing_per_mps2 = rope.length_m / self.params.gravity_mps2
        for window in direction.windows:
            if window.phase < s.judged_from_periods * _TURN:
                continue
            if abs(window.peak_accel) * swing_per_mps2 < floor:
                continue  # the crane's motion swings the load by too little to see
            fit = window.fit()
            if fit is None or fit.evidence_m < floor:
                continue
            low, high = window.reading_range
            stuck = high - low <= self._still_m(rope)
            if not stuck and (
                direction.stuck is not None  # (frozen: said better)
                or not self._follows_too_little(fit, floor, rope)
            ):
                continue
            cause = _cause(axis, window.peak_accel, window.braking, swing_per_mps2)
            direction.found = (now, _why(axis, fit, offset, cause, stuck=stuck))
            if stuck and direction.stuck is None:
                direction.stuck = _Stuck(offset, window.own())
            return
        self._judge_frozen(axis, direction, rope, now)

    def _follows_too_little(self, fit: Fit, floor: float, rope: _Rope) -> bool:
        """A reading that moves, but follows too little of a swing no gust could hide."""
        s = self.settings
        return (
            fit.follows <= s.follows_below
            and fit.missed_m >= s.certain * fit.residual_m
            and fit.evidence_m >= floor + self._gusts_m(rope)
        )

    def _judge_frozen(self, axis: str, direction: _Direction, rope: _Rope, now: float) -> None:
        """A reading that has not moved for ``frozen_periods`` while the swing the readings
        showed before, run on with the crane's motion since, puts the load well off it."""
        s = self.settings
        since, value = direction.still
        if direction.stuck is not None or direction.moved is None:
            return
        if (rope.time_s - since) * rope.omega < s.frozen_periods * _TURN:
            return
        before = shown(*direction.moved)
        if before is None:
            return
        lean, swing, residual = before
        must = lean + rope.length_m * swing.angle
        off = max(s.frozen_off_m, 2.0 * s.visible_steps * rope.step_m, s.certain * residual)
        if abs(must - value) < off:
            return
        accel, braking = direction.still_peak
        moved = abs(accel) * rope.length_m / self.params.gravity_mps2 >= self._floor_m(rope)
        since_then = f", and with {_motion(axis, accel, braking)} since" if moved else ""
        why = (
            f"sway.{axis} reads {value:.2f} m, unchanged for {rope.time_s - since:.1f} s, while "
            f"the load must be at ~{must:.2f} m by now (as it swung before{since_then}): "
            "a stuck or frozen sway sensor"
        )
        direction.found = (now, why)
        direction.stuck = _Stuck(value, swing)


def _motion(axis: str, accel: float, braking: bool) -> str:
    return f"the {axis}'s {abs(accel):.2f} m/s² {'braking' if braking else 'acceleration'}"


def _cause(axis: str, accel: float, braking: bool, swing_per_mps2: float) -> str:
    """The crane's motion, and the swing it must give the load (``a L / g``)."""
    swing = abs(accel) * swing_per_mps2
    return f"{_motion(axis, accel, braking)} must swing the load ~{swing:.2f} m"


def _why(axis: str, fit: Fit, offset: float, cause: str, *, stuck: bool) -> str:
    """What the sensor reads, against what the crane's motion must swing the load by."""
    name = f"sway.{axis}"
    if stuck:
        return f"{name} reads {offset:.2f} m while {cause} (a stuck or frozen sway sensor)"
    if fit.follows < 0.0:
        return f"{name} reads that swing backwards: {cause} (a sway sensor of the wrong sign)"
    scaled = "a sway sensor scaled wrong or failing"
    return f"{name} reads {fit.follows:.0%} of the swing: {cause} ({scaled})"


def _pressed(readings: Mapping[str, Reading], name: str) -> bool:
    """A landing pin pressed (or not good, or not mapped: counted pressed)."""
    reading = readings.get(name)
    return reading is None or not reading.good or bool(reading.value)


def _number(reading: Reading | None) -> float | None:
    if reading is None or not reading.good or isinstance(reading.value, bool):
        return None
    value = reading.value
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None
