"""Watching the load's sway for the sequencer: how much it swings, how it leans, how to damp it.

The sway sensor (``sway.gantry``, ``sway.trolley``: the load's offset from plumb, optional) is
read every scan. A steady wind leans the load without swinging it. Over the last window (about
half a pendulum period) each direction is fitted, least squares, with the pendulum's own motion
at its known frequency: ``offset = m + a cos(w t) + b sin(w t)``; the swing is the amplitude
``hypot(a, b)`` plus the fit's RMS residual (what the model does not explain counts as swing).
Calm means the swing within a tolerance once a whole window has been seen. The lean comes from
the pendulum's equation over the window (see :meth:`SwayWatch.sample`): the plain mean, or the
fit's constant, would follow the crane's own damping motions and steer by them. The arithmetic
is in :mod:`crane_ctrl.sequencer.sway_fit`.

Sensors read in steps, learnt from the readings (:mod:`crane_ctrl.sway_step`). A coarse
one (a step over :data:`COARSE_STEP_M`: rope angles in 0.1 degree read 3 cm steps on 17 m of
rope) reads a still load as a value that may flip between two neighbours, and a small swing as
a staircase: two successive readings differ by a whole step or not at all, and half a period of
them cannot tell a step from a swing. With such a sensor the watch judges a whole period; takes
the load's offset, rate and lean from a pendulum observer the readings correct
(:mod:`crane_ctrl.sequencer.sway_observer`), not from the last readings; calls a swing within a
step calm, whatever finer tolerance is asked (:data:`CALM_STEPS`, up to a most the caller sets);
and damping leaves alone an offset within a step (:meth:`SwayWatch.swing`). Acting on the raw
steps drove a 0.1 degree sensor's load round in a swing that grew to 25 cm while the landing
waited. With a fine sensor none of this applies: everything is as it was tuned.

A steady offset is a wind's lean only as far as the wind read can push the load
(:attr:`SwayWatch.wind_lean`); beyond that it is the sensor's own (mounted a step or two off
plumb), and the landing does not steer the load off its goal by it.

:func:`land_on_goal` is the closed-loop law that puts the load (not the crane) on a goal and
damps its swing while it gets there: the crane aims at the goal less the lean, less the load's
velocity times a damping time. Pure: time comes in as an argument.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from crane_ctrl.motion.planner import XYZ, MotionLimits
from crane_ctrl.sequencer.sway_fit import lean_of, swings
from crane_ctrl.sequencer.sway_observer import SwayObserver
from crane_ctrl.snapshot import Snapshot
from crane_ctrl.sway_step import SensorStep

__all__ = [
    "CALM_STEPS",
    "COARSE_STEP_M",
    "DAMPING_SPEED_SHARE",
    "LEAN_FOLLOW_MPS",
    "LOAD_GAIN_PER_S",
    "SWAY_RATE_GAIN_PER_S",
    "SwayWatch",
    "clamp",
    "land_on_goal",
    "steer_onto",
    "sway_of",
]

XY = tuple[float, float]
DAMPING_SPEED_SHARE = 0.4
"""Sway damping may use this share of an axis's rated speed."""
_Sample = tuple[float, ...]
"""(time, gantry offset, trolley offset, gantry speed, trolley speed, then per expected
offset: gantry and trolley offset less it)."""

LOAD_GAIN_PER_S = 0.8
"""Crane speed per metre between the crane and where it puts the load on the goal, 1/s (see
:func:`land_on_goal`)."""
LEAN_FOLLOW_MPS = 0.05
"""How fast the landing's aim follows a change of the lean, m/s (a speed step of this size
swings the load by under 10 cm, which the landing law damps as it goes)."""
SWAY_RATE_GAIN_PER_S = 0.6
"""Crane speed against the sway rate over the pendulum's ``w``, 1/s. Tried on the plant with
:data:`LOAD_GAIN_PER_S`: 4 to 21 m of rope, 30-80 mm of swing or 50 mm off the goal, load on the
goal within 8 mm and calm in 5-14 s; at 0.7 a long rope rings (the scan's delay)."""
COARSE_STEP_M = 0.005
"""A sway sensor whose step is larger than this is coarse, m (see the module docstring). The
landing law was tuned on 1 mm steps and on 0.01 degree (3.7 mm on 21 m of rope); 0.1 degree is
3 cm on 17 m."""
STEPPED_RATE_MPS = 0.02
"""A sensor whose step, from one reading to the next, is a rate of more than this gives its rate
from the pendulum observer, m/s (see :meth:`SwayWatch.stepped_rate`)."""
CALM_STEPS = 1.0
"""A swing within this many of a coarse sensor's steps is calm, whatever finer tolerance is
asked. Fitted over a whole period, a load swinging by half a step (readings flipping between two
neighbours) reads as up to 0.9 of a step; one swinging by 1.5 steps as more than one."""


def sway_of(snapshot: Snapshot) -> XY | None:
    """Load offset from plumb (gantry, trolley), m; ``None`` without a (good) sway sensor."""
    sx, sy = snapshot.number("sway.gantry"), snapshot.number("sway.trolley")
    if sx is None or sy is None:
        return None
    return sx, sy


@dataclass
class SwayWatch:
    """The sway over the last window, sampled once a scan with the crane's speeds."""

    log: list[_Sample] = field(default_factory=list)
    """The samples (:data:`_Sample`), oldest first: a whole pendulum period of them (or the
    window, if longer) and the one before."""
    since: float | None = None
    """When watching started (a window must pass before anything counts as calm)."""
    window_s: float = 0.0
    omega: float = 1.0
    """The pendulum's angular frequency at the last sample, rad/s."""
    lean: XY = (0.0, 0.0)
    """The steady offset (a wind's lean), m: see :meth:`sample`."""
    lean_limit_m: float = math.inf
    """The most the wind can lean the load now, m (see :attr:`wind_lean`)."""
    aim: XY | None = None
    """The lean the landing steers by: follows :attr:`wind_lean` at :data:`LEAN_FOLLOW_MPS`."""
    aim_at: float = 0.0
    sensor: SensorStep = field(default_factory=SensorStep)
    """The sway sensor's step as learnt from the readings (:meth:`observe`)."""
    observer: SwayObserver = field(default_factory=SwayObserver)
    """The load's offset, rate and lean as the pendulum follows them (:meth:`observe`): a
    coarse sensor's."""
    _cut: float = -math.inf
    """Samples before this are out of the window: the latest ``now - window_s`` (a window
    that grows with the rope does not take back what it left)."""
    _swing: tuple[tuple[int, float, float, float], float] | None = field(
        default=None, repr=False, compare=False
    )
    """The last :meth:`swing_m` and the window it was fitted on (several steps ask per scan)."""

    def reset(self) -> None:
        self.log.clear()
        self.since = None
        self.aim = None
        self._cut = -math.inf

    def steer_lean(self, now: float, start: XY) -> XY:
        """The lean to steer by now: from ``start`` (where the crane stands off the goal when
        the landing begins) towards :attr:`wind_lean`, at most :data:`LEAN_FOLLOW_MPS`: moving the
        crane a wind's lean upwind at once would swing the load by as much."""
        if self.aim is None:
            self.aim, self.aim_at = start, now
        step = LEAN_FOLLOW_MPS * max(0.0, now - self.aim_at)
        ax, ay = self.aim
        lx, ly = self.wind_lean
        self.aim = (ax + max(-step, min(step, lx - ax)), ay + max(-step, min(step, ly - ay)))
        self.aim_at = now
        return self.aim

    def sample(
        self,
        now: float,
        sway: XY,
        speed: XY,
        window_s: float,
        omega: float,
        expected: Sequence[XY] = ((0.0, 0.0),),
        *,
        lean_limit_m: float = math.inf,
    ) -> None:
        """Add this scan's reading (once per scan), forget what is older than the window, and
        estimate the lean; ``lean_limit_m``: the most the wind can lean the load now.

        ``expected``: what the crane's own planned travel swings the load by now (its shaping
        cancels it by the end of the travel), for each delay the reading may have (a scan, a
        link); the swing is judged less the one that explains the window best, so a load can
        be found calm while the travel still brakes. Give as many candidates every sample, or one
        that stands for them all.

        The offset ``e`` of a pendulum over a crane accelerating at ``a`` obeys ``e'' = -w^2 (e
        - lean) - a``; averaged over the window, ``e''`` and ``a`` sum to the change of the
        load's speed ``y' = crane speed + e'``, so ``lean = mean(e) + (y'_end - y'_start) /
        (window w^2)``: exact for the pendulum, whatever the crane does meanwhile."""
        if self.since is None:
            self.since = now
        if self.log and self.log[-1][0] >= now:
            return
        self.window_s, self.omega, self.lean_limit_m = window_s, omega, lean_limit_m
        own = [v for ex in expected for v in (sway[0] - ex[0], sway[1] - ex[1])]
        width = len(self.log[-1]) - 5 if self.log else len(own)
        if width > len(own) and width % len(own) == 0:
            own *= width // len(own)  # one for all (the travel has ended: nothing expected)
        elif width != len(own):
            self.log.clear()  # other candidates: start the window again
        self.log.append((now, sway[0], sway[1], speed[0], speed[1], *own))
        self._cut = max(self._cut, now - window_s)
        keep = max(window_s, 2.0 * math.pi / omega)
        while len(self.log) > 1 and self.log[1][0] <= now - keep:
            self.log.pop(0)
        self.lean = self.observer.lean if self.coarse() else lean_of(self._window(), omega)

    def observe(self, now: float, sway: XY, speed: XY, omega: float) -> None:
        """Every scan, whatever the step: learn the sensor's step and follow the load with the
        observer (the pendulum must be followed from when it is still to be trusted)."""
        self.sensor.see(omega, sway)
        self.observer.update(now, sway, speed, omega)

    @property
    def wind_lean(self) -> XY:
        """The lean as far as the wind explains it (:attr:`lean` within :attr:`lean_limit_m`),
        m: what the landing puts the load on its goal by. A steady offset beyond what the wind
        can push is the sensor's own (one mounted a step or two off plumb): steering by it would
        set the load down that far off its goal."""
        limit = self.lean_limit_m
        return _within(self.lean[0], limit), _within(self.lean[1], limit)

    @property
    def watched_s(self) -> float:
        return 0.0 if self.since is None or not self.log else self.log[-1][0] - self.since

    def step_m(self) -> float:
        """The sway sensor's step at the present rope length, as learnt (0 if not known), m."""
        return self.sensor.step_m(self.omega)

    def coarse(self) -> bool:
        """The sway sensor steps by more than :data:`COARSE_STEP_M` (see the module
        docstring)."""
        return self.step_m() > COARSE_STEP_M

    def known(self) -> bool:
        """A whole window watched: the swing and the lean are known (with a coarse sensor, a
        whole period of readings at hand; and so too until the readings have shown whether the
        sensor steps: a swing of up to a step it has not shown yet can read as one level for
        half a period, and as two levels a fit takes for a lean)."""
        period = 2.0 * math.pi / self.omega
        whole = bool(self.log) and self.log[-1][0] - self.log[0][0] >= max(self.window_s, period)
        if self.coarse():
            return whole
        if self.watched_s < self.window_s:
            return False
        return whole or self.sensor.learnt()

    def swing_m(self) -> float:
        """The swing the crane's planned travel does not take away: the larger direction's
        fitted amplitude plus RMS residual, for the expected offset that explains the window
        best, m."""
        window = self._window()
        if not window:
            return 0.0
        key = _key(window, self.omega)
        if self._swing is not None and self._swing[0] == key:
            return self._swing[1]
        fits = swings(window, self.omega)
        swing = min(max(fits[c], fits[c + 1]) for c in range(0, len(fits), 2))
        self._swing = (key, swing)
        return swing

    def calm(self, tolerance_m: float, *, most_m: float = math.inf) -> bool:
        """A whole window watched, and the swing within ``tolerance_m``, or within
        :data:`CALM_STEPS` of the sensor's steps if they are coarser (a coarse sensor cannot
        tell a still load from one that swings by a fraction of a step), but never more than
        ``most_m``. A load judged calm swings by no more than the tolerance used and half a
        step (what no reading sees)."""
        return self.known() and self.swing_m() <= self.tolerance_m(tolerance_m, most_m=most_m)

    def tolerance_m(self, tolerance_m: float, *, most_m: float = math.inf) -> float:
        """The swing :meth:`calm` allows for ``tolerance_m`` with this sensor, m."""
        return max(tolerance_m, min(CALM_STEPS * self.step_m(), most_m))

    def rate(self) -> XY:
        """Sway rate, m/s: from the last two samples (0 before there are two); with a sensor
        that steps (:meth:`stepped_rate`), the observer's (two of its readings differ by a step
        or not at all)."""
        if len(self.log) < 2:
            return self.observer.rate if self.coarse() else (0.0, 0.0)
        (t0, x0, y0, *_), (t1, x1, y1, *_) = self.log[-2], self.log[-1]
        dt = t1 - t0
        if self.stepped_rate(dt):
            return self.observer.rate
        return ((x1 - x0) / dt, (y1 - y0) / dt) if dt > 0.0 else (0.0, 0.0)

    def stepped_rate(self, dt: float) -> bool:
        """Whether a rate from two readings ``dt`` apart would jump by more than
        :data:`STEPPED_RATE_MPS` at each of the sensor's steps: a coarse sensor, or a fine one
        read fast (0.01 degree, 3 mm on 17 m of rope, is 0.06 m/s at 20 Hz; the landing law,
        chasing it, held an empty spreader in a 4 cm limit cycle over its landing: hostile
        test F1)."""
        return self.coarse() or (dt > 0.0 and self.step_m() / dt > STEPPED_RATE_MPS)

    def peak_m(self) -> float:
        """The largest offset from the lean over the window, either direction, m."""
        lx, ly = self.lean
        return max((max(abs(s[1] - lx), abs(s[2] - ly)) for s in self._window()), default=0.0)

    def swing(self, sway: XY) -> XY:
        """``sway`` less the lean: what damping should act on, m. With a coarse sensor, the
        observer's offset less the lean, and nothing within a step of it (acting on a step
        would drive the load round between two readings)."""
        if not self.coarse():
            return sway[0] - self.lean[0], sway[1] - self.lean[1]
        (x, y), step = self.observer.offset, self.step_m()
        return _deadband(x - self.lean[0], step), _deadband(y - self.lean[1], step)

    def _window(self) -> list[_Sample]:
        """The samples judged: the window's (with a coarse sensor, or one not learnt yet, all
        kept: a whole period)."""
        if not self.log or self.coarse() or not self.sensor.learnt():
            return self.log
        start = bisect.bisect_left(self.log, self._cut, key=_time)
        return self.log[start:]


def _time(sample: _Sample) -> float:
    return sample[0]


def _key(window: list[_Sample], omega: float) -> tuple[int, float, float, float]:
    return len(window), window[0][0], window[-1][0], omega


def _within(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def _deadband(value: float, width: float) -> float:
    """``value`` less ``width`` towards 0, and 0 within it."""
    return math.copysign(max(0.0, abs(value) - width), value)


def land_on_goal(
    goal_m: float, crane_m: float, lean_m: float, sway_rate_mps: float, omega: float
) -> float:
    """Speed reference (one axis) that brings the load to rest over ``goal_m``, m/s.

    The load swings towards the crane: ``y'' = w^2 (x - y)``. Aiming the crane at ``goal -
    lean - c y'`` (``y'``, the load's speed) makes that a damped spring onto the goal. With the
    crane following its aim, ``y' = x' + e'`` and ``x'`` solved out of the loop (feeding back
    the crane's measured speed a scan late chatters), that is a position gain on the crane
    (:data:`LOAD_GAIN_PER_S`) and a gain against the sway rate (:data:`SWAY_RATE_GAIN_PER_S`,
    on the rate over ``w``, so it suits every rope length). At rest the crane stands the lean
    short of the goal, so the load, leaning in the wind, is on it."""
    aim = goal_m - lean_m - crane_m
    return LOAD_GAIN_PER_S * aim - SWAY_RATE_GAIN_PER_S * sway_rate_mps / omega


def steer_onto(
    watch: SwayWatch, limits: MotionLimits, goal: XY, pos: XYZ, now: float
) -> tuple[float, float]:
    """Gantry and trolley references that put the load on ``goal`` and damp its swing
    (:func:`land_on_goal`, by what ``watch`` knows of the swing), within a share of the rated
    speeds (``limits``)."""
    lean = watch.steer_lean(now, (goal[0] - pos[0], goal[1] - pos[1]))
    rate = watch.rate()
    refs = []
    for k, lim in ((0, limits.gantry), (1, limits.trolley)):
        ref = land_on_goal(goal[k], pos[k], lean[k], rate[k], watch.omega)
        refs.append(clamp(ref, lim.vmax_mps * DAMPING_SPEED_SHARE))
    return refs[0], refs[1]


def clamp(value: float, limit: float) -> float:
    """``value`` within ±``limit``."""
    return max(-limit, min(limit, value))
