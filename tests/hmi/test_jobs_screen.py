"""Jobs: a job added through the form runs to the end in lock-step; hold and resume; the form
refuses what the site cannot take."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select

from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import PackState
from crane_ctrl.site import Slot, parse_slot
from crane_ctrl.testing import StationRig
from tests.hmi.conftest import GENERIC, Hmi, hmi_on

JOB_LIMIT_S = 400.0
"""Crane time a truck-to-stack job may take (about 100 s of motion)."""


async def _fill_form(hmi: Hmi, source: str, target: str) -> None:
    await hmi.press("4")
    screen = hmi.screen
    screen.query_one("#from", Input).value = source
    screen.query_one("#to", Input).value = target
    screen.query_one("#to", Input).focus()
    await hmi.press("enter")


async def test_job_added_through_the_form_runs_to_done() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await rig.start_automatic()
        await _fill_form(hmi, "truck:T1", "stack:7:3:1")
        assert "J1 queued" in hmi.message
        view = await hmi.until(lambda v: v.job is not None, within_s=2, what="job started")
        assert view.job is not None
        assert view.job.to_slot == Slot.stack(7, 3, 1)
        assert "J1" in hmi.text("#active")
        await hmi.until(lambda v: bool(v.finished), within_s=JOB_LIMIT_S, what="job finished")
        await hmi.step()
        history = hmi.screen.query_one("#history", DataTable)
        assert history.row_count == 1
        assert history.get_row_at(0)[0] == "J1"
        assert history.get_row_at(0)[4] == "done"
        assert rig.sim.plant.yard.containers["MSKU1234565"].location == Slot.stack(7, 3, 1)


async def test_hold_and_resume_a_running_job() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await rig.start_automatic()
        await _fill_form(hmi, "truck:T1", "stack:7:3:1")
        await hmi.until(lambda v: v.step == "travel", within_s=60, what="travelling")
        hmi.screen.query_one("#queue", DataTable).focus()
        await hmi.press("h")
        held = await hmi.until(lambda v: v.machine is PackState.HELD, within_s=30, what="HELD")
        assert held.job is not None
        assert held.job.active
        assert "HELD" in hmi.text("#status")
        await hmi.press("u")
        view = await hmi.until(lambda v: bool(v.finished), within_s=JOB_LIMIT_S, what="done")
        assert view.finished[0].state is JobState.DONE


async def test_form_refuses_a_lane_the_site_does_not_have() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await _fill_form(hmi, "truck:T9", "stack:7:3:1")
        assert hmi.message.startswith("✗ REFUSED: from:")
        assert "T9" in hmi.message
        assert "T1, T2" in hmi.message
        await _fill_form(hmi, "truck:T1", "stack:99:1:1")
        assert "does not fit in the block" in hmi.message
        hmi.screen.query_one("#size", Select).value = 40  # chosen by hand; T2 holds a 20 ft box
        await _fill_form(hmi, "truck:T2", "stack:11:1:1")
        assert "size: the container at truck lane T2 is 20 ft, not 40" in hmi.message
        await _fill_form(hmi, "stack:1:1:1", "agv:A1")
        assert "no container at stack bay 1 row 1 tier 1" in hmi.message
        assert rig.view.queued == ()


async def test_stop_with_the_box_travelling_stops_then_reset_and_start_finish_the_job() -> None:
    """Issue 14, finding 3 (in the HMI): STOP used to leave the machine STOPPING for good."""
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await rig.start_automatic()
        await _fill_form(hmi, "truck:T1", "stack:7:3:1")
        await hmi.until(lambda v: v.step == "travel" and v.progress is not None
                        and v.progress > 0.5, within_s=120, what="travelling loaded")  # fmt: skip
        hmi.screen.query_one("#queue", DataTable).focus()
        await hmi.press("t")
        stopped = await hmi.until(lambda v: v.machine is PackState.STOPPED, within_s=12,
                                  what="STOPPED")  # fmt: skip
        assert stopped.job is not None
        assert stopped.job.state is JobState.INTERRUPTED
        await hmi.press("r")
        await hmi.until(lambda v: v.machine is PackState.IDLE, within_s=2, what="IDLE")
        await hmi.press("s")
        view = await hmi.until(lambda v: bool(v.finished), within_s=JOB_LIMIT_S, what="done")
        assert view.finished[0].state is JobState.DONE
        assert rig.sim.model_faults == ()


def test_the_form_hints_at_slots_and_lanes_the_site_really_has() -> None:
    from crane_ctrl.site import SiteLayout
    from hmi.screens.jobs import slot_examples
    from simulators.site_file import load_site
    from tests.profile_texts import ROOT

    assert slot_examples(SiteLayout()) == ("truck:T1", "stack:1:1:1")
    mixed = load_site(ROOT / "simulators" / "sites" / "mixed-slots.toml").site
    source, target = slot_examples(mixed)
    assert source == "truck:T1"
    name = target.split(":")[1]
    named = mixed.stack.named(name)  # a named slot: this yard has no bay grid
    assert named is not None, target
    mixed.check_slot(parse_slot(target), named.sizes[0])


def test_the_size_defaults_to_the_box_at_the_source_and_a_wrong_one_is_named() -> None:
    """The form once defaulted to 40 ft and then refused a 20 ft box (issue 18, finding 7)."""
    import pytest

    from crane_ctrl.runtime.station import BoxPlace
    from crane_ctrl.site import SiteLayout
    from hmi.screens.jobs import BOX_SIZE, parse_job

    site = SiteLayout()
    box = BoxPlace("TGHU1234561", 20, parse_slot("truck:T2"), 0.0, 0.0, 1.5, 2.59)
    source, target, size, mass = parse_job(site, [box], "truck:T2", "stack:11:1:1", BOX_SIZE, "")
    assert (source, target, size, mass) == (box.slot, Slot.stack(11, 1, 1), 20, None)
    with pytest.raises(ValueError, match="size: the container at truck lane T2 is 20 ft, not 40"):
        parse_job(site, [box], "truck:T2", "stack:11:1:1", 40, "")
    with pytest.raises(ValueError, match="from: the crane knows of no container at"):
        parse_job(site, [box], "truck:T1", "stack:11:1:1", BOX_SIZE, "")
