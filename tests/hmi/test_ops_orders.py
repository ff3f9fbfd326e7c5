"""The ops HMI's orders beyond STOP, hold and the landing, driven by Pilot over a command path
that records what it is given (the ``CommandPath`` seam; the same keys against a real station
over Mosquitto: ``tests/fleet/test_ops_hmi_orders.py``): each key of the crane and alarm
screens sends exactly one order with its arguments and says the answer; every printable key
typed into every field of every new form (every key bound anywhere in the ops HMI, the digits and what values are written with) goes into the field and sends nothing; Escape leaves a
form and sends nothing; bad input is named with its fix and sends nothing; a key with no crane
chosen, or nobody logged in, says so, opens no form and sends nothing; the palette and ``?``
hold every new order."""

from __future__ import annotations

import string
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from rich.text import Text
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select

from crane_ctrl.fleet.command_path import Answer, Verdict
from crane_ctrl.fleet.fleet_model import FleetModel
from crane_ctrl.fleet.fleet_view import CraneKey
from crane_ctrl.operation.machine import Role
from crane_ctrl.realtime import wait_until
from hmi.ops.forms.job_orders import CancelJobModal, JobOrderModal, parse_job_id, parse_job_order
from hmi.ops.forms.order_form import OrderForm
from hmi.ops.forms.shelve import MAX_SHELVE_MIN, ShelveModal, parse_shelve
from hmi.ops.screens.base import screen_keys
from hmi.screens.choice import ChoiceModal
from hmi.screens.confirm import ConfirmModal
from hmi.screens.keys import KeysModal
from tests.fleet.test_fleet_model import ASC7, ASC8, T0, born
from tests.hmi.test_ops_app import Ops, ops_on
from tests.hmi.typing_keys import type_at_once


def _bound_keys() -> str:
    """Every single-character key bound anywhere in the ops HMI: the app's and every screen's
    and modal's bindings (``S`` among them: a field once ate it as STOP)."""
    from textual.binding import Binding
    from textual.screen import Screen

    import hmi.ops.app  # (imports every screen of the ops HMI)

    classes: list[type] = [hmi.ops.app.OpsHmi]
    todo: list[type] = [Screen]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(("hmi.ops", "hmi.screens")):
            classes.append(cls)
    keys = {
        key
        for cls in classes
        for b in getattr(cls, "BINDINGS", ())
        if isinstance(b, Binding)
        for key in b.key.split(",")
    }
    return "".join(sorted(k for k in keys if len(k) == 1 and k.isprintable()))


PRINTABLE = "".join(sorted(set(_bound_keys()) | set(string.digits + "?-:./_ ") | {"S"}))
"""The keys typed into every field: every key bound anywhere in the ops HMI, the digits and
what slots, ids and reasons are written with (typing all 95 printable characters into every
field cost a minute of CI for no more cover: an unbound key cannot fire anything)."""
CHUNK = 20
"""Typed at most this many at a time (the shortest field, minutes, holds 20)."""
CRANE_KEYS = ("r", "s", "h", "u", "t", "c", "ctrl+x", "m", "j", "x", "d")
"""Every order key of the crane screens 4..7 (5 and 6 take some letters for their own)."""
NASTY = ("", " ", "garbage", "nan", "-inf", "-5", "0", "1e308", "9" * 400, "stack:-1:1:1",
         "truck:", "[bold]x[/]", "[/", "\x00", "é" * 300, "🏗", "J 1", "S")  # fmt: skip


@dataclass
class Recorder:
    """A command path that answers ``done`` at once and keeps every command it was given."""

    operator: tuple[str, Role] | None = ("kim", Role.OPERATOR)
    sent: list[tuple[CraneKey, str, dict[str, object]]] = field(default_factory=list)

    @property
    def sessions(self) -> tuple[CraneKey, ...]:
        return ()

    async def log_in(self, user: str, role: Role, pin: str) -> None:
        self.operator = (user, role)

    async def log_out(self) -> Answer:
        self.operator = None
        return Answer(Verdict.DONE, "logged out")

    async def command(self, crane: CraneKey, cmd: str, args: Mapping[str, object]) -> Answer:
        self.sent.append((crane, cmd, dict(args)))
        return Answer(Verdict.DONE, values={"job": "J9"} if cmd == "job.add" else {})

    async def jog(self, crane: CraneKey, axis: str, direction: int) -> Answer | None:
        raise AssertionError("no jog in these tests")


def model() -> FleetModel:
    """ASC-07 runs J1, has ESTOP unacknowledged and WIND_STOP shelved; ASC-08 is quiet."""
    fleet = FleetModel("ops", "mqtt://127.0.0.1:1883", now_ms=T0)
    fleet.connected(T0)
    born(fleet, ASC7, **{"Alarms/ESTOP": "unack", "Alarms/WIND_STOP": "shelved"})
    born(fleet, ASC8)
    return fleet


@asynccontextmanager
async def centre(path: Recorder) -> AsyncIterator[Ops]:
    async with ops_on(model(), commands=path) as ops:
        yield ops


def said(ops: Ops) -> str:
    return ops.app.message[0].plain


async def drill(ops: Ops, screen: str = "crane", crane: CraneKey | None = ASC7) -> None:
    ops.app.crane = crane
    ops.app.switch_mode(screen)
    await ops.show()


async def until_said(ops: Ops, text: str) -> str:
    await wait_until(lambda: text in said(ops) and all(w.is_finished for w in ops.app.workers),
                     within=5, what=f"{text!r} said")  # fmt: skip
    await ops.show()
    return said(ops)


def modal(ops: Ops) -> ModalScreen[object]:
    screen = ops.app.screen
    assert isinstance(screen, ModalScreen), screen
    return screen


async def fill(ops: Ops, **fields: str) -> None:
    form = modal(ops)
    for name, text in fields.items():
        form.query_one(f"#{name}", Input).value = text
    await ops.show()


async def test_each_key_of_the_crane_screens_sends_one_order_and_says_its_answer() -> None:
    path = Recorder()
    async with centre(path) as ops:
        await drill(ops)
        for key, cmd, args, what in (
            ("r", "reset", {}, "RESET"), ("s", "start", {}, "START"),
            ("h", "hold", {"reason": "held from the operations centre"}, "HOLD"),
            ("u", "unhold", {}, "UNHOLD"),
            ("t", "stop", {"reason": "STOP from the operations centre"}, "STOP"),
            ("c", "clear", {}, "CLEAR"),
        ):  # fmt: skip
            await ops.press(key)
            assert await until_said(ops, "done") == f"✓ {what} at block-A/ASC-07: done"
            assert path.sent.pop() == (ASC7, cmd, args)
            assert path.sent == []
        await ops.press("ctrl+x")  # ABORT: only once confirmed
        assert isinstance(ops.app.screen, ConfirmModal)
        await ops.press("n")
        assert (said(ops), path.sent) == ("✓ ABORT at block-A/ASC-07: not sent", [])
        await ops.press("ctrl+x", "y")
        await until_said(ops, "ABORT at block-A/ASC-07: done")
        assert path.sent.pop() == (ASC7, "abort", {"reason": "ABORT from the operations centre"})
        await ops.press("m")
        assert isinstance(ops.app.screen, ChoiceModal)
        modal(ops).query_one(OptionList).highlighted = 1  # MANUAL, SEMIAUTOMATIC, ...
        await ops.press("enter")
        await until_said(ops, "mode SEMIAUTOMATIC at block-A/ASC-07: done")
        assert path.sent.pop() == (ASC7, "mode", {"mode": "semiautomatic"})
        assert path.sent == []


async def test_the_job_forms_send_a_job_order_and_a_cancel_with_their_arguments() -> None:
    path = Recorder()
    async with centre(path) as ops:
        await drill(ops, "metrics")
        await ops.press("j")
        assert isinstance(ops.app.screen, JobOrderModal)
        await fill(ops, **{"from": " truck:T1", "to": "stack:7:3", "mass": "28.5"})
        modal(ops).query_one("#size", Select).value = 20
        await ops.press("enter")
        job = await until_said(ops, "job J9 queued")
        await ops.press("x")  # the form starts with the crane's job
        assert isinstance(ops.app.screen, CancelJobModal)
        assert modal(ops).query_one("#job", Input).value == "J1"
        await ops.press("enter")
        cancel = await until_said(ops, "cancel job J1 at block-A/ASC-07: done")
    assert (
        job == "✓ job order at block-A/ASC-07: done: job J9 queued, truck:T1 → stack:7:3:1, 20 ft"
    )
    assert cancel == "✓ cancel job J1 at block-A/ASC-07: done"
    assert path.sent == [
        (ASC7, "job.add", {"from": "truck:T1", "to": "stack:7:3:1", "size_ft": 20,
                           "declared_mass_t": 28.5}),
        (ASC7, "job.cancel", {"job": "J1"}),
    ]  # fmt: skip


async def test_interlock_reset_shelve_and_unshelve_from_their_screens() -> None:
    path = Recorder()
    async with centre(path) as ops:
        await drill(ops, "interlocks")
        await ops.press("r")  # 5 Interlocks: r resets the interlocks, not the machine
        await until_said(ops, "interlock reset at block-A/ASC-07: done")
        await drill(ops, "crane-alarms")
        await ops.press("s")  # 6: s shelves the alarm under the cursor
        assert isinstance(ops.app.screen, ShelveModal)
        await fill(ops, minutes="30", reason="lashing check on the spreader")
        await ops.press("enter")
        await until_said(ops, "shelve ESTOP for 30 min at block-A/ASC-07: done")
        await ops.press("u")  # 6: u unshelves one of its shelved alarms
        assert [str(o.prompt) for o in modal(ops).query_one(OptionList).options] == ["WIND_STOP"]
        modal(ops).query_one(OptionList).highlighted = 0
        await ops.press("enter")
        await until_said(ops, "unshelve WIND_STOP at block-A/ASC-07: done")
        await ops.press("2", "s")  # the fleet's alarms: the one under the cursor, at its crane
        await fill(ops, minutes="480", reason="sensor replaced tomorrow")
        await ops.press("enter")
        await until_said(ops, "shelve ESTOP for 480 min at block-A/ASC-07: done")
        await ops.press("u")
        options = [str(o.prompt) for o in modal(ops).query_one(OptionList).options]
        await ops.press("escape")
    assert options == ["block-A/ASC-07 · WIND_STOP"]
    assert path.sent == [
        (ASC7, "interlocks.reset", {}),
        (ASC7, "alarm.shelve", {"alarm": "ESTOP", "minutes": 30.0,
                                "reason": "lashing check on the spreader"}),
        (ASC7, "alarm.unshelve", {"alarm": "WIND_STOP"}),
        (ASC7, "alarm.shelve", {"alarm": "ESTOP", "minutes": 480.0,
                                "reason": "sensor replaced tomorrow"}),
    ]  # fmt: skip


FORMS = (("crane", "j", ("from", "to", "mass")), ("crane", "x", ("job",)),
         ("crane-alarms", "s", ("minutes", "reason")), ("alarms", "s", ()))  # fmt: skip
"""Every new form: the screen it opens on, its key, its text fields (the shelve form of 2
Alarms is 6's: typed into there)."""


async def test_every_printable_key_typed_in_every_form_field_goes_in_and_sends_nothing() -> None:
    path = Recorder()
    async with centre(path) as ops:
        for screen, key, names in FORMS:
            await drill(ops, screen)
            ops.app.message = (Text("-"), False)
            await ops.press(key)
            form = modal(ops)
            assert isinstance(form, OrderForm), (screen, key)
            for name in names:
                field_ = form.query_one(f"#{name}", Input)
                for start in range(0, len(PRINTABLE), CHUNK):
                    field_.value = ""
                    field_.focus()
                    chunk = PRINTABLE[start : start + CHUNK]
                    await type_at_once(ops.pilot, chunk)
                    assert field_.value == chunk, (key, name, chunk)
                    assert ops.app.screen is form, (key, name, chunk)
                    assert path.sent == [], (key, name, chunk)
            await ops.press("escape")  # out of the form: nothing sent, nothing said
            assert not isinstance(ops.app.screen, ModalScreen), (screen, key)
            assert (ops.screen.NAME, path.sent, said(ops)) == (screen, [], "-"), key


async def test_keys_on_the_size_list_the_choices_and_the_abort_question_send_nothing() -> None:
    path = Recorder()
    async with centre(path) as ops:
        await drill(ops)
        await ops.press("j")
        form = modal(ops)
        form.query_one("#size", Select).focus()
        await type_at_once(ops.pilot, PRINTABLE.replace(" ", ""))  # (space opens the list)
        size = form.query_one("#size", Select).value
        await ops.press("escape")
        for key in ("m", "ctrl+x"):  # a choice, a question: every key but the answer
            await ops.press(key)
            question = modal(ops)
            await type_at_once(ops.pilot, (c for c in PRINTABLE if c not in "yn "))
            assert ops.app.screen is question, key
            await ops.press("escape")
            assert not isinstance(ops.app.screen, ModalScreen), key
        await drill(ops, "crane-alarms")
        await ops.press("u")
        await type_at_once(ops.pilot, PRINTABLE.replace(" ", ""))
        await ops.press("escape")
        assert not isinstance(ops.app.screen, ModalScreen)
    assert size in (20, 40, 45)
    assert path.sent == []


BAD = (
    ("crane", "j", {"from": "", "to": "stack:7:3:1"}, "[!] from: empty: give a slot"),
    ("crane", "j", {"from": "truck", "to": "stack:7:3:1"}, "[!] from: 'truck' is not a slot"),
    ("crane", "j", {"from": "truck:T1", "to": "S"}, "[!] to: 'S' is not a slot: give truck:T1"),
    ("crane", "j", {"from": "truck:T1", "to": "truck:T1"}, "[!] to: the same slot as from"),
    ("crane", "j", {"from": "truck:T1", "to": "stack:1:1", "mass": "heavy"},
     "[!] mass: 'heavy' is not a number of tonnes"),
    ("crane", "j", {"from": "truck:T1", "to": "stack:1:1", "mass": "-5"},
     "[!] mass: -5 t: give more than 0 t"),
    ("crane", "j", {"from": "truck:T1", "to": "stack:1:1", "mass": "nan"},
     "[!] mass: nan t: give more than 0 t"),
    ("crane", "x", {"job": ""}, "[!] job: empty: give the id of the job"),
    ("crane", "x", {"job": "J 1"}, "[!] job: 'J 1' is not a job id"),
    ("crane", "x", {"job": "[/"}, "[!] job: '[/' is not a job id"),
    ("crane-alarms", "s", {"minutes": "", "reason": "x"}, "[!] minutes: '' is not a number"),
    ("crane-alarms", "s", {"minutes": "0", "reason": "x"}, "[!] minutes: 0: give more than 0"),
    ("crane-alarms", "s", {"minutes": "481", "reason": "x"},
     "[!] minutes: 481: give more than 0 and at most 480 (the station's longest shelve"),
    ("crane-alarms", "s", {"minutes": "inf", "reason": "x"}, "[!] minutes: inf: give more"),
    ("alarms", "s", {"minutes": "15", "reason": " "}, "[!] reason: empty: say why"),
    ("alarms", "s", {"minutes": "15", "reason": "r" * 201}, "[!] reason: one line of at most"),
)  # fmt: skip
"""Per form: fields badly filled, and the start of what the form says (field, then the fix)."""


async def test_bad_input_in_every_form_is_named_with_its_fix_and_sends_nothing() -> None:
    path = Recorder()
    async with centre(path) as ops:
        for screen, key, fields, why in BAD:
            await drill(ops, screen)
            await ops.press(key)
            await fill(ops, **fields)
            await ops.press("enter")
            form = modal(ops)  # still open
            shown = str(form.query_one("#why", Label).render())
            assert shown.startswith(why), (fields, shown)
            assert path.sent == [], fields
            await ops.press("escape")


@pytest.mark.parametrize("text", NASTY)
def test_the_form_readers_take_a_good_value_or_name_the_field(text: str) -> None:
    for read, field_ in ((lambda: parse_job_order(text, "stack:1:1", 40, ""), "from"),
                         (lambda: parse_job_order("truck:T1", "stack:1:1", 40, text), "mass"),
                         (lambda: parse_job_id(text), "job"),
                         (lambda: parse_shelve(text, "why"), "minutes"),
                         (lambda: parse_shelve("5", text), "reason")):  # fmt: skip
        why = ""
        try:
            value = read()
        except ValueError as exc:
            why = str(exc)
        if why:
            assert why.startswith(f"{field_}: "), (field_, text, why)
        else:
            assert value, (field_, text)
    minutes, _ = parse_shelve("480", "r")
    assert minutes == MAX_SHELVE_MIN


async def test_a_key_with_no_crane_or_nobody_logged_in_says_so_opens_no_form_sends_nothing() -> (
    None
):
    path = Recorder()
    async with centre(path) as ops:
        for crane, operator, why in ((None, ("kim", Role.OPERATOR), "no crane chosen"),
                                     (ASC7, None, "nobody is logged in: L logs in")):  # fmt: skip
            path.operator = operator
            for screen in ("crane", "interlocks", "crane-alarms", "metrics"):
                await drill(ops, screen, crane)
                for key in CRANE_KEYS:
                    ops.app.message = (Text("-"), False)
                    await ops.press(key)
                    text = said(ops)
                    assert ops.app.screen is ops.screen, (screen, key, crane)
                    assert text.startswith("✗ "), (screen, key, crane, text)
                    assert why in text or "no alarm under the cursor" in text, (screen, key)
        path.operator = None
        await drill(ops, "alarms", None)
        await ops.press("s")
        shelve = said(ops)
        await ops.press("u")
        unshelve = said(ops)
    assert path.sent == []
    assert shelve == "✗ shelve ESTOP: nobody is logged in: L logs in"
    assert unshelve == "✗ unshelve: nobody is logged in: L logs in"


async def test_the_palette_and_the_keys_overlay_hold_every_new_order() -> None:
    path = Recorder()
    async with centre(path) as ops:
        await drill(ops)
        commands = {c.title: c for c in ops.app.get_system_commands(ops.screen)}
        await ops.press("question_mark")
        keys = ops.app.screen
        assert isinstance(keys, KeysModal)
        overview = "\n".join(keys.screen_keys)
        await ops.press("escape")
        await drill(ops, "interlocks")
        interlocks = [(b.key, b.description) for b in screen_keys(ops.screen)]
        commands["Machine START"].callback()
        await until_said(ops, "START at block-A/ASC-07: done")
        commands["Reset interlocks"].callback()
        await until_said(ops, "interlock reset at block-A/ASC-07: done")
    for title in ("Machine RESET", "Machine START", "Machine HOLD", "Machine UNHOLD",
                  "Machine CLEAR", "Machine ABORT", "STOP the crane", "Mode", "Job order",
                  "Cancel a job", "Reset interlocks", "Shelve the alarm", "Unshelve an alarm",
                  "Set down", "End the bypass", "Acknowledge all",
                  "Return an alarm to service"):  # fmt: skip
        assert title in commands, title
    for line in ("r              reset", "s              start", "t              stop",
                 "c              clear", "ctrl+x         abort", "m              mode",
                 "j              job order", "x              cancel job",
                 "d              set down"):  # fmt: skip
        assert line in overview, line
    assert ("r", "reset interlocks") in interlocks
    assert ("r", "reset") not in interlocks
    assert [cmd for _, cmd, _ in path.sent] == ["start", "interlocks.reset"]


async def test_set_down_acknowledge_all_out_of_service_and_end_bypass_from_their_keys() -> None:
    """``d`` on a crane screen, ``n`` on 5; ``A``, ``o`` (once confirmed) and ``i`` (chosen
    among the alarms out of service) on 6 and 2."""
    path = Recorder()
    fleet = model()
    born(fleet, ASC8, **{"Alarms/VENDOR_OIL": "out_of_service", "Alarms/ESTOP": "rtn_unack"})
    async with ops_on(fleet, commands=path) as ops:
        await drill(ops, "metrics")
        await ops.press("d")
        await until_said(ops, "set down (START carries it out) at block-A/ASC-07: done")
        await drill(ops, "interlocks")
        await ops.press("n")
        await until_said(ops, "end bypass at block-A/ASC-07: done")
        await drill(ops, "crane-alarms")
        await ops.press("A")
        await until_said(ops, "acknowledge all at block-A/ASC-07: done")
        await ops.press("o")
        assert isinstance(ops.app.screen, ConfirmModal)
        await ops.press("n")
        assert said(ops) == "✓ ESTOP out of service at block-A/ASC-07: not sent"
        await ops.press("o", "y")
        await until_said(ops, "ESTOP out of service at block-A/ASC-07: done")
        await ops.press("i")  # none of ASC-07's is out of service
        assert said(ops) == "✗ return to service: no alarm of block-A/ASC-07 is out of service"
        await ops.press("2", "A")  # every crane with an unacknowledged alarm: one order each
        await until_said(ops, "acknowledge all at block-A/ASC-0")
        await wait_until(lambda: len(path.sent) == 6, within=5, what="both cranes' orders")
        await ops.press("i")
        options = [str(o.prompt) for o in modal(ops).query_one(OptionList).options]
        modal(ops).query_one(OptionList).highlighted = 0
        await ops.press("enter")
        await until_said(ops, "return to service VENDOR_OIL at block-A/ASC-08: done")
    assert options == ["block-A/ASC-08 · VENDOR_OIL"]
    assert path.sent == [
        (ASC7, "job.set_down", {}),
        (ASC7, "interlocks.end_bypass", {}),
        (ASC7, "alarm.acknowledge", {}),
        (ASC7, "alarm.out_of_service", {"alarm": "ESTOP", "on": True}),
        (ASC7, "alarm.acknowledge", {}),
        (ASC8, "alarm.acknowledge", {}),
        (ASC8, "alarm.out_of_service", {"alarm": "VENDOR_OIL", "on": False}),
    ]
