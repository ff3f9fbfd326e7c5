"""Truthful screens (issue 18 deliverable 4): the load drawn where it hangs, the banner counting
as the alarm list does and saying a wind hold whatever is shelved, wall-clock times, the login's
focus and the bypass dialog's ids. Unit tests of the drawing and text functions, and one rig."""

from __future__ import annotations

import re

from textual.widgets import Input, Label, Select

from crane_ctrl.alarms.states import AlarmState
from crane_ctrl.crane import CraneParams
from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.operation.jobs import Job
from crane_ctrl.operation.machine import PackCommand, PackState, Role
from crane_ctrl.runtime.journal import Event
from crane_ctrl.runtime.station import BoxPlace, StationView
from crane_ctrl.site import SiteLayout, Slot
from crane_ctrl.testing import StationRig
from hmi.format import time_of_day
from hmi.screens.bypass import EXAMPLE_INTERLOCK, BypassModal, interlock_problem
from hmi.screens.events import event_row
from hmi.section import BOX, CraneAt, draw_section
from hmi.widgets.elevation import Section, carried_id
from tests.hmi.conftest import GENERIC, hmi_on
from tests.unit.test_interlocks import LANDED, LOCKED, snap

SITE, PARAMS = SiteLayout(), CraneParams()
_, LANE = SITE.lanes()[0]
TRUCK = Slot.truck(LANE.id)
ON_TRUCK = BoxPlace("MSKU1", 40, TRUCK, 150.0, LANE.y_m, LANE.deck_height_m, 2.591)
JOB = Job("J1", TRUCK, Slot.stack(bay=3, row=1), 40, None, None, 0.0)


def _box_rows(drawing: str) -> list[int]:
    return [i for i, line in enumerate(drawing.splitlines()) if BOX in line]


def test_a_hanging_container_is_drawn_under_the_spreader_not_on_its_truck() -> None:
    crane = CraneAt(150.0, LANE.y_m, 15.0, 40)
    standing = draw_section(60, 14, SITE, PARAMS, [ON_TRUCK], crane).plain
    hanging = draw_section(60, 14, SITE, PARAMS, [ON_TRUCK],
                           CraneAt(150.0, LANE.y_m, 15.0, 40, carrying="MSKU1")).plain  # fmt: skip
    spreader_row = next(i for i, line in enumerate(hanging.splitlines()) if "┻" in line)
    assert min(_box_rows(standing)) > spreader_row + 2  # on the deck, far below the spreader
    assert min(_box_rows(hanging)) == spreader_row + 1
    assert max(_box_rows(hanging)) < min(_box_rows(standing))  # the deck is empty


def test_the_job_box_is_carried_only_locked_and_weighed() -> None:
    hangs = snap({**LOCKED, **LANDED, "hoist.load": 22.0})
    assert carried_id([ON_TRUCK], JOB, hangs) == "MSKU1"
    assert carried_id([ON_TRUCK], JOB, snap({**LOCKED, **LANDED, "hoist.load": 0.2})) is None
    assert carried_id([ON_TRUCK], JOB, snap({**LANDED, "hoist.load": 22.0})) is None  # unlocked
    assert carried_id([ON_TRUCK], None, hangs) is None


def test_event_times_are_wall_clock_and_numbers_rounded() -> None:
    wall = 1_800_000_600.25
    event = Event(1, wall, "c", "system", "sequence lift", {
        "time": 269.809103355, "job": "J1", "shelved_until": 569.809103355, "z": 3.98512345,
    })  # fmt: skip
    when, _kind, _subject, values = event_row(event)
    assert when == time_of_day(wall)
    assert re.fullmatch(r"\d\d:\d\d:\d\d", when)
    assert "269.8" not in values
    assert "time=" not in values
    assert f"shelved_until={time_of_day(wall + 300.0)}" in values
    assert "z=3.985" in values
    assert "3.98512" not in values


def test_bypass_suggests_and_accepts_only_catalogue_interlocks() -> None:
    assert EXAMPLE_INTERLOCK in INTERLOCKS
    assert interlock_problem("wind_stop") == ""
    assert "did you mean LANE_NOT_CLEAR" in interlock_problem("LANE_INTRUSION")


def _state(view: StationView, alarm_id: str) -> AlarmState:
    return next(a.state for a in view.supervisor.alarms if a.id == alarm_id)


def _storm(view: StationView) -> bool:
    p = view.supervisor.permits
    return p is not None and any(t.id == "WIND_STORM" for t in p.active)


async def test_shelved_storm_banner_counts_times_login_and_bypass_on_one_rig() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        rig.sim.faults.inject("wind", speed_mps=27.0)
        await hmi.until(lambda v: _storm(v) and _state(v, "WIND_STORM") is AlarmState.UNACK,
                        within_s=10, what="the storm alarm")  # fmt: skip
        rig.station.shelve(rig.operator, "WIND_STORM", 300.0)
        rig.sim.faults.inject("estop")  # an alarm left to show and count
        await hmi.until(lambda v: _state(v, "ESTOP") is AlarmState.UNACK, within_s=2)
        await hmi.press("3")  # the alarm list, default filter
        view = await hmi.step(2)
        banner = hmi.text("#banner")
        assert banner.startswith("▲ HELD BY WIND (WIND_STORM: wind 27")  # shelving cannot hide it
        assert hmi.screen.query_one("#banner").has_class("-abnormal")
        shelved = sum(a.state is AlarmState.SHELVED for a in view.supervisor.alarms)
        suppressed = sum(a.state is AlarmState.SUPPRESSED for a in view.supervisor.alarms)
        assert (shelved, suppressed > 0) == (1, True)
        assert f"{shelved} shelved · {suppressed} suppressed" in banner
        listed = re.search(r"(\d+) alarm\(s\)", hmi.text("#filters"))
        counted = re.search(r"(\d+) shown", banner)
        assert listed
        assert counted
        assert listed[1] == counted[1]
        await hmi.press("2")  # interlocks: the storm latched, at a time of day
        assert re.search(r"latched at \d\d:\d\d:\d\d", hmi.text("#whynot"))
        assert not re.search(r"latched at [\d.]+ s", hmi.text("#whynot"))

        await hmi.press("L")  # login: the role first; a role change clears the last refusal
        modal = hmi.app.screen
        assert isinstance(modal.focused, Select)
        await hmi.press("tab", "9", "9", "9", "9", "enter")
        why = modal.query_one("#why", Label)
        assert "[!]" in str(why.render())
        modal.query_one("#role", Select).value = Role.MAINTENANCE
        await hmi.show()
        assert str(why.render()) == ""
        await hmi.press("escape")

        hmi.app.push_screen(BypassModal())
        await hmi.show()
        bypass = hmi.app.screen
        field = bypass.query_one("#interlock", Input)
        assert EXAMPLE_INTERLOCK in field.placeholder
        bypass.query_one("#reason", Input).value = "test"
        field.value = "LANE_INTRUSION"
        field.focus()
        await hmi.press("enter")
        assert hmi.app.screen is bypass
        assert "no interlock 'LANE_INTRUSION'" in str(bypass.query_one("#why", Label).render())


async def test_a_box_left_hanging_by_a_cancelled_job_is_drawn_under_the_spreader() -> None:
    """The operator stops mid-lift and cancels: the job is gone, the box hangs on (out of the
    yard's slots until set down by hand); the view says so and the drawing shows it there."""
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        rig.station.add_job(rig.operator, TRUCK, Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        await rig.until(lambda v: v.step == "raise" and (v.progress or 0.0) > 0.4, within_s=200,
                        what="the box lifted off the truck")  # fmt: skip
        rig.station.pack(rig.operator, PackCommand.STOP)
        await rig.until(lambda v: v.machine is PackState.STOPPED, within_s=20, what="STOPPED")
        rig.station.cancel_job(rig.operator, "J1")
        view = await hmi.step()
        assert view.job is None
        assert view.hanging is not None
        assert view.hanging.id not in {b.id for b in view.boxes}
        drawing = hmi.screen.query_one(Section).render().plain.splitlines()
        spreader = next(i for i, line in enumerate(drawing) if "┻" in line)
        column = drawing[spreader].index("┻")
        assert drawing[spreader + 1][column] == BOX  # hanging right under it
