"""A table of keyed rows drawn as one :class:`TextLine` per row: a refresh that changes one cell
repaints one line, not the table (a DataTable renders every visible cell again after any
change: with 20 cranes and their data ages moving, most of the operations centre's CPU).

Columns are as wide as their widest cell; the cursor (a row, by key) follows its row when the
order changes. Keys: up, down, home, end, page up/down; Enter (or a click) posts
:class:`LineTable.Selected`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message

from hmi.widgets.text_line import TextLine

__all__ = ["Cells", "LineTable"]

Cells = tuple[Text | str, ...]
GAP = "  "
"""Between two columns."""
PAGE = 10
"""Rows that page up and page down move by."""


class LineTable(Vertical, can_focus=True):
    """A header line over the rows (:meth:`show`), with a row cursor."""

    DEFAULT_CSS = """
    LineTable { height: 1fr; }
    LineTable > .header { height: 1; text-style: bold; }
    LineTable > VerticalScroll { height: 1fr; }
    LineTable TextLine.row { height: 1; }
    LineTable TextLine.row.-cursor { background: $boost; text-style: bold; }
    LineTable:focus TextLine.row.-cursor { background: $accent 40%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "up", show=False),
        Binding("down", "move(1)", "down", show=False),
        Binding("pageup", f"move({-PAGE})", "page up", show=False),
        Binding("pagedown", f"move({PAGE})", "page down", show=False),
        Binding("home", "move(-1000000)", "first", show=False),
        Binding("end", "move(1000000)", "last", show=False),
        Binding("enter", "select", "open", show=False),
    ]

    class Selected(Message):
        """Enter, or a click, on a row."""

        def __init__(self, table: LineTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self.rows: tuple[tuple[str, Cells], ...] = ()
        """What the table shows: (key, cells) per row, in order."""
        self.cursor = 0
        self.repainted = 0
        """How many lines the last :meth:`show` repainted (the header counts)."""
        self._lines: list[TextLine] = []
        self._widths: tuple[int, ...] = ()

    def compose(self) -> ComposeResult:
        yield TextLine(classes="header")
        yield VerticalScroll()

    def show(self, rows: Sequence[tuple[str, Cells]]) -> None:
        """Show ``rows`` (key, cells) in their order; the cursor stays on its row's key."""
        new = tuple(rows)
        self.repainted = 0
        if new == self.rows:
            return
        selected = self.selected()
        self._widen(new)
        self._fit(len(new))
        for line, (_, cells) in zip(self._lines, new, strict=False):
            self.repainted += line.show(self._text(cells))
        self.rows = new
        keys = [key for key, _ in new]
        self._place(keys.index(selected) if selected in keys else self.cursor)

    def selected(self) -> str | None:
        """The key of the row under the cursor, if any."""
        return self.rows[self.cursor][0] if self.cursor < len(self.rows) else None

    def plain(self) -> list[list[str]]:
        """Every row's cells as plain text (tests, and the headless bench)."""
        return [[c.plain if isinstance(c, Text) else c for c in cells] for _, cells in self.rows]

    def _widen(self, rows: tuple[tuple[str, Cells], ...]) -> None:
        widths = [cell_len(c) for c in self.columns]
        for _, cells in rows:
            for i, cell in enumerate(cells):
                widths[i] = max(widths[i], cell_len(cell.plain if isinstance(cell, Text) else cell))
        if tuple(widths) != self._widths:  # every row is drawn again at its new widths
            self._widths = tuple(widths)
            header = Text(GAP.join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)))
            self.repainted += self.query_one(".header", TextLine).show(header)

    def _text(self, cells: Cells) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, (cell, width) in enumerate(zip(cells, self._widths, strict=True)):
            text = cell if isinstance(cell, Text) else Text(cell)
            out.append_text(text)
            if i < len(cells) - 1:
                out.append(" " * (width - cell_len(text.plain)) + GAP)
        return out

    def _fit(self, count: int) -> None:
        """As many row lines as rows."""
        body = self.query_one(VerticalScroll)
        if count > len(self._lines):
            more = [TextLine(classes="row") for _ in range(count - len(self._lines))]
            self._lines += more
            body.mount_all(more)
        while len(self._lines) > count:
            self._lines.pop().remove()

    def _place(self, index: int) -> None:
        index = max(0, min(index, len(self.rows) - 1))
        for i, line in enumerate(self._lines):
            line.set_class(i == index and bool(self.rows), "-cursor")
        self.cursor = index
        if self._lines:
            self.query_one(VerticalScroll).scroll_to_widget(self._lines[index], animate=False)

    def action_move(self, by: int) -> None:
        self._place(self.cursor + by)

    def action_select(self) -> None:
        key = self.selected()
        if key is not None:
            self.post_message(self.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        if event.widget in self._lines:
            self.focus()
            self._place(self._lines.index(event.widget))
            if event.chain >= 2:
                self.action_select()
