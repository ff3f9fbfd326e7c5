"""The progress bar the long benches draw on stderr (``bench safety``, ``bench fuzz``).

On a terminal, one line redrawn in place; otherwise a line every twentieth of the run. A failing
case gets a line of its own as it happens, so a long run shows its findings before it ends.
"""

from __future__ import annotations

import sys
import time

__all__ = ["ProgressBar"]


class ProgressBar:
    """``advance(count, failure)`` after each case; ``close()`` at the end."""

    WIDTH = 30

    def __init__(self, total: int, unit: str) -> None:
        self.total = max(1, total)
        self.unit = unit
        self.started = time.perf_counter()
        self.failing = 0
        self.tty = sys.stderr.isatty()
        self.every = max(1, total // 20)

    def advance(self, count: int, failure: str | None = None) -> None:
        """``count`` cases done; ``failure``: the line saying how the last one failed."""
        if failure is not None:
            self.failing += 1
            self._out(failure, newline=True)
        if self.tty or count % self.every == 0 or count >= self.total:
            filled = round(self.WIDTH * count / self.total)
            rate = (time.perf_counter() - self.started) / max(1, count)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self._out(f"[{bar}] {count}/{self.total} {self.unit}, {rate:.1f} s each, "
                      f"{self.failing} failing", newline=not self.tty)  # fmt: skip

    def _out(self, text: str, *, newline: bool) -> None:
        if self.tty:
            text = "\r\x1b[K" + text
        print(text, end="\n" if newline else "", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr, flush=True)
