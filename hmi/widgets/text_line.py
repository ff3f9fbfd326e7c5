"""A Static that repaints only when its text changes (cheap at 10 Hz), and lays the screen out
again only when its size follows its text (``height`` or ``width`` ``auto``): new text in a line
of fixed size repaints the line, not the screen (a layout pass costs more than the drawing)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

__all__ = ["TextLine"]


class TextLine(Static):
    """Static text replaced from the view each refresh; unchanged text costs nothing."""

    DEFAULT_CSS = "TextLine { height: auto; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._plain: str | None = None
        self._styled: Text | None = None
        self._lines = 0

    def show(self, text: Text | str, *, abnormal: bool = False) -> bool:
        """Show ``text``; whether that repainted the line (it did not if the text is the same)."""
        self.set_class(abnormal, "-abnormal")
        rich = Text(text) if isinstance(text, str) else text
        if rich.plain == self._plain and rich == self._styled:
            return False
        self._plain, self._styled = rich.plain, rich
        self.update(rich, layout=self._resized(rich.plain))
        return True

    @property
    def plain(self) -> str:
        """The text shown now (for tests and the headless bench)."""
        return self._plain or ""

    def _resized(self, plain: str) -> bool:
        """Whether new text may change this line's size: always for ``width: auto``; for
        ``height: auto``, when the text wraps to another number of lines."""
        width, height = self.styles.width, self.styles.height
        if width is not None and width.is_auto:
            return True
        if height is None or not height.is_auto:
            return False
        columns = self.content_size.width
        lines = sum(-(-max(1, cell_len(line)) // max(1, columns)) for line in plain.split("\n"))
        resized = columns == 0 or lines != self._lines
        self._lines = lines
        return resized
