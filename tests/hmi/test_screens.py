"""Every screen renders, at 80x24 and larger, with the alarm banner; screens by key and palette."""

from __future__ import annotations

import pytest

from crane_ctrl.testing import StationRig
from hmi.screens.base import SCREEN_TITLES
from hmi.widgets.alarm_banner import AlarmBanner
from tests.hmi.conftest import GENERIC, Hmi, hmi_on


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_screen_renders_with_the_alarm_banner(size: tuple[int, int]) -> None:
    async with StationRig(GENERIC) as rig:
        rig.sim.faults.inject("estop")  # an unacknowledged alarm for the banner
        async with hmi_on(rig, rig.operator, size=size) as hmi:
            await hmi.step(10)
            for number, (name, _title) in enumerate(SCREEN_TITLES, start=1):
                await hmi.press(str(number))
                await hmi.step(2)
                assert name == hmi.screen.NAME
                banner = hmi.screen.query_one(AlarmBanner)
                assert banner.plain.startswith("▲")
                assert "UNACKNOWLEDGED" in banner.plain
                assert banner.has_class("-abnormal")
                assert hmi.app.export_screenshot()  # the whole screen draws without error
                footer = await _footer(hmi)  # every key is one key away, or Escape then one
                assert footer.startswith((" ? keys", " esc leave the field")), footer


async def _footer(hmi: Hmi) -> str:
    """The footer's line once it has its keys (it recomposes after a refresh)."""
    for _ in range(50):
        line = hmi.app.screen._compositor.render_strips()[-1].text
        if line.strip() != "▏^p palette":
            return line
        await hmi.pilot.pause()
    raise AssertionError("the footer shows no key")


async def test_calm_banner_and_overview_when_nothing_is_wrong() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator, size=(80, 24)) as hmi:
        await hmi.step(5)
        assert hmi.screen.query_one(AlarmBanner).plain == "no alarms"
        assert not hmi.screen.query_one(AlarmBanner).has_class("-abnormal")
        assert "LOCKED" in hmi.text("#spreader") or "UNLOCKED" in hmi.text("#spreader")
        assert hmi.text("#axis-hoist").startswith("Hoist")


async def test_command_palette_reaches_every_screen_and_the_machine_commands() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        titles = {c.title for c in hmi.app.get_system_commands(hmi.app.screen)}
        assert {f"Show {title}" for _, title in SCREEN_TITLES} <= titles
        assert {"Log in", "Acknowledge all alarms", "Machine RESET", "Machine HOLD"} <= titles
        show_alarms = next(
            c for c in hmi.app.get_system_commands(hmi.app.screen) if c.title == "Show Alarms"
        )
        show_alarms.callback()
        await hmi.show()
        assert hmi.screen.NAME == "alarms"
