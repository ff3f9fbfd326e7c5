"""Queue: the remote-operator queue, the cranes whose semi-automatic landing waits for an
operator to jog it and confirm, the longest waiting first. Enter drills into the crane.

Taking a crane from here (jog and confirm its landing remotely) is the command path's
(issue 19, ``crane_ctrl/fleet/operator_client.py``): :meth:`QueueScreen.action_take` is where it
is wired; until then it says so and sends nothing.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

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
        Binding("t", "take", "take the crane (coming)"),
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

    def action_take(self) -> None:
        """Take the crane under the cursor: the operator's session, then its landing's jog and
        confirm as NCMD. Wired here once the command path is in (issue 19, ops-commands)."""
        crane = self.selected()
        if crane is None:
            self.ops.say("no crane waits for an operator", refused=True)
            return
        self.ops.say(f"taking {crane} comes with the command path; confirm its landing on "
                     "the crane's own HMI meanwhile", refused=True)  # fmt: skip
