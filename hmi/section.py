"""The crane drawn with text: an elevation across the span at the gantry's position, and a strip
along the rails. Pure: a function of the site, the crane's geometry and what stands where.

::

    x 31.0 m  ▏▔▔▔▼▔▔▔▔[▒▒▒▒▒▒▒▒▒▒ bays 1-20 ▒▒▒▒▒▒▒▒▒]▔▔▔▔▔▔▔▔▔▔▔▔▔▏
    ══════════════╤═══════════════════════════════════════════════
           ║      │                               ║
           ║     ━┻━                              ║
           ║                                      ║
      ███  ║                              ███     ║
    ▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔▔
     T1  T2    A1     R1:0  R2:1 R3:0  ...

The view looks along the rails: y (trolley, across the span) runs left to right from the
cantilever tip, z (hoist) upwards. Only containers in the crane's cross-section are drawn (those
under the spreader's gantry position); the label row gives each stack row's tier count there.
A container hanging on the spreader (:attr:`CraneAt.carrying`) is drawn under it at the hoist's
height, not on the slot the yard still books it to until it is set down.
ISA-101: drawn in the calm default style; only an abnormal spreader (locks neither all locked
nor all unlocked) is coloured, and it says so in text as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.text import Text

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import CONTAINER_WIDTH_M, SiteLayout, Slot, container_length_m

__all__ = ["CraneAt", "Placed", "draw_section", "draw_strip"]

BOX = "█"
UPPER_TIER = "▓"
"""Even tiers, so that stacked containers stay apart."""
ABNORMAL = "bold red"
"""Style of the abnormal: the one colour in the drawing (always with a text cue too)."""


class Placed(Protocol):
    """A container where the supervisor believes it stands (the station's ``BoxPlace``)."""

    @property
    def id(self) -> str: ...
    @property
    def size_ft(self) -> int: ...
    @property
    def slot(self) -> Slot | None: ...
    @property
    def x_m(self) -> float: ...
    @property
    def y_m(self) -> float: ...
    @property
    def bottom_m(self) -> float: ...
    @property
    def height_m(self) -> float: ...


@dataclass(frozen=True, slots=True)
class CraneAt:
    """Where the crane is: axis positions (``None`` when not known: not drawn) and the spreader."""

    gantry_m: float | None
    trolley_m: float | None
    hoist_m: float | None
    spreader_ft: int | None = None
    abnormal_spreader: bool = False
    """Twistlocks neither all locked nor all unlocked (or their state is unknown)."""
    carrying: str | None = None
    """The id of the container hanging on the spreader, if one does."""


class _Canvas:
    """A character grid in crane coordinates: y across, z up."""

    def __init__(self, width: int, height: int, y_span: tuple[float, float], z_top: float) -> None:
        self.width, self.height = width, height
        self.rows = [[" "] * width for _ in range(height)]
        self.styles: dict[tuple[int, int], str] = {}
        self._y0, self._y1 = y_span
        self._z_top = z_top

    def col(self, y: float) -> int:
        fraction = (y - self._y0) / (self._y1 - self._y0)
        return min(self.width - 1, max(0, round(fraction * (self.width - 1))))

    def row(self, z: float) -> int:
        """Rows 0 .. height-2 span z_top .. 0; the last row is the ground."""
        fraction = (self._z_top - z) / self._z_top
        return min(self.height - 2, max(0, round(fraction * (self.height - 2))))

    def put(self, row: int, col: int, char: str, style: str = "") -> None:
        if 0 <= row < self.height and 0 <= col < self.width:
            self.rows[row][col] = char
            if style:
                self.styles[row, col] = style

    def span(self, row: int, y_lo: float, y_hi: float, char: str, style: str = "") -> None:
        for col in range(self.col(y_lo), self.col(y_hi) + 1):
            self.put(row, col, char, style)

    def text(self) -> Text:
        """The canvas as text: one append per run of cells in one style, one per row for a row
        without styles (a cell at a time costs the HMI a third of its drawing time)."""
        out = Text(no_wrap=True, overflow="crop")
        styled: dict[int, dict[int, str]] = {}
        for (r, c), style in self.styles.items():
            styled.setdefault(r, {})[c] = style
        for r, row in enumerate(self.rows):
            _append_row(out, row, styled.get(r, {}))
            if r < self.height - 1:
                out.append("\n")
        return out


def _append_row(out: Text, row: list[str], styles: dict[int, str]) -> None:
    if not styles:
        out.append("".join(row))
        return
    start, style = 0, styles.get(0, "")
    for c in range(1, len(row) + 1):
        here = styles.get(c, "") if c < len(row) else None
        if here != style:
            out.append("".join(row[start:c]), style)
            start, style = c, here or ""


def _in_section(box: Placed, gantry_m: float) -> bool:
    return abs(box.x_m - gantry_m) <= container_length_m(box.size_ft) / 2


def _draw_structure(canvas: _Canvas, params: CraneParams) -> None:
    for col in range(canvas.width):
        canvas.put(0, col, "═")
        canvas.put(canvas.height - 1, col, "▔")
    for leg_y in (params.cantilever_m, params.cantilever_m + params.span_m):
        for row in range(1, canvas.height - 1):
            canvas.put(row, canvas.col(leg_y), "║")


def _draw_lanes(canvas: _Canvas, site: SiteLayout) -> None:
    for _area, lane in site.lanes():
        half = lane.deck_width_m / 2
        canvas.span(canvas.row(lane.deck_height_m), lane.y_m - half, lane.y_m + half, "▁")


def _draw_boxes(canvas: _Canvas, boxes: Iterable[Placed], gantry_m: float) -> None:
    half = CONTAINER_WIDTH_M / 2
    for box in boxes:
        if not _in_section(box, gantry_m):
            continue
        top = canvas.row(box.bottom_m + box.height_m)
        bottom = max(top, canvas.row(box.bottom_m) - (1 if box.bottom_m > 0.3 else 0))
        glyph = BOX if box.slot is None or box.slot.tier % 2 else UPPER_TIER
        for row in range(top, bottom + 1):
            canvas.span(row, box.y_m - half + 0.3, box.y_m + half - 0.3, glyph)


def _draw_load(canvas: _Canvas, box: Placed, crane: CraneAt) -> None:
    """The hanging container, from just under the spreader down its height."""
    if crane.trolley_m is None or crane.hoist_m is None:
        return
    half = CONTAINER_WIDTH_M / 2
    top = canvas.row(crane.hoist_m) + 1
    bottom = max(top, canvas.row(crane.hoist_m - box.height_m))
    for row in range(top, bottom + 1):
        canvas.span(row, crane.trolley_m - half + 0.3, crane.trolley_m + half - 0.3, BOX)


def _draw_spreader(canvas: _Canvas, crane: CraneAt) -> None:
    if crane.trolley_m is None:
        return
    col = canvas.col(crane.trolley_m)
    canvas.put(0, col, "╤")
    if crane.hoist_m is None:
        return
    spreader_row = canvas.row(crane.hoist_m)
    for row in range(1, spreader_row):
        canvas.put(row, col, "│")
    style = ABNORMAL if crane.abnormal_spreader else ""
    half = CONTAINER_WIDTH_M / 2
    canvas.span(spreader_row, crane.trolley_m - half, crane.trolley_m + half, "━", style)
    canvas.put(spreader_row, col, "┻", style)


def _labels(
    width: int, canvas: _Canvas, site: SiteLayout, boxes: Sequence[Placed], gantry_m: float | None
) -> Text:
    line = [" "] * width

    def write(y: float, label: str) -> None:
        start = max(0, min(width - len(label), canvas.col(y) - len(label) // 2))
        if all(c == " " for c in line[start : start + len(label)]):
            line[start : start + len(label)] = label

    for _area, lane in site.lanes():
        write(lane.y_m, lane.id)
    for row, y in enumerate(site.stack.row_ys(), start=1):
        tiers = 0
        if gantry_m is not None:
            tiers = sum(
                1
                for b in boxes
                if b.slot is not None
                and b.slot.area == "stack"
                and abs(b.y_m - y) < CONTAINER_WIDTH_M / 2
                and _in_section(b, gantry_m)
            )
        write(y, f"R{row}:{tiers}")
    return Text("".join(line), no_wrap=True, overflow="crop")


def draw_section(
    width: int,
    height: int,
    site: SiteLayout,
    params: CraneParams,
    boxes: Sequence[Placed],
    crane: CraneAt,
) -> Text:
    """The elevation, ``height`` lines of drawing plus one line of labels, ``width`` wide."""
    width, height = max(width, 20), max(height, 5)
    y_span = (-1.0, params.cantilever_m + params.span_m + 1.0)
    canvas = _Canvas(width, height, y_span, params.suspension_height_m)
    _draw_structure(canvas, params)
    _draw_lanes(canvas, site)
    hanging = [b for b in boxes if b.id == crane.carrying]
    standing = [b for b in boxes if b.id != crane.carrying]
    if crane.gantry_m is not None:
        _draw_boxes(canvas, standing, crane.gantry_m)
    for box in hanging:
        _draw_load(canvas, box, crane)
    _draw_spreader(canvas, crane)
    out = canvas.text()
    out.append("\n")
    out.append_text(_labels(width, canvas, site, standing, crane.gantry_m))
    return out


def draw_strip(width: int, site: SiteLayout, params: CraneParams, gantry_m: float | None) -> Text:
    """One line along the rails: the stack block, the lanes' stop positions and the crane (▼)."""
    width = max(width, 20)
    travel = params.gantry_travel_m

    def col(x: float) -> int:
        return min(width - 1, max(0, round(x / travel * (width - 1))))

    line = ["▔"] * width
    extent = site.stack.extent()
    for c in range(col(extent.x_min), col(extent.x_max) + 1):
        line[c] = "▒"
    for _area, lane in site.lanes():
        for stop in lane.stops().values():
            line[col(stop)] = "┆"
    out = Text(no_wrap=True, overflow="crop")
    if gantry_m is None:
        out.append("".join(line))
        out.append("  [?] gantry position unknown", ABNORMAL)
        return out
    marker = col(gantry_m)
    out.append("".join(line[:marker]))
    out.append("▼", "bold")
    out.append("".join(line[marker + 1 :]))
    return out
