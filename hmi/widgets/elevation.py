"""The crane drawn across the span at its gantry position, with a strip along the rails."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget

from crane_ctrl.crane import CraneParams
from crane_ctrl.operation.jobs import Job
from crane_ctrl.runtime.station import BoxPlace, StationView
from crane_ctrl.sequencer.readings import carried
from crane_ctrl.site import SiteLayout
from crane_ctrl.snapshot import Snapshot
from hmi.format import spreader_state
from hmi.section import CraneAt, draw_section, draw_strip

__all__ = ["Elevation", "carried_id"]


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


class Elevation(Widget):
    """Redraws only when the crane or a container has moved."""

    DEFAULT_CSS = "Elevation { height: 1fr; min-height: 8; }"

    def __init__(self, site: SiteLayout, params: CraneParams, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.site = site
        self.params = params
        self._crane = CraneAt(None, None, None)
        self._boxes: tuple[BoxPlace, ...] = ()

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
        if crane != self._crane or boxes != self._boxes:
            self._crane, self._boxes = crane, boxes
            self.refresh()

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        gantry = self._crane.gantry_m
        where = "x ?" if gantry is None else f"x {gantry:5.1f} m "
        out = Text(where, "dim")
        out.append_text(draw_strip(width - len(where), self.site, self.params, gantry))
        out.append("\n")
        out.append_text(
            draw_section(width, height - 2, self.site, self.params, self._boxes, self._crane)
        )
        return out


def _rounded(value: float | None) -> float | None:
    """To the centimetre: a redraw for a move the drawing cannot show is wasted."""
    return None if value is None else round(value, 2)
