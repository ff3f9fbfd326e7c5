"""Every order the ops HMI gained beyond STOP, hold and the landing, given by its key (and form,
choice or question) to a real station over a real Mosquitto, driven by Pilot: each key sends
exactly one ``Operator/Command`` NCMD with its command and arguments, the station does it (its
view says so), and the message line says the answer; the station's refusals (an operator asking
for MAINTENANCE mode, a job to a slot the site does not have) are said in its words. The
journal names the user and ``ops:ops-1`` for each.

The station runs in lock-step (its scans driven here), the app's primary host and command path
in real time on the same loop (``tests/fleet/test_ops_hmi_commands.py``'s centre).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.widgets import Input, OptionList

from crane_ctrl.alarms.states import AlarmState
from crane_ctrl.fleet.operator_wire import COMMAND
from crane_ctrl.operation.machine import Mode, PackState
from crane_ctrl.runtime.station import StationView
from hmi.widgets.line_table import LineTable
from tests.fleet.conftest import Mosquitto
from tests.fleet.ops import TOPICS
from tests.fleet.test_ops_hmi_commands import ASC7, Centre, _seen, _value, centre

Sent = tuple[str, dict[str, object]]


def commands(c: Centre) -> list[Sent]:
    """(cmd, args) of every ``Operator/Command`` NCMD to ASC-07 so far (what went on the wire)."""
    out: list[Sent] = []
    for record in c.ops.host.of("NCMD", TOPICS):
        for metric in record.payload.metrics if record.payload else ():
            if metric.name == COMMAND and isinstance(metric.value, str):
                body = json.loads(json.loads(metric.value)["body"])
                out.append((body["cmd"], body.get("args", {})))
    return out


async def one_command(
    c: Centre, press: Callable[[], Awaitable[None]], said: str
) -> tuple[Sent, str]:
    """Run ``press`` (a key, or a form filled and sent); the one NCMD it sent and the answer
    said (once it holds ``said``)."""
    before = len(commands(c))
    await press()
    text = await c.until_said(said)
    await c.ops.host.until(lambda: len(commands(c)) > before, what="the NCMD seen")
    sent = commands(c)[before:]
    assert len(sent) == 1, sent
    return sent[0], text


def _choose(c: Centre, index: int) -> Callable[[], Awaitable[None]]:
    async def choose() -> None:
        c.app.screen.query_one(OptionList).highlighted = index
        await c.press("enter")

    return choose


def _form(c: Centre, **fields: str) -> Callable[[], Awaitable[None]]:
    async def send() -> None:
        for name, text in fields.items():
            c.app.screen.query_one(f"#{name}", Input).value = text
        await c.press("enter")

    return send


def _key(c: Centre, *keys: str) -> Callable[[], Awaitable[None]]:
    async def press() -> None:
        await c.press(*keys)

    return press


def _in(*states: PackState) -> Callable[[StationView], bool]:
    return lambda view: view.machine in states


async def _machine_keys(c: Centre) -> list[Sent]:
    """r s t ctrl+x (y) c: RESET to IDLE, START (no job: EXECUTE, then SUSPENDED waiting for
    one), STOP, ABORT (once confirmed), CLEAR to STOPPED."""
    rig, sent = c.ops.rig, []
    for keys, what, states in ((("r",), "RESET", (PackState.IDLE,)),
                               (("s",), "START", (PackState.EXECUTE, PackState.SUSPENDED)),
                               (("t",), "STOP", (PackState.STOPPED,)),
                               (("ctrl+x", "y"), "ABORT", (PackState.ABORTED,)),
                               (("c",), "CLEAR", (PackState.STOPPED,))):  # fmt: skip
        one, said = await one_command(c, _key(c, *keys), f"{what} at block-A/ASC-07: ")
        assert said == f"✓ {what} at block-A/ASC-07: done", said
        await rig.until(_in(*states), within_s=60, what=f"{what} taken")
        sent.append(one)
    return sent


async def test_every_new_key_sends_one_ncmd_the_station_does_it_and_the_answer_is_said(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with centre(mosquitto, tmp_path, mode=Mode.FULLAUTOMATIC) as c:
        rig = c.ops.rig
        await c.log_in("kim", "Kq7-pin-Zx")
        await c.press("1", "enter")
        assert c.app.crane == ASC7
        await c.press("m")
        maint = await one_command(c, _choose(c, 3), "REFUSED")  # MAINTENANCE: not an operator's
        await c.press("m")
        manual = await one_command(c, _choose(c, 0), "mode MANUAL at block-A/ASC-07: done")
        await c.press("m")
        auto = await one_command(c, _choose(c, 2), "mode FULLAUTOMATIC at block-A/ASC-07: done")
        await c.press("j")
        nowhere = await one_command(c, _form(c, **{"from": "truck:T1", "to": "stack:99:99:1"}),
                                    "REFUSED")  # fmt: skip
        await c.press("j")
        added = await one_command(c, _form(c, **{"from": "truck:T1", "to": "stack:7:3:1"}),
                                  "job J1 queued")  # fmt: skip
        queued = [j.id for j in (await rig.scan()).queued]
        await c.press("x")
        cancelled = await one_command(c, _form(c, job="J1"), "cancel job J1")
        left = [j.id for j in (await rig.scan()).queued]
        machine = await _machine_keys(c)
        await c.press("5")
        reset = await one_command(c, _key(c, "r"), "interlock reset at block-A/ASC-07: done")
        shelving = await _shelve_and_unshelve(c)
    assert maint[0] == ("mode", {"mode": "maintenance"})
    assert "mode MAINTENANCE at block-A/ASC-07: REFUSED: " in maint[1]
    assert "MAINTENANCE mode needs the maintenance role, not operator" in maint[1]  # its words
    assert (manual[0], auto[0]) == (
        ("mode", {"mode": "manual"}),
        ("mode", {"mode": "fullautomatic"}),
    )
    assert nowhere[0] == ("job.add", {"from": "truck:T1", "to": "stack:99:99:1", "size_ft": 40})
    assert "job order at block-A/ASC-07: REFUSED: " in nowhere[1]
    assert added == (("job.add", {"from": "truck:T1", "to": "stack:7:3:1", "size_ft": 40}),
                     "✓ job order at block-A/ASC-07: done: job J1 queued, truck:T1 → stack:7:3:1, "
                     "40 ft")  # fmt: skip
    assert (queued, left) == (["J1"], [])
    assert cancelled == (("job.cancel", {"job": "J1"}), "✓ cancel job J1 at block-A/ASC-07: done")
    assert machine == [("reset", {}), ("start", {}),
                       ("stop", {"reason": "STOP from the operations centre"}),
                       ("abort", {"reason": "ABORT from the operations centre"}), ("clear", {})]  # fmt: skip
    assert reset[0] == ("interlocks.reset", {})
    assert shelving == [("alarm.shelve", {"alarm": "ESTOP", "minutes": 15.0,
                                          "reason": "e-stop under test"}),
                        ("alarm.unshelve", {"alarm": "ESTOP"})]  # fmt: skip
    acts = [(s, v["result"], v["user"]) for s, v in c.ops.operator_events() if "result" in v]
    assert acts == [
        ("mode MAINTENANCE", "refused", "kim"), ("mode MANUAL", "done", "kim"),
        ("mode FULLAUTOMATIC", "done", "kim"), ("add job", "refused", "kim"),
        ("add job J1", "done", "kim"), ("cancel job J1", "done", "kim"),
        ("reset", "done", "kim"), ("start", "done", "kim"), ("stop", "done", "kim"),
        ("abort", "done", "kim"), ("clear", "done", "kim"), ("interlock reset", "done", "kim"),
        ("shelve", "done", "kim"), ("unshelve", "done", "kim"),
    ]  # fmt: skip


async def _shelve_and_unshelve(c: Centre) -> list[Sent]:
    """The e-stop pressed: 6 Its alarms, ``s`` shelves ESTOP (the station's alarm is SHELVED,
    and the ops view says so), ``u`` unshelves it (chosen from the shelved)."""
    rig = c.ops.rig
    rig.sim.faults.inject("estop")
    await _seen(c, lambda: _value(c, "Alarms/ESTOP") == "unack", "ESTOP at the ops centre")
    await c.show()
    await c.press("6")
    assert c.app.screen.query_one("#crane-alarm-list", LineTable).selected() == "ESTOP"
    await c.press("s")
    shelve, _ = await one_command(c, _form(c, minutes="15", reason="e-stop under test"),
                                     "shelve ESTOP for 15 min at block-A/ASC-07: done")  # fmt: skip
    view = await rig.scan()
    assert _alarm(view, "ESTOP") is AlarmState.SHELVED
    await _seen(c, lambda: _value(c, "Alarms/ESTOP") == "shelved", "ESTOP shelved at the centre")
    await c.show()  # (the app takes the view at 10 Hz: here, now)
    await c.press("u")
    unshelve, _ = await one_command(c, _choose(c, 0), "unshelve ESTOP at block-A/ASC-07: done")
    view = await rig.scan()
    assert _alarm(view, "ESTOP") is not AlarmState.SHELVED
    return [shelve, unshelve]


def _alarm(view: StationView, alarm: str) -> AlarmState:
    return next(a.state for a in view.supervisor.alarms if a.id == alarm)
