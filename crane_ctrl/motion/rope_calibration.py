"""Learning the load pendulum from the sway sensor: how far the crane model's rope is off.

The travel shaping plans on the pendulum the crane model gives (suspension height, the centres
of mass of spreader and container: :func:`~crane_ctrl.motion.shaping.pendulum_length_m`). Where
that is a few per cent off (a misjudged centre of mass, a sheave height not measured), a shaped
travel leaves the load swinging, and the landing waits while it damps the swing: with the rope
0.5 m longer than modelled the reference moves take 15 % longer (``crane-ctrl bench moves
--rope-off-m 0.5``). With a sway sensor, every travel shows how the load really swung. The
readings are fitted with the swing the plan expects (:class:`~crane_ctrl.motion.leg.SwayTrace`)
on a rope longer by an offset: least squares, Gauss-Newton on the offset, the reading's delay
the one of :data:`~crane_ctrl.sequencer.leg.READING_DELAYS_S` that fits best. The sequencer then
plans the next leg of the same kind (empty or loaded) on the corrected rope
(:class:`RopeCalibration`). Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.leg import SwayTrace
from crane_ctrl.motion.shaping import SWAY_STEP_S
from crane_ctrl.motion.travel import XY

__all__ = ["MAX_ROPE_OFFSET_M", "RopeCalibration", "RopeFit", "fit_rope_offset"]

MAX_ROPE_OFFSET_M = 1.5
"""The calibration never moves the model's rope by more than this, m: a larger error is a wrong
configuration (or a sensor fault), for commissioning to find, not for a fit to absorb."""
MIN_SWING_M = 0.1
"""A travel whose planned swing stays under this tells too little about the period, m."""
MIN_MISFIT_M = 0.003
"""Readings the plan already explains this well (RMS) need no correction, m."""
GAIN_SHARE = 0.5
"""The fit must leave at most this share of the misfit unexplained to be taken."""
_PROBE_M = 0.05
"""Step of the finite difference for the swing's change with the rope length, m."""
_ROUNDS = 3
"""Gauss-Newton rounds (the swing is smooth in the rope length; two nearly always suffice)."""

Sample = tuple[float, float, float]
"""(travel time s, sway gantry m, sway trolley m): one scan's reading during travel."""


@dataclass(frozen=True, slots=True)
class RopeFit:
    """How much longer the rope is than the plan took it to be, and how well that explains the
    readings."""

    offset_m: float
    misfit_m: float
    """RMS of the readings less the swing expected on the corrected rope, m."""
    plain_misfit_m: float
    """The same on the rope the plan used, m."""
    delay_s: float
    """The reading delay that fitted best, s."""

    @property
    def convincing(self) -> bool:
        """Worth taking: the plan did not explain the readings, and the offset does, within the
        bounds."""
        return (
            self.plain_misfit_m > MIN_MISFIT_M
            and self.misfit_m <= GAIN_SHARE * self.plain_misfit_m
            and abs(self.offset_m) <= MAX_ROPE_OFFSET_M
        )


def fit_rope_offset(
    trace: SwayTrace,
    samples: Sequence[Sample],
    params: CraneParams,
    delays_s: Sequence[float] = (0.0,),
) -> RopeFit | None:
    """The rope offset that best explains ``samples`` (the sway read during the travel
    ``trace`` describes); ``None`` where the travel swings too little to tell, or there are
    too few readings."""
    planned = trace.swing(params)
    if len(samples) < 2 * len(delays_s) or _peak(planned) < MIN_SWING_M:
        return None
    offset = 0.0
    swing = planned
    for _ in range(_ROUNDS):
        delay = min(delays_s, key=lambda d: _misfit(samples, swing, d))
        probe = trace.swing(params, offset + _PROBE_M)
        left = _residuals(samples, swing, delay)
        change = [d / _PROBE_M for d in _residuals(samples, swing, delay, probe)]
        den = sum(j * j for j in change)
        if den <= 0.0:
            return None
        step = sum(j * r for j, r in zip(change, left, strict=True)) / den
        step = max(-MAX_ROPE_OFFSET_M, min(MAX_ROPE_OFFSET_M, step))
        offset = max(-2 * MAX_ROPE_OFFSET_M, min(2 * MAX_ROPE_OFFSET_M, offset + step))
        swing = trace.swing(params, offset)
        if abs(step) < 1e-3:
            break
    delay = min(delays_s, key=lambda d: _misfit(samples, swing, d))
    plain = min(_misfit(samples, planned, d) for d in delays_s)
    return RopeFit(offset, _misfit(samples, swing, delay), plain, delay)


@dataclass
class RopeCalibration:
    """The corrections learnt so far, empty spreader and loaded apart (a container's centre of
    mass is a guess the empty spreader does not share), m. A loaded leg with nothing learnt
    loaded yet takes the empty spreader's (the part that is the crane's own geometry)."""

    offsets_m: dict[bool, float] = field(default_factory=dict)
    _made: dict[tuple[bool, float], tuple[CraneParams, CraneParams]] = field(
        default_factory=dict, repr=False
    )
    """(loaded, offset) -> (the params given, the params made from them): :meth:`params` is
    asked every scan, and a copy of the parameters is made only when the offset changes."""

    def offset_m(self, loaded: bool) -> float:
        if loaded in self.offsets_m:
            return self.offsets_m[loaded]
        return self.offsets_m.get(False, 0.0) if loaded else 0.0

    def learn(self, loaded: bool, fit: RopeFit) -> float | None:
        """Take ``fit`` (made on a leg planned with :meth:`offset_m`) if it is convincing; the
        new offset, or ``None`` if it was not taken."""
        if not fit.convincing:
            return None
        total = self.offset_m(loaded) + fit.offset_m
        total = max(-MAX_ROPE_OFFSET_M, min(MAX_ROPE_OFFSET_M, total))
        self.offsets_m[loaded] = total
        return total

    def params(self, params: CraneParams, loaded: bool) -> CraneParams:
        """``params`` with the rope as learnt: the sheaves as much higher as the rope is
        longer (the suspension height only sets the pendulum's length)."""
        offset = self.offset_m(loaded)
        if offset == 0.0:
            return params
        given, made = self._made.get((loaded, offset), (None, params))
        if given is not params:
            height = params.suspension_height_m + offset
            made = params.model_copy(update={"suspension_height_m": height})
            self._made[(loaded, offset)] = (params, made)
        return made


def _at(table: Sequence[XY], t: float) -> XY:
    """``table`` (every :data:`SWAY_STEP_S` from 0) at ``t``, linearly; (0, 0) before it starts
    and its last value after it ends."""
    if t <= 0.0:
        return 0.0, 0.0
    x = t / SWAY_STEP_S
    i = int(x)
    if i >= len(table) - 1:
        return table[-1]
    f = x - i
    (x0, y0), (x1, y1) = table[i], table[i + 1]
    return x0 + f * (x1 - x0), y0 + f * (y1 - y0)


def _residuals(
    samples: Sequence[Sample],
    swing: Sequence[XY],
    delay: float,
    model: Sequence[XY] | None = None,
) -> list[float]:
    """Readings less ``swing`` (both directions, one after the other), each direction less its
    mean (a steady lean is not the pendulum's); with ``model``: ``model`` less ``swing``
    instead, the same way (how the expected readings change)."""
    pairs = []
    for t, sx, sy in samples:
        ex, ey = _at(swing, t - delay)
        mx, my = (sx, sy) if model is None else _at(model, t - delay)
        pairs.append((mx - ex, my - ey))
    out: list[float] = []
    for column in zip(*pairs, strict=True):
        mean = sum(column) / len(column)
        out.extend(v - mean for v in column)
    return out


def _misfit(samples: Sequence[Sample], swing: Sequence[XY], delay: float) -> float:
    """RMS of the readings less ``swing`` (less the steady lean), m."""
    left = _residuals(samples, swing, delay)
    return math.sqrt(sum(r * r for r in left) / len(samples))


def _peak(swing: Sequence[XY]) -> float:
    return max((math.hypot(x, y) for x, y in swing), default=0.0)
