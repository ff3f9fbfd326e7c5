"""Report by exception: which metrics of a reading are worth sending. Pure.

NDATA carries the metrics that changed since the last NBIRTH or NDATA
(``tck-id-topics-ndata-payload``). "Changed" is judged against the value last *sent* (or stored
while the broker is away), never the previous scan's: a number is sent again once it moved its
:attr:`~crane_ctrl.fleet.reading.MetricDef.deadband` from it, so a slow drift is sent too, and a
text that rewords itself is sent at most every
:attr:`~crane_ctrl.fleet.reading.MetricDef.settle_s`. A value that becomes ``None`` (no longer
trusted), or stops being one, is always sent at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from crane_ctrl.fleet.payload import Metric, MetricValue
from crane_ctrl.fleet.reading import MetricDef, Reading

__all__ = ["ChangeFilter", "Sample"]


@dataclass(frozen=True, slots=True)
class Sample:
    """What one view had worth sending: metrics by name, with datatype and UTC time (ms)."""

    time_ms: int
    metrics: tuple[Metric, ...]


@dataclass(slots=True)
class _Sent:
    value: MetricValue
    at_s: float


class ChangeFilter:
    """Remembers what was sent; says what of the next reading is worth sending."""

    def __init__(self) -> None:
        self._sent: dict[str, _Sent] = {}

    def baseline(self, reading: Reading) -> None:
        """Everything in ``reading`` was just sent (an NBIRTH)."""
        self._sent = {name: _Sent(value, reading.time_s) for name, value in reading.values.items()}

    def changes(self, reading: Reading, time_ms: int) -> Sample | None:
        """The metrics of ``reading`` worth sending, remembered as sent; ``None`` if none."""
        out: list[Metric] = []
        values, sent_now = reading.values, self._sent
        for d in reading.defs:
            value = values.get(d.name)
            sent = sent_now.get(d.name)
            if sent is not None:
                old = sent.value
                if type(old) is type(value) and old == value:
                    continue  # the most common case, without a call (a look reads ~80)
                if not _worth(d, sent, value, reading.time_s):
                    continue
            sent_now[d.name] = _Sent(value, reading.time_s)
            out.append(Metric(d.name, value, d.datatype, timestamp_ms=time_ms))
        return Sample(time_ms, tuple(out)) if out else None


def _worth(d: MetricDef, sent: _Sent, value: MetricValue, now_s: float) -> bool:
    old = sent.value
    if type(old) is type(value) and old == value:
        return False
    if old is None or value is None or isinstance(value, bool) or isinstance(old, bool):
        return True
    if isinstance(value, int | float) and isinstance(old, int | float):
        return abs(value - old) >= d.deadband
    if isinstance(value, str) and old and value:
        return now_s - sent.at_s >= d.settle_s
    return True
