"""A DataTable filled from keyed rows each refresh, changing only what changed: the same rows in
the same order update their changed cells; other rows or another order fill the table again,
the cursor staying on the row it was on (by key). Unchanged rows cost nothing."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

__all__ = ["Cells", "RowTable"]

Cells = tuple[Text | str, ...]


class RowTable(DataTable[Text | str]):
    """A row-cursor table of keyed rows (:meth:`show`)."""

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._columns = tuple(columns)
        self._rows: tuple[tuple[str, Cells], ...] = ()

    def on_mount(self) -> None:
        for column in self._columns:
            self.add_column(column, key=column)

    def show(self, rows: Sequence[tuple[str, Cells]]) -> None:
        """Make the table show ``rows`` (key, cells), in their order."""
        new = tuple(rows)
        if new == self._rows:
            return
        if [k for k, _ in new] == [k for k, _ in self._rows]:
            for (key, cells), (_, before) in zip(new, self._rows, strict=True):
                for column, cell, old in zip(self._columns, cells, before, strict=True):
                    if cell != old:
                        self.update_cell(key, column, cell, update_width=True)
        else:
            self._fill(new)
        self._rows = new

    def _fill(self, rows: tuple[tuple[str, Cells], ...]) -> None:
        selected = self.selected()
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        keys = [key for key, _ in rows]
        if selected in keys:
            self.move_cursor(row=keys.index(selected), animate=False)

    def selected(self) -> str | None:
        """The key of the row under the cursor, if any."""
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)
