"""The operations-centre HMI acts on a real station over a real Mosquitto, driven by Pilot: the
operator logs in (a masked modal), takes a SEMIAUTOMATIC landing from the queue, jogs it down
with the dead-man, confirms it, and the job goes on (locked on, lifted off the truck); a jog
whose key repeats stop (or whose path is lost) stops; a wrong PIN is refused in the station's
words and sends no command; from the fleet's screens a crane is held, unheld, stopped, and its
alarm acknowledged. The station's journal names the user and the source ``ops:ops-1``.

The station runs in lock-step (its scans driven here), the app's primary host and command path
in real time on the same loop. Every wait is on a condition, with a bound.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from crane_ctrl.alarms.states import UNACKNOWLEDGED
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.fleet_view import CraneKey
from crane_ctrl.fleet.operator_wire import COMMAND, LOGIN, RESULT
from crane_ctrl.fleet.primary_host import PrimaryHost, PrimaryHostConfig
from crane_ctrl.fleet.remote_operator import RemoteOperator
from crane_ctrl.operation.jobs import JobState
from crane_ctrl.operation.machine import Mode, PackState
from crane_ctrl.realtime import MonotonicClock, wait_until
from crane_ctrl.runtime.station import StationView
from crane_ctrl.site import Slot
from hmi.ops.app import OpsHmi
from hmi.ops.screens.login import OpsLoginModal
from hmi.widgets.line_table import LineTable
from hmi.widgets.text_line import TextLine
from tests.fleet.conftest import Mosquitto
from tests.fleet.ops import HOST, PINS, TOPICS, Ops, ops_station

ASC7 = CraneKey(TOPICS.group, TOPICS.node)
DELIVERING = JobState.MOVING_TO_DELIVER
WITHIN_S = 10.0
"""Bound on each wall-time wait (a busy machine)."""


@dataclass
class Centre:
    """The station (lock-step, on the broker), the ops app on its primary host, and Pilot."""

    ops: Ops
    host: PrimaryHost
    app: OpsHmi
    pilot: Pilot[None]

    async def show(self) -> None:
        await self.pilot.pause()
        self.app.refresh_view()
        await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.show()

    def said(self) -> str:
        return self.app.message[0].plain

    async def until_said(self, text: str) -> str:
        """The message line once it holds ``text`` (a command's answer came)."""
        try:
            await wait_until(lambda: text in self.said(), within=WITHIN_S, what="said")
        except TimeoutError:
            raise AssertionError(
                f"{text!r} not said within {WITHIN_S} s: {self.said()!r}"
            ) from None
        await self.show()
        return self.said()

    def line(self, selector: str) -> str:
        return self.app.screen.query_one(selector, TextLine).plain

    async def log_in(self, user: str, pin: str) -> None:
        await self.press("L")
        modal = self.app.screen
        assert isinstance(modal, OpsLoginModal)
        await self.pilot.press(*user, "enter")  # the user; Enter goes on to the role
        modal.query_one("#pin", Input).value = pin
        modal.query_one("#pin", Input).focus()
        await self.press("enter")
        await wait_until(lambda: self.app.commands.path is not None
                         and self.app.commands.path.operator is not None,
                         within=WITHIN_S, what="the login kept")  # fmt: skip

    async def answered(self, press: Callable[[], Awaitable[None]]) -> None:
        """Run ``press`` (a key that sends one command) and wait until the station answered
        something after it (the test host sees every ``Operator/Result``) and the app has
        taken the answer (its command workers are done)."""
        mark = len(self.ops.host.received)
        await press()
        await self.ops.host.until(lambda: _results_after(self.ops, mark) and self._idle(),
                                  within_s=WITHIN_S, what="the station's answer")  # fmt: skip

    def _idle(self) -> bool:
        return all(w.is_finished for w in self.app.workers)


def _written(c: Centre) -> list[str | None]:
    """The metrics every NCMD to ASC-07 wrote, by name (the test host knows the aliases)."""
    return [m.name for r in c.ops.host.of("NCMD", TOPICS) if r.payload
            for m in r.payload.metrics]  # fmt: skip


def _results_after(ops: Ops, mark: int) -> bool:
    return any(m.name == RESULT and m.value for r in ops.host.received[mark:]
               if r.kind == "NDATA" and r.payload for m in r.payload.metrics)  # fmt: skip


@asynccontextmanager
async def centre(mosquitto: Mosquitto, tmp_path: Path, *, mode: Mode) -> AsyncIterator[Centre]:
    """The primary host first (it sees the station's birth), then the station, then the app
    with its command path (jogs paced by the station's clock: crane time here)."""
    broker = Broker("127.0.0.1", mosquitto.port)
    config = PrimaryHostConfig(broker, HOST)
    async with PrimaryHost(config, MonotonicClock()) as host:
        await host.connected(within_s=WITHIN_S)
        async with ops_station(mosquitto, tmp_path, mode=mode) as ops:
            await wait_until(lambda: _online(host), within=WITHIN_S, what="ASC-07 in the view")
            remote = RemoteOperator(broker, HOST, clock=ops.rig.lockstep.clock)
            async with remote:
                app = OpsHmi(host.view, commands=remote, refresh_hz=None)
                async with app.run_test(size=(160, 40)) as pilot:
                    c = Centre(ops, host, app, pilot)
                    await c.show()
                    yield c


def _online(host: PrimaryHost) -> bool:
    crane = host.view().crane(ASC7)
    return crane is not None and crane.online


async def _at_the_truck_landing(c: Centre) -> None:
    """A job from truck T1 to the stack, started SEMIAUTOMATIC, scanned until the landing over
    the truck is handed to an operator; the ops view shows it in its queue."""
    rig = c.ops.rig
    rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
    await rig.start_automatic()
    await rig.until(lambda v: v.awaiting_confirm is not None, within_s=200,
                    what="the hand-over over truck T1")  # fmt: skip
    await _seen(c, lambda: bool(c.host.view().queue), "ASC-07 in the ops queue")


async def _seen(c: Centre, condition: Callable[[], bool], what: str) -> None:
    """Scan until the ops view shows ``condition``: lock-step scans outrun the edge node (it
    drops the views its queue cannot take), so each scan gives it a moment to publish."""
    for _ in range(200):
        await c.ops.rig.scan()
        with contextlib.suppress(TimeoutError):
            await wait_until(condition, within=0.05, what=what)
            return
    raise AssertionError(f"{what}: not seen in 200 scans")


async def _take(c: Centre) -> None:
    await c.press("3")
    assert [r[0] for r in c.app.screen.query_one("#queue", LineTable).plain()] == [str(ASC7)]
    await c.press("t")
    await c.until_said("take the landing at block-A/ASC-07: done")
    assert c.app.current_mode == "landing"
    await _seen(c, lambda: _value(c, "Operator/Landing") is not None, "the landing's holder")
    await c.show()


def _value(c: Centre, name: str) -> object:
    crane = c.host.view().crane(ASC7)
    return None if crane is None else crane.value(name)


def _in(state: PackState) -> Callable[[StationView], bool]:
    return lambda view: view.machine is state


def _hoist_ref(view: StationView) -> float:
    return view.supervisor.commands.hoist_speed_ref


def _landed(view: StationView) -> bool:
    snapshot = view.supervisor.snapshot
    return all(snapshot.flag(f"spreader.landed_{c}", unsafe=False) for c in range(1, 5))


async def _jog_down_to_landed(c: Centre) -> StationView:
    """One ``down`` key press, answered, then 8 scans (0.4 s of crane time: a slow key
    repeat, within the 0.6 s dead-man), until all four landing pins are pressed."""
    rig = c.ops.rig
    for _ in range(400):
        await c.answered(lambda: c.pilot.press("down"))
        view = await rig.scan(8)
        assert _hoist_ref(view) < 0 or _landed(view), "the held jog stopped"
        if _landed(view):
            return view
    raise AssertionError("not landed by the ops HMI's jogs")


async def test_the_ops_hmi_takes_a_landing_from_the_queue_jogs_it_down_confirms_and_the_job_goes_on(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with centre(mosquitto, tmp_path, mode=Mode.SEMIAUTOMATIC) as c:
        rig = c.ops.rig
        await c.log_in("kim", PINS["kim"])
        assert "kim (operator): 0 crane session(s)" in c.line("#screens")
        await _at_the_truck_landing(c)
        await _take(c)
        holder = rig.station.landing_holder
        await c.show()
        early = await _confirm_too_early(c)
        landed = await _jog_down_to_landed(c)
        await c.answered(lambda: c.pilot.press("space"))  # landing.stop: no dead-man wait
        stopped = await rig.scan()
        await c.answered(lambda: c.pilot.press("c"))
        await c.until_said("confirm the landing at block-A/ASC-07: done")
        assert c.app.current_mode == "queue"  # back for the next
        await rig.until(lambda v: v.awaiting_confirm is None, within_s=5, what="confirmed")
        screens = c.line("#screens")
        on = await rig.until(lambda v: v.job is not None and v.job.state is DELIVERING,
                             within_s=60, what="J1 locked on and lifted off the truck")  # fmt: skip
        await _seen(c, lambda: _value(c, "Job/State") == DELIVERING, "J1 delivering")
    assert holder is not None
    assert (holder.name, holder.source) == ("kim", f"ops:{HOST}")
    assert "jog the landing and confirm" in early
    assert _hoist_ref(landed) <= 0
    assert _hoist_ref(stopped) == 0.0
    assert on.awaiting_confirm is None
    assert on.job is not None
    assert on.job.id == "J1"
    assert "kim (operator): 1 crane session(s)" in screens
    events = c.ops.operator_events()
    acts = [(s, v.get("result")) for s, v in events if s in ("take landing", "confirm landing")]
    assert acts == [("take landing", "done"), ("confirm landing", "refused"),
                    ("confirm landing", "done")]  # fmt: skip
    assert {(v["user"], v["source"]) for s, v in events if s.endswith("landing")} == {
        ("kim", f"ops:{HOST}")
    }
    login = next(v for s, v in events if s == "login")
    assert (login["user"], login["how"]) == ("kim", "srp")


async def _confirm_too_early(c: Centre) -> str:
    """``c`` before the pins are pressed: refused in the station's words; the landing screen
    says what waits."""
    waiting = c.line("#waiting")
    await c.press("c")
    said = await c.until_said("REFUSED")
    assert "confirm the landing at block-A/ASC-07: REFUSED" in said
    assert "landing not confirmed" in said
    assert c.app.current_mode == "landing"
    assert c.line("#holder").startswith("landing taken by kim (operator) ops:ops-1")
    return waiting


async def test_a_jog_whose_key_repeats_stop_stops_and_so_does_one_whose_path_is_lost(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with centre(mosquitto, tmp_path, mode=Mode.SEMIAUTOMATIC) as c:
        rig = c.ops.rig
        await c.log_in("kim", PINS["kim"])
        await _at_the_truck_landing(c)
        await _take(c)
        dead_man = rig.station.automation.sequencer.settings.jog_hold_s / rig.lockstep.period_s
        let_go = await _scans_after_one_press(c)
        await c.answered(lambda: c.pilot.press("down"))
        await rig.until(lambda v: _hoist_ref(v) < 0, within_s=1, what="lowering")
        mosquitto.stop(kill=True)  # the path is lost mid-jog
        lost = await _scans_to_stop(c)
        await c.press("down")  # a key press with no path: said, not raised
        said = await c.until_said("NO ANSWER")
        await wait_until(lambda: not c.host.view().host.connected, within=WITHIN_S,
                         what="the host sees the broker lost")  # fmt: skip
        await c.show()
        motion = c.line("#motion")
        running = c.app.is_running
    assert round(dead_man) - 1 <= let_go <= round(dead_man) + 1, let_go  # 12 scans of 50 ms
    assert lost <= round(dead_man) + 1, lost
    assert "jog hoist -1 at block-A/ASC-07: NO ANSWER" in said
    assert motion.startswith("[!] STALE"), motion  # not "moving": what the crane said last is old
    assert "stops any jog by itself" in motion
    assert running


async def _scans_after_one_press(c: Centre) -> int:
    """One ``down`` key press and no repeat: the scans until the written hoist reference is 0."""
    await c.answered(lambda: c.pilot.press("down"))
    await c.ops.rig.until(lambda v: _hoist_ref(v) < 0, within_s=1, what="lowering")
    return await _scans_to_stop(c)


async def _scans_to_stop(c: Centre) -> int:
    scans = 0
    while _hoist_ref(c.ops.rig.view) < 0:
        await c.ops.rig.scan()
        scans += 1
        assert scans < 100, "the jog did not stop"
    return scans


async def test_a_wrong_pin_is_refused_in_the_station_s_words_and_no_command_is_sent(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with centre(mosquitto, tmp_path, mode=Mode.FULLAUTOMATIC) as c:
        await c.log_in("kim", "not-kims-pin")
        await c.press("S")  # STOP the crane under the cursor: the first action logs in
        said = await c.until_said("REFUSED")
        await c.show()
        screens = c.line("#screens")
        await c.press("S")  # the PIN was forgotten: not tried again
        again = c.said()
        await c.ops.host.until(lambda: _written(c).count(LOGIN) == 2, what="both login steps")
        ncmd = _written(c)
        machine = c.ops.rig.view.machine
    assert "STOP at block-A/ASC-07: REFUSED: login refused" in said
    assert "wrong user or PIN for operator" in said  # the station's words
    assert "nobody logged in: L logs in" in screens
    assert again == "✗ STOP: nobody is logged in: L logs in"
    assert COMMAND not in ncmd
    assert ncmd.count(LOGIN) == 2  # SRP's two steps, once
    assert machine is PackState.STOPPED  # (as it started: nothing was done)
    refused = [v for s, v in c.ops.operator_events() if s == "login refused"]
    assert [v["failures"] for v in refused] == [1]


async def test_from_the_fleet_screens_a_crane_is_held_unheld_stopped_and_its_alarm_acknowledged(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with centre(mosquitto, tmp_path, mode=Mode.FULLAUTOMATIC) as c:
        rig = c.ops.rig
        await c.log_in("kim", PINS["kim"])
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        await rig.until(lambda v: v.supervisor.commands.moving, within_s=10, what="moving")
        await c.press("1", "enter")  # drilled into the crane: h holds, u unholds
        for key, said, state in (("h", "HOLD", PackState.HELD), ("u", "UNHOLD", PackState.EXECUTE)):
            await c.press(key)
            await c.until_said(f"{said} at block-A/ASC-07: done")
            await rig.until(_in(state), within_s=30, what=state.name)
        await c.press("1", "S")  # STOP from the fleet list: the crane under the cursor
        await c.until_said("STOP at block-A/ASC-07: done")
        stopped = await rig.until(lambda v: v.machine is PackState.STOPPED, within_s=30,
                                  what="STOPPED")  # fmt: skip
        rig.sim.faults.inject("estop")
        await _seen(c, lambda: any(a.id == "ESTOP" for a in c.host.view().alarms), "ESTOP")
        await c.press("2")  # the fleet's alarm list: a acknowledges the one under the cursor
        assert c.app.screen.query_one("#fleet-alarms", LineTable).plain()[0][:4] == [
            "▲ UNACK", "HIGH", "block-A/ASC-07", "ESTOP"]  # fmt: skip
        await c.press("a")
        await c.until_said("acknowledge ESTOP at block-A/ASC-07: done")
        view = await rig.scan()
    assert not stopped.supervisor.commands.moving
    estop = next(a for a in view.supervisor.alarms if a.id == "ESTOP")
    assert estop.state not in UNACKNOWLEDGED
    events = c.ops.operator_events()
    acts = [(s, v["result"], v["user"]) for s, v in events if "result" in v]
    assert acts == [("hold", "done", "kim"), ("unhold", "done", "kim"), ("stop", "done", "kim"),
                    ("acknowledge", "done", "kim")]  # fmt: skip
    assert next(v for s, v in events if s == "acknowledge")["alarm"] == "ESTOP"
