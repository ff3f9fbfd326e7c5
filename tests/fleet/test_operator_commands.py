"""Commands from the operations centre reach the station over a real Mosquitto, in lock-step: each
goes to the station method the local HMI calls and is journaled with the remote user and source;
STOP from any role; a SEMIAUTOMATIC landing taken over, jogged and confirmed; the jog's
dead-man; a client that times out cleanly."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from crane_ctrl.errors import SessionRefused
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.operator_client import OperatorClient
from crane_ctrl.fleet.operator_wire import METRICS, RESULT, Outcome
from crane_ctrl.fleet.payload import Metric, Payload, encode
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.operation.machine import Mode, PackState, Role
from crane_ctrl.runtime.station import StationView
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from tests.fleet.conftest import Mosquitto
from tests.fleet.host import Host
from tests.fleet.ops import HOST, Ops, logged_in, ops_station

JOB: dict[str, Any] = {
    "from": "truck:T1",
    "to": "stack:7:3:1",
    "size_ft": 40,
    "container": "MSKU1234565",
}


async def _until(ops: Ops, state: PackState) -> None:
    await ops.rig.until(lambda v: v.machine is state, within_s=5, what=state.name)


async def test_each_command_reaches_the_station_journaled_with_the_remote_user_and_source(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with ops_station(mosquitto, tmp_path) as ops, logged_in(ops, "kim") as kim:
        alarm = ops.rig.view.supervisor.alarms[0].id
        added = await kim.command("job.add", JOB)
        other = await kim.command("job.add", {"from": "truck:T2", "to": "stack:9:2:1",
                                              "size_ft": 20})  # fmt: skip
        results = [added, other, await kim.command("job.cancel", job=other.values["job"]),
                   await kim.command("reset")]  # fmt: skip
        await _until(ops, PackState.IDLE)
        results.append(await kim.command("start"))
        await ops.rig.until(lambda v: v.job is not None, within_s=5, what="the job starts")
        results.append(await kim.command("hold", reason="lashing check"))
        await _until(ops, PackState.HELD)
        results.append(await kim.command("unhold"))
        results += [await kim.command("alarm.acknowledge"),
                    await kim.command("alarm.shelve", alarm=alarm, minutes=10, reason="sensor"),
                    await kim.command("alarm.unshelve", alarm=alarm),
                    await kim.command("interlocks.reset"), await kim.command("stop")]  # fmt: skip
        await _until(ops, PackState.STOPPED)
        results.append(await kim.command("mode", mode="semiautomatic"))
        refused = await kim.command("mode", mode="maintenance")  # a maintenance action
        unread = await kim.command("job.add", {**JOB, "size_ft": "forty"})
        results.append(await kim.logout())
    assert [r.outcome for r in results] == [Outcome.DONE] * len(results), results
    assert added.values == {"job": "J1"}
    assert all(r.authentic for r in results)
    assert refused.outcome is Outcome.REFUSED
    assert refused.authentic
    assert "MAINTENANCE mode needs the maintenance role, not operator" in refused.why
    assert unread.outcome is Outcome.REFUSED
    assert "args.size_ft: a whole number" in unread.why
    events = ops.operator_events()
    acts = [(s, v["result"]) for s, v in events if "result" in v]
    assert acts == [("add job J1", "done"), ("add job J2", "done"), ("cancel job J2", "done"),
                    ("reset", "done"), ("start", "done"), ("hold", "done"), ("unhold", "done"),
                    ("acknowledge", "done"), ("shelve", "done"), ("unshelve", "done"),
                    ("interlock reset", "done"), ("stop", "done"), ("mode SEMIAUTOMATIC", "done"),
                    ("mode MAINTENANCE", "refused"), ("job.add", "refused")]  # fmt: skip
    assert {(v["user"], v["role"], v["source"]) for s, v in events if "result" in v} == {
        ("kim", "operator", f"ops:{HOST}")
    }
    shelve = next(v for s, v in events if s == "shelve")
    assert (shelve["duration_s"], shelve["reason"]) == (600.0, "sensor")
    assert next(v for s, v in events if s == "add job J1")["container"] == "MSKU1234565"
    assert [s for s, _ in events][-1] == "logout"


async def test_a_command_after_logout_is_refused_for_want_of_a_session(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with ops_station(mosquitto, tmp_path) as ops, logged_in(ops, "kim") as kim:
        login = kim.login_as
        assert (await kim.logout()).done
        kim.login_as = login  # an ops HMI that kept its keys: the station forgot the session
        result = await kim.command("stop")
    assert result.outcome is Outcome.REFUSED
    assert "no such session" in result.why
    assert not result.authentic


@pytest.mark.parametrize("user", ["kim", "lee"])
async def test_stop_from_any_authenticated_role_stops_a_job_mid_move(
    mosquitto: Mosquitto, tmp_path: Path, user: str
) -> None:
    async with ops_station(mosquitto, tmp_path) as ops, logged_in(ops, user) as remote:
        ops.rig.station.add_job(ops.rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await ops.rig.start_automatic()
        await ops.rig.until(lambda v: v.supervisor.commands.moving, within_s=10, what="moving")
        result = await remote.command("stop")
        view = await ops.rig.until(lambda v: v.machine is PackState.STOPPED, within_s=30,
                                   what="STOPPED")  # fmt: skip
    assert result.done
    assert result.authentic
    assert not view.supervisor.commands.moving
    stop = [v for s, v in ops.operator_events() if s == "stop"]
    assert [(v["user"], v["result"]) for v in stop] == [(user, "done")]


async def test_a_remote_operator_takes_over_a_semiautomatic_landing_jogs_it_down_and_confirms(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with (ops_station(mosquitto, tmp_path, mode=Mode.SEMIAUTOMATIC) as ops,
                logged_in(ops, "kim") as kim, logged_in(ops, "lee") as lee):  # fmt: skip
        rig = ops.rig
        early = await kim.command("landing.take")
        assert (await kim.command("job.add", JOB)).done
        await rig.start_automatic()
        await rig.until(lambda v: v.awaiting_confirm is not None, within_s=200,
                        what="the hand-over over truck T1")  # fmt: skip
        jog_untaken = await kim.jog("hoist", -1)
        assert (await kim.command("landing.take")).done
        taken = rig.station.landing_holder
        assert (await lee.command("landing.take")).done  # taken over in turn (journaled)
        not_kims = await kim.jog("hoist", -1)
        assert (await kim.command("landing.take")).done
        scans = await _dead_man_scans(kim, rig)
        held, let_go = await _hold_and_let_go(kim, ops)
        early_confirm = await kim.command("landing.confirm")
        await _jog_down_to_landed(kim, rig)
        assert (await kim.command("landing.stop")).done
        await rig.scan(2)
        confirmed = await kim.command("landing.confirm")
        view = await rig.until(lambda v: v.awaiting_confirm is None, within_s=5, what="on")
        holder = rig.station.landing_holder
    assert taken is not None
    assert (taken.name, taken.source) == ("kim", f"ops:{HOST}")
    assert early.outcome is Outcome.REFUSED
    assert "no landing waits" in early.why
    assert jog_untaken.outcome is Outcome.REFUSED
    assert "only a landing you took" in jog_untaken.why
    assert not_kims.outcome is Outcome.REFUSED
    assert "lee (maintenance) took the landing from ops:ops-1" in not_kims.why
    dead_man = rig.station.automation.sequencer.settings.jog_hold_s / rig.lockstep.period_s
    assert round(dead_man) - 1 <= scans <= round(dead_man) + 1, scans  # 12 scans of 50 ms
    assert held.supervisor.commands.hoist_speed_ref < 0  # repeated while the block ran
    assert let_go.supervisor.commands.hoist_speed_ref == 0.0  # landing.stop: no dead-man wait
    assert early_confirm.outcome is Outcome.REFUSED
    assert "landing not confirmed" in early_confirm.why
    assert confirmed.done
    assert holder is None
    assert view.job is not None
    subjects = [(s, v.get("result")) for s, v in ops.operator_events()]
    takes = [(v["user"], v["result"], v.get("from")) for s, v in ops.operator_events()
             if s == "take landing"]  # fmt: skip
    assert takes == [("kim", "refused", None), ("kim", "done", None),
                     ("lee", "done", "kim (operator) ops:ops-1"),
                     ("kim", "done", "lee (maintenance) ops:ops-1")]  # fmt: skip
    assert ("confirm landing", "done") in subjects
    released = [v for s, v in ops.operator_events(None) if s == "landing released"]
    assert [(v["user"], v["reason"]) for v in released] == [("kim", "the hand-over ended")]


async def _dead_man_scans(kim: OperatorClient, rig: StationRig) -> int:
    """One jog down, then no more: the scans until the hoist's reference is zero again."""
    assert (await kim.jog("hoist", -1)).done
    view = await rig.until(lambda v: v.supervisor.commands.hoist_speed_ref < 0, within_s=1,
                           what="lowering")  # fmt: skip
    scans = 0
    while view.supervisor.commands.hoist_speed_ref < 0:
        view = await rig.scan()
        scans += 1
        assert scans < 100, "the jog did not stop"
    return scans


async def _hold_and_let_go(kim: OperatorClient, ops: Ops) -> tuple[StationView, StationView]:
    """A jog held (repeated in real time) over more than the dead-man time of scans, then let
    go: the views while held and just after. Each round waits for a repeat the station took at
    the crane's time now (its answer's timestamp), then scans 10 (0.5 s, within its hold)."""
    async with kim.holding_jog("hoist", -1, every_s=0.01):
        for _ in range(3):  # 30 scans in all, more than the dead-man's 12
            now_ms = round(ops.rig.lockstep.clock.wall() * 1000)
            await ops.host.until(partial(_answered_since, ops, now_ms), what="a repeat taken")
            held = await ops.rig.scan(10)
    return held, await ops.rig.scan()


def _answered_since(ops: Ops, time_ms: int) -> bool:
    """Whether the station answered a command at ``time_ms`` of its clock or later."""
    return any(m.name == RESULT and m.value and (m.timestamp_ms or 0) >= time_ms
               for r in ops.host.of("NDATA") if r.payload for m in r.payload.metrics)  # fmt: skip


async def _jog_down_to_landed(kim: OperatorClient, rig: StationRig) -> StationView:
    """Jog down, a repeat every 5 scans (a quarter of a second of crane time), until landed."""

    def landed(view: StationView) -> bool:
        snapshot = view.supervisor.snapshot
        return all(snapshot.flag(f"spreader.landed_{c}", unsafe=False) for c in range(1, 5))

    for _ in range(400):
        result = await kim.jog("hoist", -1)
        assert result.done, result
        view = await rig.scan(5)
        if landed(view):
            return view
    raise AssertionError("not landed by the remote operator's jogs")


async def test_the_client_times_out_cleanly_when_the_station_does_not_answer(
    mosquitto: Mosquitto,
) -> None:
    broker = Broker("127.0.0.1", mosquitto.port)
    silent = NodeTopics.of("block-A", "ASC-98")
    async with Host(mosquitto.port) as host:  # a "station" that is born and never answers
        birth = Payload(0, 0, tuple(Metric(d.name, None, d.datatype, alias)
                                    for alias, d in enumerate(METRICS, start=1)))  # fmt: skip
        await host.publish(silent.nbirth, encode(birth), qos=1, retain=True)
        async with OperatorClient(broker, silent, host=HOST, within_s=0.3) as client:
            with pytest.raises(TimeoutError, match=r"block-A/ASC-98 did not answer request "
                               r"\w+ within 0.3 s"):  # fmt: skip
                await client.login("kim", Role.OPERATOR, "any-pin")
            with pytest.raises(SessionRefused, match="log in to block-A/ASC-98 first"):
                await client.command("stop")
        await host.publish(silent.nbirth, b"", qos=1, retain=True)  # (the broker forgets it)
    async with OperatorClient(broker, NodeTopics.of("block-A", "ASC-99"), host=HOST,
                              within_s=0.3) as nobody:  # fmt: skip
        with pytest.raises(TimeoutError, match="block-A/ASC-99 is not born"):
            await nobody.login("kim", Role.OPERATOR, "any-pin")


async def test_set_down_out_of_service_and_the_end_of_a_bypass_go_to_the_station_methods(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """The orders the ops HMI gained (d, o, i, n): each is the station's own method, refused by
    role and state in its words and journaled; a bypass itself is no order (only at the
    crane's HMI), its end is."""
    async with (
        ops_station(mosquitto, tmp_path) as ops,
        logged_in(ops, "kim") as kim,
        logged_in(ops, "lee") as lee,
    ):
        alarm = ops.rig.view.supervisor.alarms[0].id
        by_kim = [
            await kim.command("alarm.out_of_service", alarm=alarm, on=True),
            await kim.command("job.set_down"),
            await kim.command("interlocks.end_bypass"),
            await kim.command("alarm.out_of_service", alarm=alarm, on="yes"),
            await kim.command("interlocks.bypass", interlock="WIND_STOP", minutes=5, reason="x"),
        ]
        by_lee = [
            await lee.command("alarm.out_of_service", alarm=alarm, on=True),
            await lee.command("alarm.out_of_service", alarm=alarm, on=False),
        ]
    assert [r.outcome for r in by_kim] == [Outcome.REFUSED] * 5, by_kim
    assert "maintenance role" in by_kim[0].why
    assert "set down needs an interrupted job: STOP the crane first" in by_kim[1].why
    assert "no interlock is bypassed" in by_kim[2].why
    assert "args.on: true or false, not 'yes'" in by_kim[3].why
    assert "no command 'interlocks.bypass'" in by_kim[4].why
    assert [r.outcome for r in by_lee] == [Outcome.DONE, Outcome.DONE], by_lee
    acts = [(s, v["user"], v["result"]) for s, v in ops.operator_events() if "result" in v]
    assert acts[:3] == [("out of service", "kim", "refused"),
                        ("set down the interrupted load", "kim", "refused"),
                        ("end bypass", "kim", "refused")]  # fmt: skip
    assert acts[-2:] == [("out of service", "lee", "done"), ("out of service", "lee", "done")]
