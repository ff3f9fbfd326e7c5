"""A box held low in a rising wind while the crane waits for the operator: the operator is told
at once, before the wind reaches the stop limit (issue 14, the last beyond-control collision of
the safety bench, case 200074: stopped 0.1 m over its truck, the wind rose to 25 m/s in ten
seconds while the crane was STOPPED, and the securing after START came too late to clear the next
truck's box). The crane may not move by itself after a stop; only the operator's START can make
the load safe before the wind does, so the LOAD_EXPOSED_TO_WIND alarm (high) says so."""

from __future__ import annotations

from crane_ctrl.operation.machine import PackCommand, PackState
from crane_ctrl.runtime.station import StationView
from crane_ctrl.sequencer.model import Step
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from tests.profile_texts import PROFILES

ALARM = "LOAD_EXPOSED_TO_WIND"


def _alarm(view: StationView) -> str | None:
    """What the alarm says, while it is active."""
    for alarm in view.supervisor.alarms:
        if alarm.id == ALARM and alarm.active:
            return alarm.message
    return None


async def _stopped_just_lifted(rig: StationRig) -> None:
    """A truck -> AGV job, stopped in the scan its box hangs free of the truck."""
    rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
    await rig.start_automatic()
    sequencer = rig.station.automation.sequencer

    def lifted(_: StationView) -> bool:
        run = sequencer.run
        return run is not None and run.delivering and run.step is Step.RAISE

    await rig.until(lifted, within_s=120, what="the box lifted off its truck")
    rig.station.pack(rig.operator, PackCommand.STOP)
    await rig.until(lambda v: v.machine is PackState.STOPPED, within_s=5, what="STOPPED")


async def _rising_wind(rig: StationRig, *, until_alarm: bool) -> StationView:
    """The wind rising 1 m/s a second from calm to past the stop limit (a squall), until the
    alarm (or to the end)."""
    view = rig.view
    for speed in range(int(rig.site.crane.wind_stop_mps) + 4):
        rig.sim.faults.inject("wind", speed_mps=float(speed))
        view = await rig.scan(20)
        if until_alarm and _alarm(view) is not None:
            return view
    assert not until_alarm, f"no {ALARM} with the wind at {speed} m/s"
    return view


async def test_a_box_held_low_in_a_rising_wind_alarms_before_the_stop_limit_until_started() -> None:
    async with StationRig(PROFILES / "generic-modbus.toml") as rig:
        await _stopped_just_lifted(rig)
        await rig.scan(20)
        assert _alarm(rig.view) is None  # calm: held low is fine
        params = rig.site.crane
        view = await _rising_wind(rig, until_alarm=True)
        wind = view.supervisor.snapshot.number("env.wind")
        assert wind is not None
        assert wind < params.wind_stop_mps  # told before the stop limit
        message = _alarm(view)
        assert message is not None
        assert "START" in message
        assert view.machine is PackState.STOPPED
        await rig.start_automatic()  # the operator: RESET, START; the crane makes it safe
        await rig.until(lambda v: _alarm(v) is None, within_s=2, what=f"{ALARM} cleared")
        run = rig.station.automation.sequencer.run
        assert run is not None
        assert run.step is not Step.HELD


async def test_an_empty_spreader_held_in_the_same_wind_raises_no_alarm() -> None:
    async with StationRig(PROFILES / "generic-modbus.toml") as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.agv("A1"), 40)
        await rig.start_automatic()
        sequencer = rig.station.automation.sequencer

        def collecting(_: StationView) -> bool:
            run = sequencer.run
            return run is not None and not run.delivering and run.step is Step.TRAVEL

        await rig.until(collecting, within_s=60, what="the empty travel to the truck")
        rig.station.pack(rig.operator, PackCommand.STOP)
        await rig.until(lambda v: v.machine is PackState.STOPPED, within_s=5, what="STOPPED")
        view = await _rising_wind(rig, until_alarm=False)
        wind = view.supervisor.snapshot.number("env.wind")
        assert wind is not None
        assert wind > rig.site.crane.wind_stop_mps
        assert _alarm(view) is None
