"""The crane drawn across the span at its gantry position, with a strip along the rails."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.widget import Widget

from crane_ctrl.crane import CraneParams
from crane_ctrl.operation.jobs import Job
from crane_ctrl.runtime.station import BoxPlace, StationView
from crane_ctrl.sequencer.readings import carried
from crane_ctrl.site import SiteLayout
from crane_ctrl.snapshot import Snapshot
from hmi.format import spreader_state
from hmi.section import CraneAt, draw_section, draw_strip
from hmi.widgets.text_line import TextLine

__all__ = ["Elevation", "Section", "carried_id"]


def carried_id(boxes: Iterable[BoxPlace], job: Job | None, snapshot: Snapshot) -> str | None:
    """The container hanging on the spreader: the running job's (by its container id, else the
    one on its pick slot), while all twistlocks are locked and the ropes carry it (load cell,
    no slack rope). The yard books it to its pick slot until it is set down; ``None`` when
    nothing hangs."""
    if job is None or spreader_state(snapshot) != "locked" or not carried(snapshot):
        return None
    boxes = tuple(boxes)
    by_id = [b.id for b in boxes if job.container_id is not None and b.id == job.container_id]
    by_slot = [b.id for b in boxes if b.slot == job.from_slot]
    return next(iter(by_id + by_slot), None)


class Elevation(Vertical):
    """The strip along the rails (one line, redrawn as the gantry moves) over the section across
    the span (redrawn only when a cell of it changes)."""

    DEFAULT_CSS = """
    Elevation { height: 1fr; min-height: 8; }
    Elevation > #strip { height: 1; }
    Elevation > Section { height: 1fr; }
    """

    def __init__(self, site: SiteLayout, params: CraneParams, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.site = site
        self.params = params

    def compose(self) -> ComposeResult:
        yield TextLine(id="strip")
        yield Section(self.site, self.params)

    def show(self, view: StationView) -> None:
        s = view.supervisor.snapshot
        boxes, carrying = view.boxes, carried_id(view.boxes, view.job, s)
        if view.hanging is not None:  # left hanging by a cancelled job: out of the yard's slots
            boxes, carrying = (*boxes, view.hanging), view.hanging.id
        crane = CraneAt(
            _rounded(s.number("gantry.position")), _rounded(s.number("trolley.position")),
            _rounded(s.number("hoist.position")),
            None if (size := s.number("spreader.size")) is None else int(size),
            abnormal_spreader=spreader_state(s) not in ("locked", "unlocked"),
            carrying=carrying,
        )  # fmt: skip
        gantry = crane.gantry_m
        where = "x ?" if gantry is None else f"x {gantry:5.1f} m "
        width = self.content_size.width
        strip = Text(where, "dim")
        strip.append_text(draw_strip(width - len(where), self.site, self.params, gantry))
        self.query_one("#strip", TextLine).show(strip)
        self.query_one(Section).show(crane, boxes)


class Section(Widget):
    """The cross-section at the crane's gantry position. Drawing it is cheap; having Textual
    paint it is not: it is repainted only when the drawing differs from the one shown."""

    def __init__(self, site: SiteLayout, params: CraneParams) -> None:
        super().__init__()
        self.site = site
        self.params = params
        self._crane = CraneAt(None, None, None)
        self._boxes: tuple[BoxPlace, ...] = ()
        self._drawn: tuple[Size, Text] | None = None

    def show(self, crane: CraneAt, boxes: tuple[BoxPlace, ...]) -> None:
        if crane == self._crane and boxes == self._boxes:
            return
        self._crane, self._boxes = crane, boxes
        before = self._drawn
        if before is None or self._draw() != before:
            self.refresh()

    def _draw(self) -> tuple[Size, Text]:
        size = self.content_size
        text = draw_section(size.width, size.height - 1, self.site, self.params, self._boxes,
                            self._crane)  # fmt: skip
        self._drawn = size, text
        return self._drawn

    def render(self) -> Text:
        drawn = self._drawn
        if drawn is None or drawn[0] != self.content_size:
            drawn = self._draw()
        return drawn[1]


def _rounded(value: float | None) -> float | None:
    """To the centimetre: a redraw for a move the drawing cannot show is wasted."""
    return None if value is None else round(value, 2)
