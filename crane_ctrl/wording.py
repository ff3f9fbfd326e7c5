"""Numbers in sentences people read: rounded alike, and never equal in print when they differ.

A reason that compares two values ("hoist at 3.99 m < path-clear height 3.99 m") must show why
the comparison came out as it did: :func:`apart` rounds both to the same number of decimals and,
when they would print the same but are not equal, adds digits until they print apart
("3.985 m < 3.994 m"). Pure.
"""

from __future__ import annotations

__all__ = ["MORE_DECIMALS", "apart"]

MORE_DECIMALS = 4
"""Digits :func:`apart` may add: beyond the 4th extra decimal a difference is sensor noise."""


def apart(a: float, b: float, decimals: int) -> tuple[str, str]:
    """``a`` and ``b`` with ``decimals`` decimals, more while they print the same but differ."""
    shown = f"{a:.{decimals}f}", f"{b:.{decimals}f}"
    for more in range(decimals + 1, decimals + MORE_DECIMALS + 1):
        if shown[0] != shown[1] or a == b:
            break
        shown = f"{a:.{more}f}", f"{b:.{more}f}"
    return shown
