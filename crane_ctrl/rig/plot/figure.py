"""The rig plot as a Matplotlib figure, laid out in inches from measured text: its height follows
what it shows, and labels that would touch go in rows of their own.

Top to bottom: the title and how the run ended; the key to the numbered events; the events, each
a numbered flag on a pole; the band lanes; the row lanes; the panels, sharing one time axis with
a line through them all at each event; what was left out because it never changed.

Every axes carries a label (:meth:`~matplotlib.artist.Artist.get_label`): ``events``,
``band:step``, ``lane:spreader``, ``panel:position, m``; the event flags have gid ``event``, the
key's texts ``event-key`` (its flags ``event`` too), the band labels ``band-label``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.typing import LineStyleType

from crane_ctrl.rig.plot.lanes import BandLane, RowLane
from crane_ctrl.rig.plot.rows import stack
from crane_ctrl.rig.plot.story import Event, Panel, Story, story
from crane_ctrl.rig.timeline import Observed

__all__ = ["DPI", "figure_of"]

DPI = 90
WIDTH_IN = 12.0
FONT_PT = 8.0
TITLE_PT = 11.0
PANEL_IN = 1.4
"""A panel of numbers."""
BAND_IN = 0.22
"""A band lane's band (its labels that do not fit inside go above it)."""
ROW_IN = 0.16
"""One yes/no row."""
GAP_IN = 0.07
"""Between two lanes or panels."""
EDGE_IN = 0.12
"""Around the figure."""
GAP_PX = 3.0
"""Between two labels side by side or one above the other."""
BESIDE_PX = 6.0
"""Between a flag and its text in the key."""
COLUMN_GAP_PX = 18.0
"""Between two columns of the key."""
MARGIN_PX = 12.0
"""Beyond the widest row name at the left, the widest legend entry at the right."""
AXIS_PX = 14.0
"""The time axis's ticks and the pads around its numbers and its name."""
BADGE_PAD = 0.3
"""Around an event's number, in font sizes."""
LABEL_PAD = 0.2
"""Around a band's label, in font sizes."""
MAX_LABEL_ROWS = 4
"""Rows of labels above a band lane; a label with no room in them is left out (its band's
colour still shows the value)."""
MIN_BAR_PX = 2.0
"""A bar shorter than this is drawn this wide: a state held for one scan still shows."""

_EVENT_STYLE: dict[str, tuple[str, LineStyleType]] = {
    "fault": ("tab:red", "-"),
    "clear": ("tab:green", "--"),
    "action": ("dimgrey", ":"),
    "model": ("black", "-."),
}
_TONE = {"good": "#4c9a4c", "bad": "#d0453f", "neutral": "#4a78b0"}
_BAND_COLOURS = {
    "idle": "#e6e6e6", "telescope": "#d9d9a0", "raise": "#b9e3b1", "travel": "#a9cce3",
    "lower": "#f5c99a", "lock": "#cdb3e6", "trial lift": "#86cc80", "set back down": "#f0a868",
    "unlock": "#e5cdf2", "raise clear": "#d4f0d0", "settle sway": "#f7e79a",
    "wind set down": "#e69a9a", "wind raise clear": "#edb3cc", "operator landing": "#9fe0e0",
    "held": "#f08080", "execute": "#b9e3b1", "suspended": "#f7e79a", "stopped": "#c8c8c8",
    "aborted": "#d98080", "complete": "#a9cce3", "collect": "#a9cce3", "deliver": "#b9e3b1",
}  # fmt: skip
"""Steps, PackML states and job phases: the same colour for the same thing in every plot."""
_OTHER_COLOURS = ("#fbb4ae", "#b3cde3", "#ccebc5", "#decbe4", "#fed9a6", "#ffffcc", "#e5d8bd")
_PASSING = "#f0f0f0"
"""States passed through (PackML's acting states)."""


def figure_of(title: str, observed: Observed) -> Figure:
    """The plot of a run, drawn on an Agg canvas, ready to save."""
    plot = story(observed)
    figure = Figure(figsize=(WIDTH_IN, 1.0), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    measure = _Measure(canvas.get_renderer())  # type: ignore[no-untyped-call]
    frame = _frame(plot, measure)
    header = _header(title, plot, measure)
    blocks = _blocks(plot, measure, frame)
    bottom_in = (2 * measure.line() + AXIS_PX) / DPI  # the time axis: its numbers and its name
    footer = _wrapped(_left_out_note(plot, blocks), measure)
    line_in = (measure.line() + GAP_PX) / DPI
    height = (
        EDGE_IN + header.height_in + GAP_IN + sum(b.height_in + GAP_IN for b in blocks)
        + bottom_in + len(footer) * line_in + EDGE_IN
    )  # fmt: skip
    figure.set_size_inches(WIDTH_IN, height)
    header.put(figure, EDGE_IN)
    top = EDGE_IN + header.height_in + GAP_IN
    first: Axes | None = None
    for block in blocks:
        rect = (
            frame.left_in / WIDTH_IN,
            1 - (top + block.height_in) / height,
            frame.width_in / WIDTH_IN,
            block.height_in / height,
        )
        ax = figure.add_axes(rect, sharex=first, label=block.name)
        first = first or ax
        ax.set_xlim(*frame.xlim)
        ax.tick_params(labelbottom=False, labelsize=FONT_PT)
        block.draw(ax)
        if block.name != "events":
            _event_lines(ax, plot.events)
        top += block.height_in + GAP_IN
    last = figure.axes[-1]
    last.tick_params(axis="x", length=3.5, labelbottom=True)
    last.set_xlabel("crane time, s", fontsize=FONT_PT)
    for i, text in enumerate(footer):
        y = top - GAP_IN + bottom_in + i * line_in
        figure.text(EDGE_IN / WIDTH_IN, 1 - y / height, text, va="top", fontsize=FONT_PT,
                    color="dimgrey", parse_math=False)  # fmt: skip
    return figure


# --- measuring ----------------------------------------------------------------------------------


class _Measure:
    """Text extents in pixels, from the renderer that will draw them."""

    def __init__(self, renderer: RendererBase) -> None:
        self._renderer = renderer

    def width(self, text: str, *, size: float = FONT_PT, bold: bool = False) -> float:
        font = FontProperties(size=size, weight="bold" if bold else "normal")
        w, _, _ = self._renderer.get_text_width_height_descent(text, font, ismath=False)
        return float(w)

    def line(self, size: float = FONT_PT) -> float:
        """The height Matplotlib gives a line of text, px."""
        font = FontProperties(size=size)
        _, h, _ = self._renderer.get_text_width_height_descent("lp", font, ismath=False)
        return float(h)

    @staticmethod
    def pad(fraction: float, size: float = FONT_PT) -> float:
        """A box's pad (in font sizes) in pixels."""
        return fraction * size * DPI / 72


def _fit(text: str, width_px: float, measure: _Measure, size: float = FONT_PT) -> str:
    """``text``, cut short with an ellipsis to ``width_px`` if it is wider."""
    if measure.width(text, size=size) <= width_px:
        return text
    while text and measure.width(text + "…", size=size) > width_px:
        text = text[:-1]
    return text + "…"


def _across() -> float:
    """The width inside the figure's edges, px."""
    return (WIDTH_IN - 2 * EDGE_IN) * DPI


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where the axes stand across the figure, and the time axis."""

    left_in: float
    right_in: float
    xlim: tuple[float, float]

    @property
    def width_in(self) -> float:
        return WIDTH_IN - self.left_in - self.right_in

    def px(self, t: float) -> float:
        """Crane time to pixels from the axes' left edge."""
        lo, hi = self.xlim
        return (t - lo) / (hi - lo) * self.width_in * DPI

    def time(self, px: float) -> float:
        lo, hi = self.xlim
        return lo + px / (self.width_in * DPI) * (hi - lo)

    @property
    def least_s(self) -> float:
        """MIN_BAR_PX in crane seconds."""
        return self.time(MIN_BAR_PX) - self.time(0.0)


def _frame(plot: Story, measure: _Measure) -> _Frame:
    """Room at the left for the lanes' row names, at the right for the panels' legends."""
    names = [b.name for b in plot.bands] + [r.label for lane in plot.lanes for r in lane.rows]
    left_px = max((measure.width(n) for n in names), default=0.0) + MARGIN_PX
    legend = [line.name for p in plot.panels for line in p.lines]
    handle_px = measure.pad(2.8)  # the legend's line sample and its gap to the text
    right_px = max((measure.width(n) for n in legend), default=0.0) + handle_px + MARGIN_PX
    lo, hi = plot.span
    margin = 0.01 * (hi - lo)
    return _Frame(max(0.85, left_px / DPI), max(0.3, right_px / DPI), (lo - margin, hi + margin))


# --- the header: title, outcome, the key to the events ------------------------------------------


@dataclass
class _Header:
    """Texts placed from the figure's top edge, in inches."""

    height_in: float = 0.0
    texts: list[tuple[float, float, str, dict[str, Any]]] = field(default_factory=list)

    def put(self, figure: Figure, top_in: float) -> None:
        width, height = figure.get_size_inches()
        for x, y, text, style in self.texts:
            figure.text(x / width, 1 - (top_in + y) / height, text, parse_math=False, **style)


def _header(title: str, plot: Story, measure: _Measure) -> _Header:
    header = _Header()
    px = 1 / DPI
    title_in = measure.line(TITLE_PT) * px
    grey = {"fontsize": FONT_PT, "va": "top", "color": "dimgrey"}
    title = _fit(title, _across(), measure, TITLE_PT)
    header.texts.append((EDGE_IN, 0.0, title, {"fontsize": TITLE_PT, "va": "top"}))
    header.texts.append((EDGE_IN, title_in + 2 * px, _fit(plot.outcome, _across(), measure), grey))
    y = title_in + (measure.line() + 2 * GAP_PX) * px
    y = _key(plot.events, measure, header, y)
    for text in plot.unfired:
        header.texts.append((EDGE_IN, y, _fit(f"did not happen: {text}", _across(), measure), grey))
        y += (measure.line() + GAP_PX) * px
    header.height_in = y
    return header


def _key(events: Sequence[Event], measure: _Measure, header: _Header, top: float) -> float:
    """The events as a table in as many columns as fit across: the flag, the time, what it was.
    Returns where the table ends."""
    if not events:
        return top
    pad = measure.pad(BADGE_PAD)
    badge_w = max(measure.width(str(e.number), bold=True) for e in events) + 2 * pad
    pitch = measure.line() + 2 * pad + GAP_PX
    avail = _across() - badge_w - BESIDE_PX
    texts = [_fit(f"{e.time_s:.2f} s   {e.text}", avail, measure) for e in events]
    column = max(measure.width(t) for t in texts) + badge_w + BESIDE_PX + COLUMN_GAP_PX
    columns = max(1, min(len(events), int((_across() + COLUMN_GAP_PX) // column)))
    rows = math.ceil(len(events) / columns)
    for i, (event, text) in enumerate(zip(events, texts, strict=True)):
        x = EDGE_IN + (i // rows) * column / DPI
        y = top + (i % rows + 0.5) * pitch / DPI
        colour, _ = _EVENT_STYLE[event.kind]
        header.texts.append((x + badge_w / 2 / DPI, y, str(event.number), _badge_style(colour)))
        style = {"fontsize": FONT_PT, "va": "center", "gid": "event-key"}
        header.texts.append((x + (badge_w + BESIDE_PX) / DPI, y, text, style))
    return top + rows * pitch / DPI


def _badge_style(colour: str) -> dict[str, Any]:
    return {
        "fontsize": FONT_PT, "fontweight": "bold", "color": "white", "ha": "center",
        "va": "center", "gid": "event", "zorder": 5, "clip_on": False,
        "bbox": {"boxstyle": f"round,pad={BADGE_PAD}", "fc": colour, "ec": "none"},
    }  # fmt: skip


# --- lanes and panels ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Block:
    """One axes: its label, its height, and how to draw into it."""

    name: str
    height_in: float
    draw: Callable[[Axes], None]
    left_out: int = 0
    """Labels it had no room for."""


def _blocks(plot: Story, measure: _Measure, frame: _Frame) -> list[_Block]:
    blocks = [_event_block(plot.events, measure, frame)] if plot.events else []
    blocks += [_band_block(lane, measure, frame) for lane in plot.bands]
    blocks += [_row_block(lane, frame) for lane in plot.lanes]
    blocks += [_panel_block(plot, panel) for panel in plot.panels]
    if not blocks:
        blocks.append(_Block("nothing", PANEL_IN / 2, _nothing))
    return blocks


def _nothing(ax: Axes) -> None:
    ax.set_yticks([])
    ax.text(0.5, 0.5, "nothing changed", transform=ax.transAxes, ha="center", va="center")


def _quiet(ax: Axes) -> None:
    """A lane's frame: light, no grid."""
    for spine in ax.spines.values():
        spine.set_color("0.8")
    ax.tick_params(length=0)


def _event_lines(ax: Axes, events: Sequence[Event]) -> None:
    for e in events:
        colour, style = _EVENT_STYLE[e.kind]
        ax.axvline(e.time_s, color=colour, linestyle=style, linewidth=0.8, alpha=0.8, zorder=3)


def _event_block(events: Sequence[Event], measure: _Measure, frame: _Frame) -> _Block:
    """Each event a numbered flag on a pole at its time; flags that would touch go higher."""
    pad = measure.pad(BADGE_PAD)
    spans = []
    for e in events:
        half = measure.width(str(e.number), bold=True) / 2 + pad
        spans.append((frame.px(e.time_s) - half, frame.px(e.time_s) + half))
    rows = [r or 0 for r in stack(spans, gap=GAP_PX)]
    pitch_in = (measure.line() + 2 * pad + GAP_PX) / DPI
    height = (max(rows) + 1) * pitch_in + GAP_PX / DPI

    def draw(ax: Axes) -> None:
        ax.set_ylim(0, height)
        ax.set_yticks([])
        ax.set_axis_off()
        for e, row in zip(events, rows, strict=True):
            colour, style = _EVENT_STYLE[e.kind]
            y = (row + 0.5) * pitch_in
            ax.vlines(e.time_s, 0, y, colors=colour, linestyles=style, linewidth=0.8)
            ax.text(e.time_s, y, str(e.number), **_badge_style(colour))

    return _Block("events", height, draw)


def _band_colour(lane: BandLane, value: str, others: dict[str, str]) -> str:
    if value in lane.quiet:
        return _PASSING
    if lane.name == "job":
        value = value.rsplit(" ", 1)[-1]
    if value in _BAND_COLOURS:
        return _BAND_COLOURS[value]
    return others.setdefault(value, _OTHER_COLOURS[len(others) % len(_OTHER_COLOURS)])


def _band_block(lane: BandLane, measure: _Measure, frame: _Frame) -> _Block:
    """Bands of colour, each labelled inside where its label fits, else above it in rows."""
    pad = measure.pad(LABEL_PAD)
    width_px = frame.width_in * DPI
    inside, above, spans = [], [], []
    for band in lane.bands:
        x0, x1 = frame.px(band.start_s), frame.px(band.end_s)
        w = measure.width(band.value) + 2 * pad
        if w + GAP_PX <= x1 - x0:
            inside.append(band)
        elif band.value not in lane.quiet:
            centre = min(max((x0 + x1) / 2, w / 2), width_px - w / 2)  # inside the axes
            above.append((band, frame.time(centre)))
            spans.append((centre - w / 2, centre + w / 2))
    rows = stack(spans, gap=GAP_PX, max_rows=MAX_LABEL_ROWS)
    used = max((r for r in rows if r is not None), default=-1) + 1
    pitch_in = (measure.line() + 2 * pad + GAP_PX) / DPI
    height = BAND_IN + used * pitch_in + (GAP_PX / DPI if used else 0.0)
    colours: dict[str, str] = {}

    def draw(ax: Axes) -> None:
        _quiet(ax)
        ax.set_ylim(0, height)
        ax.set_yticks([BAND_IN / 2], [lane.name])
        fills = [_band_colour(lane, b.value, colours) for b in lane.bands]
        _bars(ax, frame, [(b.start_s, b.end_s) for b in lane.bands], (0, BAND_IN), fills)
        _bars(ax, frame, lane.unknown, (0, BAND_IN), _UNKNOWN)
        ax.axhline(BAND_IN, color="0.8", linewidth=0.6)
        for band in inside:
            middle = (band.start_s + band.end_s) / 2
            ax.text(middle, BAND_IN / 2, band.value, ha="center", va="center", fontsize=FONT_PT,
                    gid="band-label", zorder=4, parse_math=False)  # fmt: skip
        for (band, x), row in zip(above, rows, strict=True):
            if row is None:
                continue
            y = BAND_IN + GAP_PX / DPI + (row + 0.5) * pitch_in
            box = {"boxstyle": f"round,pad={LABEL_PAD}", "linewidth": 0,
                   "fc": _band_colour(lane, band.value, colours)}  # fmt: skip
            ax.text(x, y, band.value, ha="center", va="center", fontsize=FONT_PT,
                    gid="band-label", bbox=box, zorder=4, clip_on=False,
                    parse_math=False)  # fmt: skip

    return _Block(f"band:{lane.name}", height, draw, rows.count(None))


_UNKNOWN = {"facecolors": "none", "edgecolors": "0.6", "hatch": "////"}
"""How stretches where a value was unknown are drawn."""


def _bars(
    ax: Axes,
    frame: _Frame,
    spans: Sequence[tuple[float, float]],
    y: tuple[float, float],
    style: str | Sequence[str] | dict[str, Any],
) -> None:
    """A bar for each (from, to) span, filled with ``style`` (a colour per span, one colour, or
    broken_barh's keywords). Bars narrower than MIN_BAR_PX are drawn that wide on top of the
    others: a state held for one scan still shows."""
    if not spans:
        return
    kw = style if isinstance(style, dict) else {"facecolors": style}
    ax.broken_barh([(a, b - a) for a, b in spans], y, linewidth=0, **kw)
    short = [i for i, (a, b) in enumerate(spans) if b - a < frame.least_s]
    if short:
        if isinstance(style, list | tuple):
            kw = {"facecolors": [style[i] for i in short]}
        bars = [(spans[i][0], frame.least_s) for i in short]
        ax.broken_barh(bars, y, linewidth=0, zorder=2.5, **kw)


def _row_block(lane: RowLane, frame: _Frame) -> _Block:
    """Each row low (a thin line) where false, high (a filled bar) where true, hatched where
    unknown; green rows are healthy when true, red ones trouble."""
    height = len(lane.rows) * ROW_IN

    def draw(ax: Axes) -> None:
        _quiet(ax)
        ax.set_ylim(0, height)
        ticks = []
        for i, row in enumerate(lane.rows):
            y0 = height - (i + 1) * ROW_IN + 0.2 * ROW_IN
            h = 0.6 * ROW_IN
            colour = _TONE[row.tone]
            ax.axhline(y0, color=colour, linewidth=0.6, alpha=0.6)
            _bars(ax, frame, row.true, (y0, h), colour)
            gaps = [(b, a) for (_, b), (a, _) in itertools.pairwise(row.true)]
            _bars(ax, frame, [g for g in gaps if g[1] - g[0] < frame.least_s], (y0, h), "white")
            _bars(ax, frame, row.unknown, (y0, h), _UNKNOWN)
            ticks.append(y0 + h / 2)
        ax.set_yticks(ticks, [row.label for row in lane.rows])

    return _Block(f"lane:{lane.name}", height, draw)


def _panel_block(plot: Story, panel: Panel) -> _Block:
    def draw(ax: Axes) -> None:
        style = "steps-post" if panel.steps else "default"
        for line in panel.lines:
            ax.plot(plot.times, line.values, label=line.name, linewidth=1, drawstyle=style)
        ax.set_ylabel(panel.title, fontsize=FONT_PT)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=FONT_PT, frameon=False)

    return _Block(f"panel:{panel.title}", PANEL_IN, draw)


# --- the footer ---------------------------------------------------------------------------------


def _left_out_note(plot: Story, blocks: Sequence[_Block]) -> list[str]:
    """What the plot does not show, as phrases to wrap: a sentence for each kind."""
    phrases = []
    rows = [row for lane in plot.lanes for row in lane.rows]
    if any(lane.unknown for lane in plot.bands) or any(row.unknown for row in rows):
        phrases.append("Hatched: unknown, or not seen (no scan).")
    crowded = [f"{b.left_out} {b.name.removeprefix('band:')} labels" for b in blocks if b.left_out]
    for opening, items in (
        ("Not drawn, nothing changed:", plot.left_out),
        ("No room for", crowded),
    ):
        if items:
            phrases += [opening, *(f"{item};" for item in items[:-1]), f"{items[-1]}."]
    return phrases


def _wrapped(phrases: Sequence[str], measure: _Measure) -> list[str]:
    """``phrases`` joined by spaces into lines that fit across (a phrase wider than a line is
    cut short)."""
    lines: list[str] = []
    avail = _across()
    for phrase in phrases:
        joined = f"{lines[-1]} {phrase}" if lines else phrase
        if lines and measure.width(joined) <= avail:
            lines[-1] = joined
        else:
            lines.append(_fit(phrase, avail, measure))
    return lines
