"""The scan statistics' window: the same percentiles as sorting the last n samples."""

from __future__ import annotations

from collections import deque

from hypothesis import given
from hypothesis import strategies as st

from crane_ctrl.runtime.rolling import RollingWindow


@given(st.lists(st.floats(0.0, 1.0), max_size=200), st.integers(1, 30))
def test_percentiles_match_sorting_the_last_samples(samples: list[float], size: int) -> None:
    window, last = RollingWindow(size), deque[float](maxlen=size)
    for sample in samples:
        window.add(sample)
        last.append(sample)
        ordered = sorted(last)
        for q in (0.0, 0.5, 0.99):
            assert window.percentile(q) == ordered[min(len(ordered) - 1, int(q * len(ordered)))]
        assert window.last == sample
    assert len(window) == len(last)
