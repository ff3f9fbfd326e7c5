"""One leg of an automatic move: hoist, travel and land, overlapped and shaped on the rope.

A :class:`LegPlan` takes the load from hanging free at rest above its start to touchdown at its
goal: it rises to the travel height the path needs (:class:`~crane_ctrl.motion.clearance.
PathClearance`), starts travel while the hoist still rises as soon as the load stays above every
obstacle within its stopping distance, starts lowering before travel ends as soon as the load
has left everything it must clear, and lands straight down. Because the hoist moves while the
travel speeds up and slows down, the rope length changes under the shaper: the travel is shaped
on the rope length the predicted hoist motion gives (ZV on a varying rope,
:func:`~crane_ctrl.motion.shaping.varying_zv`), which in turn moves the timing a little, so the
two are iterated.

The load keeps clear of what it passes beside as well as what it passes over: obstacles grow by
the load's half size and by ``margin_m``, how far it may stray from its planned place (the
drives' lag, the swing already there, the wind: the sequencer says,
:mod:`crane_ctrl.sequencer.leg_margin`), and the spans follow the load's own swing along the
path, ahead of the crane while travel slows down and behind it while it speeds up
(:meth:`~crane_ctrl.motion.clearance.PathClearance.swung`, on the plan's :class:`SwayTrace`).
Pure: no I/O, no clock.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.clearance import (
    ClearanceSpan,
    Footprint,
    HoistMove,
    PathClearance,
    lowering_start_s,
    path_clear_height_m,
    travel_start_s,
)
from crane_ctrl.motion.profiles import HOIST_TOLERANCE_M, MotionLimits, hoist_reference
from crane_ctrl.motion.shaping import (
    SWAY_STEP_S,
    Shaper,
    oscillator_transition,
    pendulum_length_m,
)
from crane_ctrl.motion.travel import XY, TravelPlan
from crane_ctrl.site import CONTAINER_HEIGHT_M

__all__ = [
    "APPROACH_MARGIN_M",
    "LANDING_OVERTRAVEL_M",
    "XYZ",
    "LegPlan",
    "LegSpans",
    "SwayTrace",
    "leg_clearance",
]

LANDING_OVERTRAVEL_M = 0.2
"""A leg's landing creeps towards this far below the expected touchdown, m: the touchdown height
is a model (stack heights, rope stretch), so the hoist keeps creeping until the sequencer sees
the landing pins or slack rope and stops it, instead of stopping just short."""
_LEG_ITERATIONS = 6
"""Most rounds of: shaping the travel on the rope a lowering start gives, then timing the
overlap on that travel (see :func:`_consistent`). Most legs agree after the first round."""
_CUT_EPS_M = 1e-6
"""A span is cut where the load's own places end only this far inside it (rounding: an
obstacle's edge on that very line leaves no sliver at the full height)."""
_LEVEL_EPS_M = 1e-6
"""Heights closer than this are the same level (rounding, not a physical tolerance)."""
_AGREE_S = 0.02
"""A lowering start the shaping assumed and the one its travel allows agree within this, s."""
_SWING_ROUNDS = 4
"""Most rounds of: following the spans with the load's swing, timing the overlap on them, and
integrating the swing on the rope that timing gives (see :func:`_swung_overlap`). The swing
hardly moves with the timing: most legs agree after the first round."""
APPROACH_MARGIN_M = 0.02
"""The planned landing keeps this much over the approach clearance where it overlaps travel,
m: the descent it is timed on is the hoist's predicted landing (slow-down, creep), not the
fastest possible one, so a hoist a little ahead of its prediction still clears."""

XYZ = tuple[float, float, float]
"""(x, y, z): gantry, trolley and twistlock-plane height, m."""


@dataclass(frozen=True, slots=True)
class LegPlan:
    """One leg: hoist from ``start_xyz`` up to the travel height, travel, land at ``goal_xyz``
    (z: the twistlock plane at touchdown), hoist and travel overlapped. After a hold or any
    other departure from the plan, plan the rest again from where the crane is.

    ``obstacles`` must include what the load stands on at the start (the box below, the vehicle
    deck): travel then starts only once the load is above it, by ``approach_clearance_m`` while
    the load's footprint still overlaps the place it left and ``safe_clearance_m`` beyond.
    Likewise the landing: over its own place the load may come down to ``approach_clearance_m``
    over the touchdown height while travel finishes (the rest of the creep is straight down);
    everything higher than the place it lands on keeps ``safe_clearance_m``
    (:func:`leg_clearance`).

    Times: :attr:`travel_start_s` and :attr:`touchdown_s` are leg times (from the leg's start,
    the load hanging free at rest); :attr:`lowering_after_s` is a plan time (from travel's
    start), so that a travel start delayed by a scan or two delays the lowering with it.
    """

    start_xyz: XYZ
    goal_xyz: XYZ
    limits: MotionLimits
    clearance: PathClearance
    clear_height_m: float
    """The height the whole path needs (its highest span), m."""
    travel_height_m: float
    """Where the hoist rises to and travels at: the clearance height plus the hoist's
    positioning tolerance (it stops within that of its target), or the start if higher, m."""
    travel: TravelPlan
    rise: HoistMove
    landing: HoistMove
    """The predicted descent from the travel height to touchdown (slow-down, creep)."""
    travel_start_s: float
    lowering_after_s: float
    creep_distance_m: float
    creep_mps: float
    expected_sway: tuple[XY, ...] = ()
    """The load's offset from plumb (gantry, trolley) the travel itself swings it by, every
    :data:`SWAY_STEP_S` of travel time from its start (hanging still then), m: what the shaping
    cancels by the end. A sway sensor's reading less this is swing the travel will not take
    away (:meth:`expected_sway_m`)."""
    sway_trace: SwayTrace | None = None
    """What :attr:`expected_sway` was integrated from: the same swing on another rope length
    (:mod:`crane_ctrl.motion.rope_calibration`)."""

    @classmethod
    def plan(
        cls,
        start_xyz: XYZ,
        goal_xyz: XYZ,
        obstacles: Sequence[Footprint],
        params: CraneParams,
        *,
        loaded: bool,
        container_height_m: float = CONTAINER_HEIGHT_M,
        container_mass_t: float | None = None,
        half_size_m: XY = (0.0, 0.0),
        margin_m: float = 0.0,
        shaper: Shaper | None = None,
    ) -> LegPlan:
        """Plan the leg over ``obstacles`` (see :class:`PathClearance` for ``half_size_m`` and
        ``margin_m``: how far the load may stray from where the plan puts it, any direction,
        besides the travel's own swing, which the plan follows itself).

        ``shaper``: ZV, ZVD or none, instead of what ``params.anti_sway`` says. ``ValueError``
        if the clearance needed is above the hoist's upper limit."""
        p = params
        all_shapes = shaper is None and p.anti_sway == "fastest"
        if shaper is None:
            shaper = "zvd" if p.anti_sway == "zvd" else "zv"
        limits = MotionLimits.from_params(p, loaded=loaded)
        xy0, xy1 = start_xyz[:2], goal_xyz[:2]
        carrying = container_height_m if loaded else 0.0
        spans = leg_clearance(
            (xy0, xy1), (start_xyz[2], goal_xyz[2]), obstacles, p, carrying, half_size_m,
            margin_m=margin_m,
        )  # fmt: skip
        needed = spans.all.height_m()
        top = max(start_xyz[2], needed + HOIST_TOLERANCE_M)
        if top > p.hoist_highest_m:
            raise ValueError(
                f"leg {start_xyz} -> {goal_xyz} needs the twistlocks at {needed:.2f} m to clear "
                f"the path, too close to or above the lift height {p.hoist_highest_m} m"
            )
        rise = HoistMove.rise(start_xyz[2], top, limits.hoist)
        landing = HoistMove.landing(
            top, goal_xyz[2], limits.hoist, creep_from_m=p.creep_distance_m,
            creep_mps=p.creep_speed_mps,
        )  # fmt: skip
        fastest = HoistMove.descent(top, goal_xyz[2], limits.hoist)

        def rope(z: float) -> float:
            return pendulum_length_m(
                z, p, loaded=loaded, container_height_m=container_height_m,
                container_mass_t=container_mass_t,
            )  # fmt: skip

        descents = (fastest, landing)

        def touchdown(travel: TravelPlan) -> float:
            start, lower = _overlap(travel, spans, rise, descents)
            return start + lower

        def plan_travel(rope_at: Callable[[float], float], arrival_s: float) -> TravelPlan:
            return TravelPlan.plan(
                xy0, xy1, limits.gantry, limits.trolley, _period(rope_at(0.0), p),
                shaper=shaper, arrival_period_s=_period(rope_at(arrival_s), p),
                damping_ratio=p.sway_damping_ratio, rope_length_m=rope_at,
                gravity_mps2=p.gravity_mps2, cost=touchdown, fastest=all_shapes,
            )  # fmt: skip

        def shaped(start: float, lower: float, arrival: float) -> _Shaped:
            travel = plan_travel(_RopeOverTravel(rope, rise, landing, start, lower), arrival)
            return _Shaped(travel, *_overlap(travel, spans, rise, descents), lower)

        first = plan_travel(lambda t: rope(top), 0.0)
        best = _consistent(shaped, *_overlap(first, spans, rise, descents), first.duration_s)
        travel, start, lower = best.travel, best.start_s, max(best.lower_s, best.assumed_s)

        def trace_of(start: float, lower: float) -> SwayTrace:
            return SwayTrace.of(travel, _RopeOverTravel(rope, rise, landing, start, lower))

        swung, start, lower, trace, swing = _swung_overlap(
            travel, spans, rise, descents, (start, lower), trace_of, p
        )
        return cls(
            start_xyz, goal_xyz, limits, swung.all, needed, top, travel, rise, landing, start,
            lower, p.creep_distance_m, p.creep_speed_mps, swing, trace,
        )  # fmt: skip

    @property
    def lowering_start_s(self) -> float:
        """Leg time at which lowering starts if travel starts on time, s."""
        return self.travel_start_s + self.lowering_after_s

    @property
    def touchdown_s(self) -> float:
        """Predicted leg time of touchdown, s."""
        return self.lowering_start_s + self.landing.duration_s

    def expected_sway_m(self, travel_t: float | None) -> XY:
        """The offset from plumb the travel swings the load by ``travel_t`` after it started,
        m: (0, 0) before travel and once its plan has ended (the shaping has cancelled it)."""
        table = self.expected_sway
        if travel_t is None or travel_t <= 0.0 or travel_t >= self.travel.duration_s:
            return 0.0, 0.0
        x = travel_t / SWAY_STEP_S
        i = min(int(x), len(table) - 2)
        if i < 0:
            return 0.0, 0.0
        f = x - i
        (x0, y0), (x1, y1) = table[i], table[i + 1]
        return x0 + f * (x1 - x0), y0 + f * (y1 - y0)

    def height_m(self, t: float) -> float:
        """Predicted twistlock-plane height at leg time ``t``, m."""
        if t < self.lowering_start_s:
            return self.rise.height_m(t)
        return self.landing.height_m(t - self.lowering_start_s)

    def may_start_travel(self, t: float, hoist_position_m: float, hoist_speed_mps: float) -> bool:
        """Whether travel may start at leg time ``t``: its planned start has come and, rising
        on from its measured height and speed, the hoist clears every span in time."""
        rise = HoistMove.rise(
            hoist_position_m, self.travel_height_m, self.limits.hoist, speed_mps=hoist_speed_mps
        )
        return travel_start_s(self.travel, self.clearance, rise) <= 0.0

    def path_clear_height_m(self, travel_t: float | None) -> float:
        """The travel interlock's path-clear height ``travel_t`` after travel started, m: see
        :func:`path_clear_height_m`. Before travel, what the start needs; once the plan has
        ended, the touchdown height (fine positioning trims millimetres over the landing
        place, also while the landing creeps)."""
        if travel_t is None:
            return self.clearance.height_m(0.0, 0.0)
        if travel_t >= self.travel.duration_s:
            return self.goal_xyz[2]
        return path_clear_height_m(self.travel, self.clearance, travel_t)

    def travel_reference(self, travel_t: float | None, *, lead_s: float = 0.0) -> XY:
        """(gantry, trolley) speed references ``travel_t`` after travel started (zero before),
        taken ``lead_s`` ahead (one scan: see :meth:`TravelPlan.reference`)."""
        if travel_t is None:
            return 0.0, 0.0
        return self.travel.reference(travel_t + lead_s)

    def lowering(self, travel_t: float | None) -> bool:
        """Whether the hoist should be lowering ``travel_t`` after travel started."""
        return travel_t is not None and travel_t >= self.lowering_after_s

    def hoist_reference(self, hoist_position_m: float, travel_t: float | None) -> float:
        """Hoist speed reference: to the travel height until lowering starts, then down
        with slow-down and creep towards touchdown (and :data:`LANDING_OVERTRAVEL_M` on)."""
        if not self.lowering(travel_t):
            return hoist_reference(
                hoist_position_m,
                self.travel_height_m,
                self.limits.hoist,
                creep_from_m=None,
                creep_mps=self.creep_mps,
            )
        return hoist_reference(
            hoist_position_m,
            self.goal_xyz[2] - LANDING_OVERTRAVEL_M,
            self.limits.hoist,
            creep_from_m=self.creep_distance_m + LANDING_OVERTRAVEL_M,
            creep_mps=self.creep_mps,
        )


def _period(length_m: float, params: CraneParams) -> float:
    return 2.0 * math.pi * math.sqrt(length_m / params.gravity_mps2)


class LegSpans(NamedTuple):
    """A leg's clearance: ``all`` spans (what the travel interlock is given); ``normal``, the
    ones a lowering start is timed on with the fastest descent; ``landing``, those over the
    landing place, timed on the predicted landing (with :data:`APPROACH_MARGIN_M`)."""

    all: PathClearance
    normal: PathClearance
    landing: PathClearance

    def swung(self, travel: TravelPlan, swing: Sequence[XY]) -> LegSpans:
        """The spans as the crane's positions while the load swings by ``swing`` (its offset
        from plumb every :data:`SWAY_STEP_S` of ``travel``, from its start): see
        :meth:`PathClearance.swung`."""
        ux, uy = travel.direction
        crane = [travel.path.position(k * SWAY_STEP_S) for k in range(len(swing))]
        load = [c + sx * ux + sy * uy for c, (sx, sy) in zip(crane, swing, strict=True)]
        return LegSpans(*(c.swung(crane, load) for c in self))


def leg_clearance(
    path_xy: tuple[XY, XY],
    levels: tuple[float, float],
    obstacles: Sequence[Footprint],
    params: CraneParams,
    carrying_m: float,
    half_size_m: XY,
    *,
    landing: bool = True,
    margin_m: float = 0.0,
) -> LegSpans:
    """The path's spans, the touchdown height plus the clearance at its end, and the load's own
    places let down to ``approach_clearance_m``; obstacles grown by the load's half size and
    ``margin_m`` (:meth:`PathClearance.along`).

    ``levels``: the twistlock plane standing at the start and at the goal. Along the first
    stretch of the path the load's footprint still overlaps the place it left, along the last
    stretch it overlaps the place it lands on (:func:`_own_place_m`). There a span no higher
    than that place's own (what it stands on, the ground, a neighbour no higher) needs only
    ``approach_clearance_m`` over the place's level: lift-off need not wait for the full
    clearance before travel, and the landing's creep overlaps the end of travel. Everything
    higher keeps ``safe_clearance_m``, and so does every span elsewhere on the path. Without
    ``landing`` (a leg that ends hanging, not landed) there is no span for the touchdown.
    """
    p = params
    base = PathClearance.along(
        path_xy, obstacles, carrying_height_m=carrying_m, clearance_m=p.safe_clearance_m,
        half_size_m=half_size_m, margin_m=margin_m,
    )  # fmt: skip
    end = base.length_m
    own = _own_place_m(path_xy, half_size_m)
    goal_span = ClearanceSpan(end, end, levels[1] + p.safe_clearance_m)
    normal: list[ClearanceSpan] = []
    over_goal: list[ClearanceSpan] = []
    for span in (*base.spans, goal_span) if landing else base.spans:
        inside = (c for c in (own, end - own)
                  if span.from_m + _CUT_EPS_M < c < span.to_m - _CUT_EPS_M)  # fmt: skip
        cuts = sorted({span.from_m, span.to_m, *inside})
        for a, b in itertools.pairwise(cuts) if len(cuts) > 1 else [(cuts[0], cuts[0])]:
            piece, over_landing = _own_place_piece(span, (a, b), own, end, levels, p)
            (over_goal if over_landing else normal).append(piece)
    return LegSpans(
        PathClearance(end, (*normal, *over_goal)),
        PathClearance(end, tuple(normal)),
        PathClearance(end, tuple(over_goal)),
    )


def _own_place_piece(
    span: ClearanceSpan,
    piece: tuple[float, float],
    own: float,
    end: float,
    levels: tuple[float, float],
    p: CraneParams,
) -> tuple[ClearanceSpan, bool]:
    """The part ``piece`` of ``span`` with its height let down where the load is over its own
    place (see :func:`leg_clearance`), and whether the landing place let it down."""
    mid = 0.5 * (piece[0] + piece[1])
    height, over_landing = span.height_m, False
    if mid < own and span.height_m <= levels[0] + p.safe_clearance_m + _LEVEL_EPS_M:
        height = min(height, levels[0] + p.approach_clearance_m)
    if mid > end - own and span.height_m <= levels[1] + p.safe_clearance_m + _LEVEL_EPS_M:
        lower = levels[1] + p.approach_clearance_m
        over_landing = lower <= height
        height = min(height, lower)
    return ClearanceSpan(piece[0], piece[1], height), over_landing


def _own_place_m(path_xy: tuple[XY, XY], half_size_m: XY) -> float:
    """How far along the path the load's footprint (``2 x half_size_m``) still overlaps where it
    started; by symmetry, how far before the goal it overlaps where it ends, m."""
    (x0, y0), (x1, y1) = path_xy
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 1e-9:
        return math.inf
    reach = [
        2.0 * half / (abs(d) / length)
        for half, d in ((half_size_m[0], x1 - x0), (half_size_m[1], y1 - y0))
        if abs(d) > 1e-9
    ]
    return min(reach)


@dataclass(frozen=True, slots=True)
class SwayTrace:
    """What the load's swing over a travel depends on, every :data:`SWAY_STEP_S` of travel
    time: the travel's acceleration over each step, and the rope length at each step's ends
    (the hoist's predicted motion). :meth:`swing` integrates the plant's pendulum on it, on the
    rope as planned or longer by an offset."""

    direction: XY
    accels: tuple[float, ...]
    lengths: tuple[float, ...]

    @classmethod
    def of(cls, travel: TravelPlan, rope_m: Callable[[float], float]) -> SwayTrace:
        dt = SWAY_STEP_S
        steps = math.ceil(travel.duration_s / dt) + 1
        speeds = [travel.path.velocity(k * dt) for k in range(steps + 1)]
        accels = tuple((b - a) / dt for a, b in itertools.pairwise(speeds))
        return cls(travel.direction, accels, tuple(rope_m(k * dt) for k in range(steps + 1)))

    def swing(self, params: CraneParams, offset_m: float = 0.0) -> tuple[XY, ...]:
        """The offset from plumb (gantry, trolley) every :data:`SWAY_STEP_S` from the start
        (the load hanging still then), on the rope longer by ``offset_m``: the plant's pendulum
        (:func:`~crane_ctrl.motion.shaping.oscillator_transition`), m."""
        g, dt, zeta = params.gravity_mps2, SWAY_STEP_S, params.sway_damping_ratio
        ux, uy = self.direction
        gx = rx = gy = ry = 0.0  # gantry angle and rate, trolley angle and rate
        out: list[XY] = [(0.0, 0.0)]
        for k, accel in enumerate(self.accels):
            l0, l1 = self.lengths[k] + offset_m, self.lengths[k + 1] + offset_m
            length = 0.5 * (l0 + l1)
            omega2 = g / length
            sigma = zeta * math.sqrt(omega2) + (l1 - l0) / dt / length
            p11, p12, p21, p22 = oscillator_transition(omega2, sigma, dt)
            rest_x, rest_y = -accel * ux / g, -accel * uy / g  # where the acceleration holds it
            gx, rx = rest_x + p11 * (gx - rest_x) + p12 * rx, p21 * (gx - rest_x) + p22 * rx
            gy, ry = rest_y + p11 * (gy - rest_y) + p12 * ry, p21 * (gy - rest_y) + p22 * ry
            out.append((l1 * gx, l1 * gy))
        return tuple(out)


def _overlap(
    travel: TravelPlan,
    spans: LegSpans,
    rise: HoistMove,
    descents: tuple[HoistMove, HoistMove],
) -> tuple[float, float]:
    """Travel start (leg time) and lowering start (plan time): never before the rise ends.
    ``descents``: the fastest possible descent (timing the path's spans) and the predicted
    landing (timing the spans over the landing place, :data:`APPROACH_MARGIN_M` higher)."""
    fastest, landing = descents
    start = travel_start_s(travel, spans.all, rise)
    over_landing = PathClearance(
        spans.landing.length_m,
        tuple(s._replace(height_m=s.height_m + APPROACH_MARGIN_M) for s in spans.landing.spans),
    )
    lower = max(
        lowering_start_s(travel, spans.normal, fastest),
        lowering_start_s(travel, over_landing, landing),
        rise.duration_s - start,
    )
    return start, lower


def _swung_overlap(
    travel: TravelPlan,
    spans: LegSpans,
    rise: HoistMove,
    descents: tuple[HoistMove, HoistMove],
    timing: tuple[float, float],
    trace_of: Callable[[float, float], SwayTrace],
    params: CraneParams,
) -> tuple[LegSpans, float, float, SwayTrace, tuple[XY, ...]]:
    """The spans as the crane's positions for the load's own swing along the path, and the
    travel start and lowering start they allow (never earlier than ``timing``): the load
    ahead of the crane reaches a span sooner, behind it leaves one later.

    The swing depends on the rope, so on the timing, which the swung spans may move later: the
    timing and the swing are iterated until the swing's spans allow the timing (a later start
    or lowering than the shaping assumed leaves the load higher, so no less clear). At most
    :data:`_SWING_ROUNDS` rounds: the reference legs agree after one or two, and a last move of
    the timing by milliseconds moves the swing by far less than the margin. Returns the swung
    spans, the travel start (leg time), the lowering start (plan time), the trace and its
    swing."""
    start, lower = timing
    for _ in range(_SWING_ROUNDS):
        trace = trace_of(start, lower)
        swing = trace.swing(params)
        swung = spans.swung(travel, swing)
        allowed = _overlap(travel, swung, rise, descents)
        if allowed[0] <= start + 1e-9 and allowed[1] <= lower + 1e-9:
            break
        start, lower = max(start, allowed[0]), max(lower, allowed[1])
    return swung, start, lower, trace, swing


class _Shaped(NamedTuple):
    """A travel shaped on the rope a lowering start (``assumed_s``) gives, with the travel
    start and the earliest lowering start it allows."""

    travel: TravelPlan
    start_s: float
    lower_s: float
    assumed_s: float


def _consistent(
    shaped: Callable[[float, float, float], _Shaped], start: float, lower: float, arrival: float
) -> _Shaped:
    """The travel whose shaping assumed a lowering start at or after the earliest it allows.

    Lowering later than allowed is safe (the load stays higher), but the shaping must know
    when the rope starts to lengthen: the shaped travel's length moves its earliest lowering
    start, which moves the rope under the shaping. Bisect the assumed start between one that
    is too early and one that is late enough; take the earliest late-enough one found (or,
    failing that, the last travel with its own earliest lowering)."""
    too_early: float | None = None
    late_enough: _Shaped | None = None
    last = shaped(start, lower, arrival)
    for _ in range(_LEG_ITERATIONS - 1):
        if last.lower_s <= last.assumed_s + 1e-9:
            if late_enough is None or last.assumed_s < late_enough.assumed_s:
                late_enough = last
            if last.assumed_s - last.lower_s <= _AGREE_S:
                break
        else:
            too_early = last.assumed_s
        if too_early is None or late_enough is None:
            guess = last.lower_s
        else:
            guess = 0.5 * (too_early + late_enough.assumed_s)
        last = shaped(last.start_s, guess, last.travel.duration_s)
    if last.lower_s <= last.assumed_s + 1e-9 and (
        late_enough is None or last.assumed_s < late_enough.assumed_s
    ):
        late_enough = last
    return late_enough or last


@dataclass(frozen=True, slots=True)
class _RopeOverTravel:
    """Rope length over plan time as the hoist is predicted to move: rising until travel has
    run ``lower_s``, then landing."""

    rope: Callable[[float], float]
    rise: HoistMove
    landing: HoistMove
    start_s: float
    lower_s: float

    def __call__(self, t: float) -> float:
        if t < self.lower_s:
            return self.rope(self.rise.height_m(t + self.start_s))
        return self.rope(self.landing.height_m(t - self.lower_s))
