"""The unacknowledged-alarm banner on every screen: calm when there is nothing to acknowledge."""

from __future__ import annotations

from rich.text import Text

from crane_ctrl.alarms.states import AlarmState
from crane_ctrl.runtime.supervisor import SupervisorView
from hmi.widgets.text_line import TextLine

__all__ = ["AlarmBanner", "banner_text"]

_UNACK = frozenset({AlarmState.UNACK, AlarmState.RTN_UNACK})


def banner_text(view: SupervisorView) -> tuple[Text, bool]:
    """The banner line and whether anything waits to be acknowledged."""
    unack = [a for a in view.annunciated if a.state in _UNACK]
    flood = "FLOOD · " if view.flood else ""
    if not unack:
        active = sum(a.active for a in view.annunciated)
        calm = f"{flood}{active} active alarm(s), all acknowledged" if active else "no alarms"
        return Text(calm), bool(flood)
    top = unack[0]
    first = " ◆ first out" if top.first_out else ""
    line = (
        f"▲ {len(unack)} UNACKNOWLEDGED · {flood}{top.priority.name} {top.id}: {top.message}"
        f"{first} · 3 alarms, A ack all"
    )
    return Text(line), True


class AlarmBanner(TextLine):
    """One line; class ``-abnormal`` (and the ▲ text) while an alarm waits to be acknowledged."""

    def show_alarms(self, view: SupervisorView) -> None:
        text, unack = banner_text(view)
        self.show(text, abnormal=unack)
