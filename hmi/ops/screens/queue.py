"""Queue: the remote-operator queue, the cranes whose semi-automatic landing waits for an
operator to jog it and confirm, the longest waiting first. Enter drills into the crane; ``t``
takes the landing of the crane under the cursor (``landing.take``, logged in there first) and
opens the Landing screen to jog it down and confirm it (:mod:`hmi.ops.screens.landing`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from crane_ctrl.fleet.command_path import Answer
from crane_ctrl.fleet.fleet_view import CraneKey, FleetView, Waiting
from hmi.format import WARNING
from hmi.ops.format import at
from hmi.ops.screens.base import OpsScreen
from hmi.widgets.line_table import Cells, LineTable
from hmi.widgets.text_line import TextLine

__all__ = ["QueueScreen", "waiting_cells"]

COLUMNS = ("crane", "landing to confirm", "job", "waiting since", "waited")


def waiting_cells(waiting: Waiting, now_ms: int) -> Cells:
    waited = "" if waiting.since_ms is None else f"{(now_ms - waiting.since_ms) / 1000:.0f} s"
    return (Text(str(waiting.crane), "bold"), Text(f"[!] {waiting.landing}", WARNING),
            waiting.job or "—", at(waiting.since_ms), waited)  # fmt: skip


class QueueScreen(OpsScreen):
    NAME = "queue"
    AUTO_FOCUS = "#queue"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "take", "take the landing"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._cranes: dict[str, CraneKey] = {}

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="queue-count")
        yield LineTable(COLUMNS, id="queue")

    def show_body(self, view: FleetView) -> None:
        count = len(view.queue)
        self.query_one("#queue-count", TextLine).show(
            f"{count} crane(s) waiting for a remote operator · Enter drills into the crane"
            if count else "no crane is waiting for a remote operator"
        )  # fmt: skip
        self._cranes = {str(w.crane): w.crane for w in view.queue}
        rows = [(str(w.crane), waiting_cells(w, view.time_ms)) for w in view.queue]
        self.query_one("#queue", LineTable).show(rows)

    def selected(self) -> CraneKey | None:
        return self._cranes.get(self.query_one("#queue", LineTable).selected() or "")

    def on_line_table_selected(self, event: LineTable.Selected) -> None:
        crane = self._cranes.get(event.key)
        if crane is not None:
            self.ops.open_crane(crane)

    def target(self) -> CraneKey | None:
        return self.selected()

    def action_take(self) -> None:
        """Take the landing of the crane under the cursor; on the crane's yes, the Landing
        screen (the refusal, in the crane's words, stays on the message line)."""
        crane = self.selected()
        if crane is None:
            self.ops.say("take: no crane waits for an operator", refused=True)
            return

        def taken(answer: Answer) -> None:
            if answer.done:
                self.ops.landing = crane
                self.app.switch_mode("landing")

        self.ops.commands.send(crane, "landing.take", "take the landing", then=taken)
