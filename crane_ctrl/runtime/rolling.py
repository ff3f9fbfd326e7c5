"""A window of the last ``n`` samples kept sorted, for percentiles every scan without sorting.

Adding a sample removes the oldest one (found by bisection) and inserts the new one in order:
two bisections and two short memory moves, where sorting the window every scan (1,200 samples at
20 Hz) would cost a sort per scan. Pure.
"""

from __future__ import annotations

import bisect
from collections import deque

__all__ = ["RollingWindow"]


class RollingWindow:
    """The last ``size`` samples, in arrival order and in sorted order."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"`size` must be at least 1, not {size}")
        self._arrived: deque[float] = deque()
        self._sorted: list[float] = []
        self.size = size

    def add(self, sample: float) -> None:
        if len(self._arrived) == self.size:
            oldest = self._arrived.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, oldest)]
        self._arrived.append(sample)
        bisect.insort(self._sorted, sample)

    @property
    def last(self) -> float:
        return self._arrived[-1] if self._arrived else 0.0

    def percentile(self, q: float) -> float:
        """The sample at quantile ``q`` (0..1) of the window; 0.0 while it is empty."""
        if not self._sorted:
            return 0.0
        return self._sorted[min(len(self._sorted) - 1, int(q * len(self._sorted)))]

    def __len__(self) -> int:
        return len(self._arrived)
