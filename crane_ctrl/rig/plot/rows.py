"""Labels that never overlap: each goes in the lowest row where it has room beside those already
placed, by its measured width in pixels (not by guessing how long a text is)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["stack"]


def stack(
    spans: Sequence[tuple[float, float]], *, gap: float, max_rows: int | None = None
) -> list[int | None]:
    """For each span (left, right, in pixels) the lowest row, counted from 0, in which it keeps
    ``gap`` from every other span in that row; ``None`` when none of the first ``max_rows`` has
    room (no limit: every span gets a row). Spans are placed in the order of their centres, so a
    cluster of labels climbs as time goes on."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0] + spans[i][1], i))
    placed: list[list[tuple[float, float]]] = []
    rows: list[int | None] = [None] * len(spans)
    for i in order:
        left, right = spans[i]
        free = (
            r for r, row in enumerate(placed) if all(_apart(s, (left, right), gap) for s in row)
        )
        row = next(free, None)
        if row is None and (max_rows is None or len(placed) < max_rows):
            placed.append([])
            row = len(placed) - 1
        if row is not None:
            placed[row].append((left, right))
        rows[i] = row
    return rows


def _apart(a: tuple[float, float], b: tuple[float, float], gap: float) -> bool:
    return a[1] + gap <= b[0] or b[1] + gap <= a[0]
