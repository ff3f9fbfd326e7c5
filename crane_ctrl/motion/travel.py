"""Gantry and trolley travel together on a straight line, input-shaped against sway.

One time-optimal profile of the distance along the line drives both axes (each gets its share of
the direction), so they start and arrive together and the load passes over exactly the ground
:mod:`crane_ctrl.motion.clearance` checked. The path limits are each axis's limits divided by its
share of the direction, the least winning; that is at most a little slower than each axis
time-optimal on its own, and it keeps the path a straight line.

The speed-up and the braking are shaped separately (:mod:`crane_ctrl.motion.shaping`): each on
the period the rope will have then, or on the rope length over time when the hoist moves during
travel. The braking starts where the shaped profile still ends on the goal. Of the ways to
shape that keep to the limits, the fastest is taken (or, for a leg, the one that lands
soonest): ZV on the time-optimal profile, ZV with short speed changes split
(:func:`_shaped_split`), and, on a known rope, unity-magnitude ZV (:func:`_shaped_unity`, a
third of a period on top instead of half) and, where a speed change lasts a period or more, the
change split into whole periods and a shaped rest (:func:`_shaped_periods`: about half a
second on top on the gantry, a sixteenth of a period). Pure: no I/O, no clock; times are
seconds from the start of the plan.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crane_ctrl.motion.profiles import AxisLimits, Profile1D, Pulse, trapezoid, trapezoid_pulses
from crane_ctrl.motion.shaping import (
    Impulse,
    PeriodSplit,
    Shaper,
    SwayModel,
    mean_delay_s,
    shape,
    shaper_impulses,
    varying_period_zv,
    varying_umzv,
    varying_zv,
)

__all__ = ["XY", "TravelPlan"]

XY = tuple[float, float]
"""An (x, y) pair: a position (m) or the gantry and trolley speeds (m/s)."""
_EPS = 1e-9
"""Numerical zero for distances and speeds (not a physical threshold)."""
_ARRIVAL_ITERATIONS = 3
"""Rounds of placing the braking and shaping it where it lands (the shaper's delay moves it)."""
_HORIZON_PERIODS = 4.0
"""The plan's sway model reaches this many periods past the unshaped move (shaping adds at most
a period; a speed change's shaper is solved over 1.25 periods after it)."""
_SPLIT_GAIN_S = 0.05
"""The split profile is searched for only where it would save at least this, s (a scan)."""
_RATE_ROOM = 0.995
"""The split profile's rates are set this share under what its impulses allow, so that the
impulses of a slightly different speed change (the peak moved) still fit."""
_SPLIT_TRIES = 200
"""Most rounds of fitting the split profile's rates and peak to its impulses (a search bound)."""
_PEAK_STEP = 0.02
"""Share of the peak speed given up per try while the shaped profile would run backwards or miss
the goal (two different shapers on a short move); a search step, not physics."""

Shapers = Callable[[float, float], tuple[Impulse, ...]]
"""The impulses for a speed change starting at a plan time and lasting a duration."""
Splits = Callable[[float, float, bool], PeriodSplit | None]
"""The whole-period split of a speed change starting at a plan time and lasting a duration,
whole periods last or not."""


@dataclass(frozen=True, slots=True)
class TravelPlan:
    """Gantry and trolley together on the straight line from ``start_xy`` to ``goal_xy``."""

    start_xy: XY
    goal_xy: XY
    direction: XY
    """Unit vector from start to goal ((0, 0) for no move)."""
    path: Profile1D
    """Distance along the line over time, shaped."""
    unshaped_s: float
    """Duration of the same straight-line move unshaped (time-optimal), s."""
    limits: AxisLimits
    """Speed and acceleration limits along the path (each axis's over its share)."""

    @classmethod
    def plan(
        cls,
        start_xy: XY,
        goal_xy: XY,
        limits_gantry: AxisLimits,
        limits_trolley: AxisLimits,
        period_s: float,
        *,
        shaper: Shaper = "zv",
        arrival_period_s: float | None = None,
        damping_ratio: float = 0.0,
        rope_length_m: Callable[[float], float] | None = None,
        gravity_mps2: float = 9.81,
        cost: Callable[[TravelPlan], float] | None = None,
        fastest: bool = True,
    ) -> TravelPlan:
        """Plan the move, shaped on the pendulum's ``period_s`` (see ``pendulum_period_s``).

        ``arrival_period_s``: the period while braking, if the rope will be longer or shorter
        by then. ``rope_length_m``: the rope length over plan time, when the hoist moves during
        travel; the ZV impulses are then computed on it (:func:`varying_zv`), the periods only
        bracket the search. ``damping_ratio``: the pendulum's (``sway_damping_ratio``).
        ``cost``: what to minimise over the ways of shaping (default: the travel's duration; a
        leg gives its touchdown, which also depends on how the travel overlaps the hoist).
        ``fastest``: on a known rope, also try the faster shapes that need the rope model
        closer to the real rope (``CraneParams.anti_sway``); otherwise ZV only.
        """
        dx, dy = goal_xy[0] - start_xy[0], goal_xy[1] - start_xy[1]
        length = math.hypot(dx, dy)
        if length < _EPS:
            still = AxisLimits(math.inf, math.inf, math.inf)
            return cls(start_xy, goal_xy, (0.0, 0.0), Profile1D.from_pulses(()), 0.0, still)
        ux, uy = dx / length, dy / length
        limits = _path_limits(ux, uy, limits_gantry, limits_trolley)
        arrival_period = period_s if arrival_period_s is None else arrival_period_s
        departure_for: Shapers
        arrival_for: Shapers
        unity: tuple[Shapers, Shapers] | None = None
        splits: Splits | None = None
        if rope_length_m is not None and shaper == "zv":
            rope, g, zeta = rope_length_m, gravity_mps2, damping_ratio
            horizon = trapezoid(length, limits).duration_s + _HORIZON_PERIODS * max(
                period_s, arrival_period
            )
            model = SwayModel(rope, horizon, gravity_mps2=g, damping_ratio=zeta)
            departure_for = _varying(varying_zv, rope, period_s, model)
            arrival_for = _varying(varying_zv, rope, arrival_period, model)
            if fastest:
                unity = (
                    _varying(varying_umzv, rope, period_s, model),
                    _varying(varying_umzv, rope, arrival_period, model),
                )
                splits = _period_splits(rope, model)
        else:
            departure_for = _fixed(shaper_impulses(shaper, period_s, damping_ratio))
            arrival_for = _fixed(shaper_impulses(shaper, arrival_period, damping_ratio))
        paths: list[Profile1D | None] = [
            _shaped(length, limits, departure_for, arrival_for, period_s)
        ]
        if unity is not None:
            paths.append(_shaped_unity(length, limits, *unity))
        if splits is not None:
            paths.append(_shaped_periods(length, limits, splits))
        unshaped = trapezoid(length, limits).duration_s
        plans = [cls(start_xy, goal_xy, (ux, uy), p, unshaped, limits) for p in paths if p]
        return min(plans, key=cost or TravelPlan._duration)

    def _duration(self) -> float:
        return self.path.duration_s

    @property
    def duration_s(self) -> float:
        return self.path.duration_s

    @property
    def length_m(self) -> float:
        """Length of the straight path, m."""
        return self.path.distance_m

    def progress_m(self, t: float) -> float:
        """Distance travelled along the path at plan time ``t``, m."""
        return self.path.position(t)

    def reference(self, t: float) -> XY:
        """(gantry, trolley) speed references at plan time ``t``, m/s (zero outside the plan).

        Every scan, command ``reference(t + scan)``: the drives ramp to a new reference within
        the scan, so they then follow the piecewise-linear profile instead of a scan behind it.
        """
        v = self.path.velocity(t) if t >= 0.0 else 0.0
        return self.direction[0] * v, self.direction[1] * v

    def position(self, t: float) -> XY:
        """(x, y) the plan is at at time ``t``, m."""
        s = self.path.position(t)
        return self.start_xy[0] + self.direction[0] * s, self.start_xy[1] + self.direction[1] * s


def _fixed(impulses: tuple[Impulse, ...]) -> Shapers:
    def impulses_for(start: float, duration: float) -> tuple[Impulse, ...]:
        return impulses

    return impulses_for


def _varying(
    solve: Callable[..., tuple[Impulse, ...]],
    rope_length_m: Callable[[float], float],
    period_s: float,
    model: SwayModel,
) -> Shapers:
    @functools.cache  # the searches ask again
    def impulses_for(start: float, duration: float) -> tuple[Impulse, ...]:
        return solve(
            start, duration, rope_length_m, period_s, gravity_mps2=model.gravity_mps2,
            damping_ratio=model.damping_ratio, model=model,
        )  # fmt: skip

    return impulses_for


def _period_splits(rope_length_m: Callable[[float], float], model: SwayModel) -> Splits:
    @functools.cache
    def split_for(start: float, duration: float, whole_last: bool) -> PeriodSplit | None:
        return varying_period_zv(
            start, duration, rope_length_m, gravity_mps2=model.gravity_mps2,
            damping_ratio=model.damping_ratio, whole_last=whole_last, model=model,
        )  # fmt: skip

    return split_for


def _path_limits(ux: float, uy: float, gantry: AxisLimits, trolley: AxisLimits) -> AxisLimits:
    """Limits along the direction (ux, uy): each axis's limit over its share, the least wins."""
    shares = [(abs(u), lim) for u, lim in ((ux, gantry), (uy, trolley)) if abs(u) > _EPS]
    return AxisLimits(
        min(lim.vmax_mps / u for u, lim in shares),
        min(lim.accel_mps2 / u for u, lim in shares),
        min(lim.decel_mps2 / u for u, lim in shares),
    )


def _shaped(
    length_m: float,
    limits: AxisLimits,
    departure_for: Shapers,
    arrival_for: Shapers,
    period_s: float,
) -> Profile1D:
    """The fastest shaped profile over ``length_m``: the better of two ways to use the limits.

    Wide (:func:`_shaped_wide`): the time-optimal trapezoid, each speed change shaped. Where a
    change lasts longer than the shaper's delay, the shaped copies overlap and sum to the limit;
    where it is shorter, each copy accelerates at only its share of the limit.

    Split (:func:`_shaped_split`): every speed change short enough that its shaped copies never
    overlap, each at the acceleration that puts the largest copy at the limit (twice the limit
    for an undamped ZV). The peak speed is then at most about the acceleration limit times the
    shaper's delay, but a move that cannot use more (a short one, or the trolley, whose speed
    change is shorter than half a period anyway) arrives up to the speed-up time sooner.
    Both leave the load at rest and keep within the limits; the shorter wins. The split one is
    searched for only where, on a constant rope of ``period_s``, it would win (the search costs
    ten times the wide one: a long move never needs it).
    """
    wide = _shaped_wide(length_m, limits, departure_for, arrival_for)
    if not _split_may_win(length_m, limits, period_s):
        return wide
    split = _shaped_split(length_m, limits, departure_for, arrival_for)
    if split is not None and split.duration_s < wide.duration_s - _EPS:
        return split
    return wide


def _shaped_unity(
    length_m: float, limits: AxisLimits, departure_for: Shapers, arrival_for: Shapers
) -> Profile1D | None:
    """The time-optimal profile shaped with unity-magnitude ZV (:func:`varying_umzv`): a third
    of a period on top, not half. A speed change shorter than the shaper is made in steps
    (up, part back, up again: the trolley's, whose speed changes last a quarter period); the
    speed never leaves 0..peak. Only where the shaper was found and the profile keeps to the
    limits; ``None`` otherwise."""
    accel, _ = trapezoid_pulses(length_m, limits)
    a, d = limits.accel_mps2, limits.decel_mps2
    peak = accel.end_s * a
    departure = departure_for(0.0, peak / a)
    arrival = arrival_for(_unshaped_brake_s(length_m, peak, (a, d)), peak / d)
    if not departure or not arrival:
        return None
    profile = _shaped_at(length_m, peak, (a, d), departure_for, arrival_for)
    return profile if profile is not None and _keeps_limits(profile, limits) else None


def _shaped_periods(length_m: float, limits: AxisLimits, split_for: Splits) -> Profile1D | None:
    """The time-optimal profile with each speed change split (:func:`varying_period_zv`): the
    speed-up's whole periods at the limit first, then its rest ZV-shaped; the braking's rest
    shaped first, then its whole periods. Where the speed changes last a period or more (the
    gantry's), this costs a fraction of the unity-magnitude shaper's third of a period.
    ``None`` where a change is shorter or the profile breaks a limit."""
    accel, _ = trapezoid_pulses(length_m, limits)
    a, d = limits.accel_mps2, limits.decel_mps2
    peak = accel.end_s * a
    up_s, down_s = peak / a, peak / d
    departure = split_for(0.0, up_s, False)
    if departure is None:
        return None
    speed_up = _split_pulses(departure, 0.0, up_s, a)
    unshaped_brake = _unshaped_brake_s(length_m, peak, (a, d))
    lead = _centre_s(speed_up) - up_s / 2  # how much later the speed-up's distance comes
    t_brake = unshaped_brake
    arrival: PeriodSplit | None = None
    for _ in range(_ARRIVAL_ITERATIONS):
        arrival = split_for(max(0.0, t_brake), down_s, True)
        if arrival is None:
            return None
        lag = _centre_s(_split_pulses(arrival, 0.0, down_s, -d)) - down_s / 2
        t_brake = unshaped_brake + lead - lag  # exact on the goal for this split
    if t_brake < 0.0 or arrival is None:
        return None
    profile = Profile1D.from_pulses([*speed_up, *_split_pulses(arrival, t_brake, down_s, -d)])
    on_goal = abs(profile.distance_m - length_m) <= 1e-6 * max(1.0, length_m)
    forwards = min(profile.speeds) >= -_EPS
    return profile if on_goal and forwards and _keeps_limits(profile, limits) else None


def _centre_s(pulses: Sequence[Pulse]) -> float:
    """When the speed change the pulses make happens on average (weighted by speed), s."""
    change = sum(p.accel_mps2 * (p.end_s - p.start_s) for p in pulses)
    moment = sum(p.accel_mps2 * (p.end_s - p.start_s) * (p.start_s + p.end_s) / 2 for p in pulses)
    return moment / change


def _split_pulses(
    split: PeriodSplit, start_s: float, duration_s: float, rate: float
) -> list[Pulse]:
    """The pulses of a speed change split by ``split``: the whole periods and the rest shaped,
    in the order the split says."""
    rest_s = duration_s - split.whole_s
    if rest_s <= 0.0:
        return [Pulse(start_s, start_s + duration_s, rate)]
    if not split.whole_last:
        rest = Pulse(start_s + split.whole_s, start_s + duration_s, rate)
        return [Pulse(start_s, start_s + split.whole_s, rate), *shape([rest], split.impulses)]
    whole_from = start_s + max(i.delay_s for i in split.impulses) + rest_s
    rest = Pulse(start_s, start_s + rest_s, rate)
    return [*shape([rest], split.impulses), Pulse(whole_from, whole_from + split.whole_s, rate)]


def _split_may_win(length_m: float, limits: AxisLimits, period_s: float) -> bool:
    """Whether the split profile beats the wide one by a scan or more on a constant rope of
    ``period_s`` with an undamped ZV (both then take the shaper's half period on top of their
    trapezoid; the split one's trapezoid runs at twice the limits up to the speed its half
    period allows)."""
    a, d, vmax = limits.accel_mps2, limits.decel_mps2, limits.vmax_mps
    wide = trapezoid(length_m, limits).duration_s
    peak = min(vmax, a * period_s, d * period_s, _triangle_peak(length_m, 2.0 * a, 2.0 * d))
    split = length_m / peak + peak / (4.0 * a) + peak / (4.0 * d)
    return split < wide - _SPLIT_GAIN_S


def _shaped_wide(
    length_m: float, limits: AxisLimits, departure_for: Shapers, arrival_for: Shapers
) -> Profile1D:
    """The time-optimal profile over ``length_m`` with its speed-up and braking shaped.

    A shaper delays the distance covered by its mean delay, so the braking starts the
    difference of the two mean delays later than unshaped. With equal shapers this is the
    convolution of the time-optimal profile; otherwise the peak speed comes down while the
    shaped speed would dip below zero or the profile would miss the goal."""
    accel, _ = trapezoid_pulses(length_m, limits)
    a, d = limits.accel_mps2, limits.decel_mps2
    peak = accel.end_s * a
    while True:
        profile = _shaped_at(length_m, peak, (a, d), departure_for, arrival_for)
        if profile is not None:
            return profile
        peak *= 1.0 - _PEAK_STEP


def _shaped_split(
    length_m: float, limits: AxisLimits, departure_for: Shapers, arrival_for: Shapers
) -> Profile1D | None:
    """The profile whose shaped speed changes do not overlap their delayed copies, each copy at
    most at the limit (see :func:`_shaped`); ``None`` where none is found (a shaper with no
    delay, a move too short to gain)."""
    a, d = limits.accel_mps2, limits.decel_mps2
    rates = (2.0 * a, 2.0 * d)  # the ZV halves; refined on the impulses the changes get
    peak = min(limits.vmax_mps, _triangle_peak(length_m, *rates))
    for _ in range(_SPLIT_TRIES):
        departure = departure_for(0.0, peak / rates[0])
        arrival = arrival_for(_unshaped_brake_s(length_m, peak, rates), peak / rates[1])
        fit = (a / _largest(departure), d / _largest(arrival))
        if fit[0] < rates[0] - _EPS or fit[1] < rates[1] - _EPS:
            # a larger copy: less, with a little room for the next impulses to differ
            rates = (min(rates[0], fit[0] * _RATE_ROOM), min(rates[1], fit[1] * _RATE_ROOM))
            continue
        room = min(rates[0] * _shortest_gap(departure), rates[1] * _shortest_gap(arrival))
        if peak > room + _EPS:
            peak = room  # the changes must end before their copies start
            continue
        profile = _shaped_at(length_m, peak, rates, departure_for, arrival_for)
        if profile is not None and _within(profile, a, d):
            return profile
        peak *= 1.0 - _PEAK_STEP
    return None


def _shaped_at(
    length_m: float,
    peak: float,
    rates: tuple[float, float],
    departure_for: Shapers,
    arrival_for: Shapers,
) -> Profile1D | None:
    """Speed up to ``peak`` at ``rates[0]``, brake at ``rates[1]``, both shaped, ending on
    ``length_m``; ``None`` if the shaped profile would run backwards or miss the goal."""
    a, d = rates
    departure = departure_for(0.0, peak / a)
    unshaped_brake = _unshaped_brake_s(length_m, peak, rates)
    arrival = arrival_for(unshaped_brake, peak / d)
    for _ in range(_ARRIVAL_ITERATIONS):
        t_brake = unshaped_brake + mean_delay_s(departure) - mean_delay_s(arrival)
        arrival = arrival_for(max(0.0, t_brake), peak / d)
    t_brake = unshaped_brake + mean_delay_s(departure) - mean_delay_s(arrival)
    if t_brake < 0.0:
        return None
    speed_up = shape([Pulse(0.0, peak / a, a)], departure)
    braking = shape([Pulse(t_brake, t_brake + peak / d, -d)], arrival)
    profile = Profile1D.from_pulses([*speed_up, *braking])
    on_goal = abs(profile.distance_m - length_m) <= 1e-6 * max(1.0, length_m)
    return profile if on_goal and min(profile.speeds) >= -_EPS else None


def _unshaped_brake_s(length_m: float, peak: float, rates: tuple[float, float]) -> float:
    """When an unshaped trapezoid to ``peak`` at ``rates`` brakes to end on ``length_m``, s."""
    return length_m / peak + peak / (2 * rates[0]) - peak / (2 * rates[1])


def _triangle_peak(length_m: float, a: float, d: float) -> float:
    """The peak speed of the fastest move over ``length_m`` at ``a`` and ``d``, no cruise."""
    return math.sqrt(2.0 * length_m * a * d / (a + d))


def _largest(impulses: Sequence[Impulse]) -> float:
    return max(i.amplitude for i in impulses)


def _shortest_gap(impulses: Sequence[Impulse]) -> float:
    """The shortest delay between consecutive impulses, s (infinite for one impulse)."""
    delays = sorted(i.delay_s for i in impulses)
    return min((b - a for a, b in itertools.pairwise(delays)), default=math.inf)


def _keeps_limits(profile: Profile1D, limits: AxisLimits) -> bool:
    """No stretch of ``profile`` faster, or speeding up or braking harder, than ``limits``."""
    fast_enough = max(profile.speeds) <= limits.vmax_mps * (1.0 + 1e-6)
    return fast_enough and _within(profile, limits.accel_mps2, limits.decel_mps2)


def _within(profile: Profile1D, accel_mps2: float, decel_mps2: float) -> bool:
    """No stretch of ``profile`` speeds up or brakes harder than the limits (rounding aside)."""
    slack = 1.0 + 1e-6
    return max(profile.accels) <= accel_mps2 * slack and min(profile.accels) >= (
        -decel_mps2 * slack
    )
