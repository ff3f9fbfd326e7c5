"""A one-line Static that repaints only when its text changes (cheap at 10 Hz)."""

from __future__ import annotations

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

    def show(self, text: Text | str, *, abnormal: bool = False) -> None:
        self.set_class(abnormal, "-abnormal")
        rich = Text(text) if isinstance(text, str) else text
        if rich.plain != self._plain or rich != self._styled:
            self._plain, self._styled = rich.plain, rich
            self.update(rich)

    @property
    def plain(self) -> str:
        """The text shown now (for tests and the headless bench)."""
        return self._plain or ""
