"""ISO containers as the site sees them: sizes, dimensions, and the ground a box covers."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

__all__ = [
    "CONTAINER_HEIGHT_HC_M",
    "CONTAINER_HEIGHT_M",
    "CONTAINER_LENGTH_M",
    "CONTAINER_SIZES",
    "CONTAINER_WIDTH_M",
    "Footprint",
    "container_length_m",
]

CONTAINER_SIZES: tuple[int, ...] = (20, 40, 45)
"""ISO container lengths in feet that the spreader handles."""
CONTAINER_LENGTH_M: Mapping[int, float] = MappingProxyType({20: 6.058, 40: 12.192, 45: 13.716})
"""External length of a container by size in feet, m."""
CONTAINER_WIDTH_M = 2.438
"""External width of every ISO container, m."""
CONTAINER_HEIGHT_M = 2.591
"""Standard container height (8'6"), m."""
CONTAINER_HEIGHT_HC_M = 2.896
"""High-cube container height (9'6"), m."""

TOUCH_M = 1e-6
"""Footprints that only touch do not overlap; centres this close are the same (numerical zero,
not a physical margin), m."""


def container_length_m(size_ft: int) -> float:
    """The external length of a ``size_ft`` container, m; ``ValueError`` for unknown sizes."""
    try:
        return CONTAINER_LENGTH_M[size_ft]
    except KeyError:
        raise ValueError(f"container size must be 20, 40 or 45 ft, not {size_ft!r}") from None


class Footprint(NamedTuple):
    """The ground a box covers (or a deck, a block): x along the rails, y across, m."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float

    @classmethod
    def of_box(cls, x_m: float, y_m: float, size_ft: int) -> Footprint:
        """The footprint of a ``size_ft`` container centred at (``x_m``, ``y_m``)."""
        half_l, half_w = container_length_m(size_ft) / 2, CONTAINER_WIDTH_M / 2
        return cls(x_m - half_l, x_m + half_l, y_m - half_w, y_m + half_w)

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x_min + self.x_max) / 2, (self.y_min + self.y_max) / 2

    def overlaps(self, other: Footprint) -> bool:
        """Whether the two share ground (only touching edges do not)."""
        return (
            self.x_min < other.x_max - TOUCH_M
            and other.x_min < self.x_max - TOUCH_M
            and self.y_min < other.y_max - TOUCH_M
            and other.y_min < self.y_max - TOUCH_M
        )

    def around(self, other: Footprint) -> Footprint:
        """The smallest footprint holding both."""
        return Footprint(
            min(self.x_min, other.x_min),
            max(self.x_max, other.x_max),
            min(self.y_min, other.y_min),
            max(self.y_max, other.y_max),
        )
