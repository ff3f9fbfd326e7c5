"""A view as metrics: what each metric is (:class:`MetricDef`) and what it reads now. Pure.

The edge node knows nothing of cranes: it is fed views of any kind and a function that turns one
into a :class:`Reading` (:func:`crane_ctrl.fleet.metrics.station_reading` for a station).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from crane_ctrl.fleet.payload import DataType, MetricValue

__all__ = ["MetricDef", "Reading"]


@dataclass(frozen=True, slots=True)
class MetricDef:
    """One metric as its NBIRTH declares it, and when a change of it is worth sending."""

    name: str
    datatype: DataType
    unit: str = ""
    deadband: float = 0.0
    """A number is sent again once it moved at least this far from the value last sent."""
    settle_s: float = 0.0
    """A text that changes but stays non-empty is sent at most this often (s)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One view as metrics: the definitions, and every metric's value at ``time_s``."""

    time_s: float
    """When the scan read it, on the station's clock (the edge node converts to UTC)."""
    defs: tuple[MetricDef, ...]
    values: Mapping[str, MetricValue]
