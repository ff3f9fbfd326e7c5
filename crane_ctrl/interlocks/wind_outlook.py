"""Where the wind is going: its trend, and whether its reading has caught up after bad. Pure.

WIND_NO_LIFT keeps a load on its support at the wind stop limit. That comes too late for a lift
from low beside a neighbour: once off its support the load must rise until its swing clears the
boxes beside it, and a wind that reaches the stop limit before then leans it into them faster
than the hoist can lift it clear (bench case 1002675: lifted off a truck at 14.9 m/s beside the
next truck's box, the wind stop 1.7 s later, the raise could not outrun the lean). So the lift
waits while the wind, extrapolated over the time the rise needs, reaches the stop limit
(:meth:`WindOutlook.rising_to`), and while the reading is just back from bad
(:attr:`WindOutlook.catching_up_s`).

The trend is the slope of a least-squares line through the good readings of the last
:data:`TREND_WINDOW_S`, never the change from one scan to the next: a gusty but steady wind
(12 m/s +/- 2 with a 4-s period) changes by up to 3 m/s a second within each gust, and a bare
rate would stop every lift in it. Over a window longer than a gust's rise and fall the gusts
average out of the slope; a wind whose mean rises does not. The level is the last good reading,
so a gust's peak counts, but its upswing does not count twice.

Over a shorter series (the supervisor's first seconds, or since a bad reading) the slope is that
of what there is: a gust's upswing may then look like a rise for a few seconds, and a lift waits
for it to turn. Cheaper than the other way round: case 1002675's wind was seen only once its
reading came back, already rising 2 m/s a second.

``env.wind`` is a 3-s gust (the anemometer's average). After a BAD reading (a sensor or PLC
fault: NaN, out of range) that average is built partly from the fault, and it catches up with the
wind only after its own window (``CraneParams.wind_gust_window_s``): until then it reads low in a
rising wind, and no lift may take it at its word, nor does the trend count those readings; then
a lift waits for :data:`MIN_SPAN_S` of good readings more, to see which way the wind goes. The
readings before the fault are a series of their own: the trend starts afresh. A reading that is
only stale (the link, not the sensor) kept its average: nothing to catch up.

:class:`WindTrend` keeps the readings (the supervisor feeds it every snapshot, time from the
snapshot); :class:`WindOutlook` is what it says at one scan, for the interlocks
(:class:`~crane_ctrl.interlocks.catalogue.Context`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from crane_ctrl.snapshot import Quality, Snapshot

__all__ = ["TREND_WINDOW_S", "WindOutlook", "WindTrend"]

TREND_WINDOW_S = 10.0
"""The wind's trend is the slope of its good readings over this long, s: longer than a gust's
rise and fall (the bench's gusts last 4-12 s), so that a steady gusting wind shows almost none
(12 m/s +/- 2 over 4-12 s periods: at most 0.6 m/s a second, and then not at its peak), while a
wind whose mean rises shows it within a few seconds."""
MIN_SPAN_S = 1.0
"""Readings spanning less than this show no trend yet, s: back from bad, a lift waits for this
much of them after the gust window."""


@dataclass(frozen=True, slots=True)
class WindOutlook:
    """What the wind readings say at one scan about the wind to come."""

    level_mps: float | None
    """The last good reading (``None``: not good now), m/s."""
    rate_mps2: float = 0.0
    """Its trend: the slope of the good readings of the last :data:`TREND_WINDOW_S`, m/s per
    s."""
    catching_up_s: float = 0.0
    """How much longer the reading, back from BAD, is not to be taken at its word: its average
    still holds the bad spell, then its trend is not seen yet, s; 0 when it may be."""
    back_for_s: float = 0.0
    """How long ago it came back from BAD, s (meaningful while :attr:`catching_up_s` > 0)."""

    def at(self, horizon_s: float) -> float | None:
        """The wind ``horizon_s`` from now if it goes on as it trends (a falling trend counts
        as none: the level stays), m/s; ``None`` without a good reading."""
        if self.level_mps is None:
            return None
        return self.level_mps + max(0.0, self.rate_mps2) * max(0.0, horizon_s)

    def rising_to(self, limit_mps: float, horizon_s: float) -> str:
        """Why the wind, going on as it trends, reaches ``limit_mps`` within ``horizon_s`` while
        it reads below it ("" when it does not, or reads at or above it already: that is the
        limit's own rule), in words with values."""
        level, ahead = self.level_mps, self.at(horizon_s)
        if level is None or ahead is None or level >= limit_mps or ahead < limit_mps:
            return ""
        reach_s = (limit_mps - level) / self.rate_mps2
        return (
            f"wind {level:.1f} m/s rising {self.rate_mps2:.1f} m/s a second: at {limit_mps:.1f} "
            f"m/s in {reach_s:.1f} s, within the {horizon_s:.1f} s a lift from here needs to "
            "clear its neighbours"
        )


class WindTrend:
    """The last :data:`TREND_WINDOW_S` of good wind readings (module docstring)."""

    def __init__(self, gust_window_s: float, window_s: float = TREND_WINDOW_S) -> None:
        """``gust_window_s``: the anemometer's averaging window (``env.wind`` is its 3-s gust)."""
        if not (math.isfinite(gust_window_s) and gust_window_s >= 0.0):
            raise ValueError(f"`gust_window_s` must be finite and >= 0, not {gust_window_s!r}")
        if not (math.isfinite(window_s) and window_s > 0.0):
            raise ValueError(f"`window_s` must be positive and finite, not {window_s!r}")
        self.gust_window_s = gust_window_s
        self.window_s = window_s
        self._readings: deque[tuple[float, float]] = deque()
        self._back_at: float | None = None
        """When the reading came back good after its last BAD spell (``None``: never BAD, or
        its trend seen again since, or still BAD)."""
        self._bad = False

    def observe(self, snapshot: Snapshot) -> WindOutlook:
        """Take this scan's ``env.wind`` (at the snapshot's time); the outlook now."""
        now = snapshot.time_s
        readings = self._readings
        while readings and readings[0][0] < now - self.window_s:
            readings.popleft()
        if snapshot.reading("env.wind").quality is Quality.BAD:
            self._bad, self._back_at = True, None
            readings.clear()  # its average holds the fault: a new series after it
            return WindOutlook(None)
        value = snapshot.number("env.wind")
        if value is None:  # stale or missing: the link, not the sensor
            return WindOutlook(None)
        if self._bad:
            self._bad, self._back_at = False, now
        back_for = 0.0 if self._back_at is None else now - self._back_at
        if self._back_at is None or back_for >= self.gust_window_s:
            readings.append((now, value))  # (one still catching up is no measure of the wind)
        rate = _slope(readings)
        if self._back_at is None:
            return WindOutlook(value, rate)
        shown_s = readings[-1][0] - readings[0][0] if readings else 0.0
        if back_for >= self.gust_window_s and shown_s >= MIN_SPAN_S:
            self._back_at = None  # caught up, and its trend seen
            return WindOutlook(value, rate)
        left = max(self.gust_window_s - back_for, 0.0) + MIN_SPAN_S - shown_s
        return WindOutlook(value, rate, left, back_for)


def _slope(readings: deque[tuple[float, float]]) -> float:
    """The least-squares slope of the ``(time, value)`` readings, m/s per s (0 over less than
    :data:`MIN_SPAN_S`)."""
    n = len(readings)
    if n < 2 or readings[-1][0] - readings[0][0] < MIN_SPAN_S:
        return 0.0
    t0 = readings[0][0]
    st = sv = stt = stv = 0.0
    for t, v in readings:
        t -= t0
        st += t
        sv += v
        stt += t * t
        stv += t * v
    spread = stt - st * st / n
    return 0.0 if spread <= 0.0 else (stv - st * sv / n) / spread
