"""The alarm banner on every screen: what waits to be acknowledged, counted as the Alarms screen
counts it, what is hidden (shelved, suppressed, out of service) counted apart, and, whatever the
alarms show, whether the wind holds the crane.

The counts are the Alarms screen's: ``shown`` is its default filter's (unacknowledged,
acknowledged, returned unacknowledged). A wind trip (an active interlock, not an alarm) is said
first and stays said while it blocks: shelving its alarm hides the alarm, never the hold.
"""

from __future__ import annotations

from rich.text import Text

from crane_ctrl.alarms.states import UNACKNOWLEDGED, VISIBLE, AlarmState, AlarmView
from crane_ctrl.interlocks.evaluate import Trip
from crane_ctrl.runtime.supervisor import SupervisorView
from hmi.widgets.text_line import TextLine

__all__ = ["WIND_TRIPS", "AlarmBanner", "banner_text", "hidden_text", "list_order", "wind_hold"]

WIND_TRIPS = ("WIND_STORM", "WIND_STOP", "WIND_NO_LIFT")
"""The interlocks by which the wind holds the crane, the most severe first."""
_HIDDEN_NAMES = (
    (AlarmState.SHELVED, "shelved"),
    (AlarmState.SUPPRESSED, "suppressed"),
    (AlarmState.OUT_OF_SERVICE, "out of service"),
)


def wind_hold(view: SupervisorView) -> Trip | None:
    """The most severe wind trip blocking now (not bypassed), if any."""
    if view.permits is None:
        return None
    active = {t.id: t for t in view.permits.active if not t.bypassed}
    return next((active[i] for i in WIND_TRIPS if i in active), None)


def hidden_text(alarms: tuple[AlarmView, ...]) -> str:
    """``1 shelved · 1 suppressed``: the hidden alarms by why, or ``""``."""
    counts = [(sum(a.state is state for a in alarms), name) for state, name in _HIDDEN_NAMES]
    return " · ".join(f"{n} {name}" for n, name in counts if n)


def list_order(alarm: AlarmView) -> tuple[int, float]:
    """How the Alarms screen orders its list: the most urgent first, the newest first within a
    priority. The banner names the list's first unacknowledged alarm."""
    return int(alarm.priority), -(alarm.activated_at or 0.0)


def banner_text(view: SupervisorView) -> tuple[Text, bool]:
    """The banner line and whether it is abnormal (an alarm to acknowledge, a flood, a wind
    hold)."""
    shown = [a for a in view.alarms if a.state in VISIBLE]
    unack = [a for a in view.annunciated if a.state in UNACKNOWLEDGED]
    hidden = hidden_text(view.alarms)
    out = Text()
    wind = wind_hold(view)
    if wind is not None:
        out.append(f"▲ HELD BY WIND ({wind.id}: {wind.reason}) · ")
    if view.flood:
        out.append("▲ FLOOD · ")
    if unack:
        out.append(f"▲ {len(unack)} UNACKNOWLEDGED of {len(shown)} shown")
    elif shown:
        out.append(f"{len(shown)} shown, all acknowledged")
    else:
        out.append("no alarms" if not hidden else "no alarms shown")
    if hidden:
        out.append(f" · {hidden}")
    if unack:
        top = min(unack, key=list_order)  # the Alarms list's first
        first = " ◆ first out" if top.first_out else ""
        out.append(f" · A ack all · {top.priority.name} {top.id}: {top.message}{first}")
    return out, bool(unack) or view.flood or wind is not None


class AlarmBanner(TextLine):
    """One line; class ``-abnormal`` (and the ▲ text) while an alarm waits to be acknowledged,
    in a flood, or while the wind holds the crane."""

    def show_alarms(self, view: SupervisorView) -> None:
        text, abnormal = banner_text(view)
        self.show(text, abnormal=abnormal)
