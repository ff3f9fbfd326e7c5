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

The trend sees a front late when it comes out of a steady wind: 1.5 s into a rise of 2.5 m/s a
second from calm, a 10-s window is mostly calm and its slope 0.7 m/s a second (bench case
1012446: the box lifted off at 6 m/s, the wind stop came 6 s into the lift, too low to clear).
So a *new* rise counts at its own rate (:attr:`WindOutlook.onset_mps2`): the slope of the
readings since the lowest of the window, once the wind stands :data:`ONSET_MARGIN_MPS` above
every reading of the :data:`HISTORY_S` before that low. A gusting wind's upswing finds an
earlier gust's peak as high and counts only in the trend; a gust higher than any of the last
30 s does keep a lift waiting while it rises, as a front would (within a second or two nothing
tells them apart). Its cost, measured in turbulent winds of 8-14 m/s +/- 1.5-2.5 (3-s gusts):
a lift finds itself waiting 0.5-1.2 percentage points more of the time than on the trend alone,
on average (tests/hostile14/FINDINGS.md, finding 9).

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

__all__ = ["HISTORY_S", "TREND_WINDOW_S", "WindOutlook", "WindTrend"]

TREND_WINDOW_S = 10.0
"""The wind's trend is the slope of its good readings over this long, s: longer than a gust's
rise and fall (the bench's gusts last 4-12 s), so that a steady gusting wind shows almost none
(12 m/s +/- 2 over 4-12 s periods: at most 0.6 m/s a second, and then not at its peak), while a
wind whose mean rises shows it within a few seconds."""
MIN_SPAN_S = 1.0
"""Readings spanning less than this show no trend yet, s: back from bad, a lift waits for this
much of them after the gust window."""
HISTORY_S = 30.0
"""A rise is new when the wind climbs higher than all its good readings of this long before the
rise began, s: longer than two of the longest gusts (the bench's last up to 12 s), so that a
gusting wind's upswing always finds an earlier peak as high."""
PEAK_BUCKET_S = 0.5
"""The history keeps the highest reading of each stretch this long, s."""
ONSET_MARGIN_MPS = 1.0
"""A new rise climbs this much above the highest reading before it, m/s: a measuring margin
(the reading's own resolution and jitter, a gust a little higher than the last)."""


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
    onset_mps2: float = 0.0
    """The rate of a new rise: the slope of the readings since the lowest of the trend's window,
    when the wind has since climbed :data:`ONSET_MARGIN_MPS` above every reading of the
    :data:`HISTORY_S` before that low, m/s per s; 0 when it has not. A front arriving out of a
    steady wind shows here within a second; the trend, over a window mostly of the steady wind
    before it, shows it only seconds later (module docstring)."""

    @property
    def rising_mps2(self) -> float:
        """How fast the wind is taken to rise: its trend, or a new rise's rate if faster."""
        return max(0.0, self.rate_mps2, self.onset_mps2)

    def at(self, horizon_s: float) -> float | None:
        """The wind ``horizon_s`` from now if it goes on rising as it does (a falling trend
        counts as none: the level stays), m/s; ``None`` without a good reading."""
        if self.level_mps is None:
            return None
        return self.level_mps + self.rising_mps2 * max(0.0, horizon_s)

    def rising_to(self, limit_mps: float, horizon_s: float) -> str:
        """Why the wind, going on as it trends, reaches ``limit_mps`` within ``horizon_s`` while
        it reads below it ("" when it does not, or reads at or above it already: that is the
        limit's own rule), in words with values."""
        level, ahead = self.level_mps, self.at(horizon_s)
        if level is None or ahead is None or level >= limit_mps or ahead < limit_mps:
            return ""
        rate = self.rising_mps2
        new = " (a new rise)" if self.onset_mps2 > max(0.0, self.rate_mps2) else ""
        return (
            f"wind {level:.1f} m/s rising {rate:.1f} m/s a second{new}: at {limit_mps:.1f} m/s "
            f"in {(limit_mps - level) / rate:.1f} s, within the {horizon_s:.1f} s a lift from "
            "here needs to clear its neighbours"
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
        self._peaks: deque[list[float]] = deque()
        """The history: the highest good reading of each :data:`PEAK_BUCKET_S` of the last
        :data:`HISTORY_S`, as ``[start, highest]``."""

    def observe(self, snapshot: Snapshot) -> WindOutlook:
        """Take this scan's ``env.wind`` (at the snapshot's time); the outlook now."""
        now = snapshot.time_s
        readings = self._readings
        while readings and readings[0][0] < now - self.window_s:
            readings.popleft()
        if snapshot.reading("env.wind").quality is Quality.BAD:
            self._bad, self._back_at = True, None
            readings.clear()  # its average holds the fault: a new series after it
            self._peaks.clear()
            return WindOutlook(None)
        value = snapshot.number("env.wind")
        if value is None:  # stale or missing: the link, not the sensor
            return WindOutlook(None)
        if self._bad:
            self._bad, self._back_at = False, now
        back_for = 0.0 if self._back_at is None else now - self._back_at
        if self._back_at is None or back_for >= self.gust_window_s:
            readings.append((now, value))  # (one still catching up is no measure of the wind)
            self._remember(now, value)
        rate, onset = _slope(readings), _onset(readings, self._peaks)
        if self._back_at is None:
            return WindOutlook(value, rate, onset_mps2=onset)
        shown_s = readings[-1][0] - readings[0][0] if readings else 0.0
        if back_for >= self.gust_window_s and shown_s >= MIN_SPAN_S:
            self._back_at = None  # caught up, and its trend seen
            return WindOutlook(value, rate, onset_mps2=onset)
        left = max(self.gust_window_s - back_for, 0.0) + MIN_SPAN_S - shown_s
        return WindOutlook(value, rate, left, back_for, onset)

    def _remember(self, now: float, value: float) -> None:
        peaks = self._peaks
        while peaks and peaks[0][0] < now - HISTORY_S:
            peaks.popleft()
        if peaks and now < peaks[-1][0] + PEAK_BUCKET_S:
            peaks[-1][1] = max(peaks[-1][1], value)
        else:
            peaks.append([now, value])


def _onset(readings: deque[tuple[float, float]], peaks: deque[list[float]]) -> float:
    """The slope of the readings since the lowest of them if the last stands more than
    :data:`ONSET_MARGIN_MPS` above the highest reading before that low (``peaks``: the
    history's ``[start, highest]`` stretches), else 0."""
    if not readings:
        return 0.0
    low_t, low = readings[0]
    for t, v in readings:
        if v <= low:  # the last of equal lows: where a calm ended
            low_t, low = t, v
    last_t, last = readings[-1]
    if last_t - low_t < MIN_SPAN_S:
        return 0.0
    before = max((high for start, high in peaks if start + PEAK_BUCKET_S <= low_t), default=low)
    if last <= before + ONSET_MARGIN_MPS:
        return 0.0
    return _slope(deque(r for r in readings if r[0] >= low_t))


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
