"""A value with its trend: a label and a sparkline of the last half minute."""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Sparkline, Static

__all__ = ["Trend"]

SAMPLES = 300
"""Samples kept: 30 s at the HMI's 10 Hz."""
REDRAW_EVERY = 5
"""The sparkline is redrawn every this many samples (twice a second at 10 Hz): a column of a
30-s trend spans about a second, so a faster redraw shows nothing new, and each redraw costs the
HMI as much as the rest of the screen. The label follows every sample."""


class Trend(Horizontal):
    """``Wind   8.2 m/s ▁▁▂▃▂▁`` ; abnormal text and class ``-abnormal`` beyond a limit. The
    label is 28 cells: the longest, ``Wind  17.0 m/s [!] PRE-ALARM``, whole (24 cut off its
    word)."""

    DEFAULT_CSS = """
    Trend { height: 1; }
    Trend > Static { width: 28; height: 1; }
    Trend > Sparkline { width: 1fr; height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.samples: deque[float] = deque(maxlen=SAMPLES)
        self._text = ""
        self._since_drawn = 0

    def compose(self) -> ComposeResult:
        yield Static()
        yield Sparkline([])

    def push(self, value: float | None, text: Text, *, abnormal: bool = False) -> None:
        """Add a sample (``None``: no trusted value, not plotted) and set the label."""
        if value is not None:
            self.samples.append(value)
            self._since_drawn += 1
            if self._since_drawn >= REDRAW_EVERY or len(self.samples) == 1:
                self._since_drawn = 0
                self.query_one(Sparkline).data = list(self.samples)
        if text.plain != self._text:
            self._text = text.plain
            self.query_one(Static).update(text, layout=False)  # its size is fixed
        self.set_class(abnormal, "-abnormal")
