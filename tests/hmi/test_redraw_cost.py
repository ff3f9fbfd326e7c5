"""What a 10 Hz refresh costs the HMI process (issue 16: at most 15 % of a core): new text in a
line of fixed size repaints the line, never lays the screen out again; the cross-section is
repainted only when its drawing changes; trends redraw their sparkline twice a second."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from crane_ctrl.alarms.states import AlarmState, AlarmView, Priority
from crane_ctrl.runtime.supervisor import SupervisorView
from hmi.section import CraneAt
from hmi.widgets.alarm_banner import banner_text, list_order
from hmi.widgets.elevation import Section
from hmi.widgets.text_line import TextLine
from hmi.widgets.trend import REDRAW_EVERY, Trend
from simulators.site_file import load_site


class _Refreshes:
    """Counts a widget's refreshes, and those that ask for a layout pass."""

    def __init__(self, widget: Widget) -> None:
        self.repaints = 0
        self.layouts = 0
        original = widget.refresh

        def counted(*regions: Any, **kwargs: Any) -> Widget:
            self.repaints += 1
            self.layouts += bool(kwargs.get("layout"))
            return original(*regions, **kwargs)

        widget.refresh = counted  # type: ignore[method-assign]


class _Lines(App[None]):
    CSS = "#fixed { height: 1; } #wrapping { height: auto; }"

    def compose(self) -> ComposeResult:
        yield TextLine(id="fixed")
        yield TextLine(id="wrapping")
        yield Trend(id="trend")
        site = load_site()
        yield Section(site.site, site.crane)


async def test_new_text_in_a_fixed_line_repaints_it_without_a_layout_pass() -> None:
    app = _Lines()
    async with app.run_test(size=(40, 20)) as pilot:
        line = app.query_one("#fixed", TextLine)
        counts = _Refreshes(line)
        for n in range(20):
            line.show(f"gantry {n:5.2f} m")
        await pilot.pause()
        assert counts.repaints == 20
        assert counts.layouts == 0
        line.show("gantry 19.00 m")  # the same text again: nothing at all
        assert counts.repaints == 20


async def test_a_line_of_auto_height_is_laid_out_only_when_it_wraps_to_more_lines() -> None:
    app = _Lines()
    async with app.run_test(size=(40, 20)) as pilot:
        line = app.query_one("#wrapping", TextLine)
        line.show("short")
        await pilot.pause()
        counts = _Refreshes(line)
        line.show("short, still one line")
        assert counts.layouts == 0
        line.show("x" * 60)  # 60 cells in a 40-cell line: two lines
        assert counts.layouts == 1
        await pilot.pause()
        assert line.size.height == 2


async def test_the_section_is_repainted_only_when_its_drawing_changes() -> None:
    app = _Lines()
    async with app.run_test(size=(40, 20)) as pilot:
        section = app.query_one(Section)
        section.show(CraneAt(30.0, 10.0, 8.0, 40), ())
        await pilot.pause()
        counts = _Refreshes(section)
        section.show(CraneAt(30.0, 10.01, 8.01, 40), ())  # a centimetre: the same cells
        assert counts.repaints == 0
        section.show(CraneAt(30.0, 20.0, 3.0, 40), ())  # metres: other cells
        assert counts.repaints == 1


async def test_a_trend_redraws_its_sparkline_every_few_samples_and_its_label_every_one() -> None:
    app = _Lines()
    async with app.run_test(size=(60, 20)):
        trend = app.query_one(Trend)
        pushed = REDRAW_EVERY * 4
        for n in range(pushed):
            trend.push(float(n), Text(f"Wind {n} m/s"))
        assert len(trend.samples) == pushed
        drawn = trend.query_one(Sparkline).data or []
        assert len(drawn) == 1 + REDRAW_EVERY * 3  # the first sample, then every fifth
        assert trend.query_one(Static).render() is not None
        assert str(trend.query_one(Static).visual) == f"Wind {pushed - 1} m/s"


def _alarm_view(alarm_id: str, priority: Priority, activated_at: float) -> AlarmView:
    return AlarmView(
        alarm_id, f"{alarm_id} text", priority, AlarmState.UNACK, True, True, activated_at,
        activated_at, None, None, None, False, False, False, False, 1,
    )  # fmt: skip


def test_the_banner_names_the_alarm_the_list_shows_first() -> None:
    """The banner named the oldest unacknowledged alarm while the Alarms list put the newest
    first (found by the tmux end-to-end test): both now order alike."""
    old = _alarm_view("WIND_PREALARM", Priority.MEDIUM, 10.0)
    new = _alarm_view("SCAN_OVERRUN", Priority.MEDIUM, 20.0)
    urgent = _alarm_view("ESTOP", Priority.HIGH, 5.0)
    for alarms, first in (((old, new), new), ((old, new, urgent), urgent)):
        view = SimpleNamespace(alarms=alarms, annunciated=alarms, flood=False, permits=None)
        text, abnormal = banner_text(cast(SupervisorView, view))
        assert abnormal
        assert f"{first.priority.name} {first.id}:" in text.plain
        assert min(alarms, key=list_order) is first
