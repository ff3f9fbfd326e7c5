"""No crash, ever (issue 18): every action the HMI can invoke, driven with bad input.

The actions are found, not listed: every key of every screen (:mod:`hmi.screens.registry`) and of
the app, every dialog a key opens, the palette's own commands; a new key, dialog or command is
driven without editing this file (a new dialog fails until :data:`DIALOGS` says how to answer
it). The HMI runs at 80x24 on a lock-step station. One test goes through the screens with their
keys 1..9 and on each drives every key as an operator with the e-stop open (pressed), as nobody
and as maintenance with the crane running automatic (its action run as the key runs it): wrong
role, wrong mode, wrong state. The other gives the forms and lists bad input: empty, garbage,
huge, NaN, negative, markup, unknown and stale ids, missing and unreadable files (hypothesis
writes more field text, and runs the forms' parsers by the hundred). After each action: the app
runs and logged no error, the message line says what happened (a refusal in words), the
station still scans, and a refusal is in the journal (the station's ``_acting`` / ``_issued``,
or the HMI's own refusals through
:meth:`~crane_ctrl.runtime.station.CraneStation.note_refusal`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label

from crane_ctrl.clock import ManualClock
from crane_ctrl.operation.machine import PackCommand, PackState
from crane_ctrl.runtime.journal import Journal as SqliteJournal
from crane_ctrl.runtime.sessions import User
from crane_ctrl.runtime.since import parse_since
from crane_ctrl.runtime.station import BoxPlace
from crane_ctrl.site import SiteLayout, Slot
from crane_ctrl.testing import StationRig
from hmi.app import CraneHmi
from hmi.screens.base import HmiScreen, in_form
from hmi.screens.bypass import BypassModal, interlock_problem, positive_minutes
from hmi.screens.choice import ChoiceModal
from hmi.screens.confirm import ConfirmModal
from hmi.screens.jobs import BOX_SIZE, parse_job
from hmi.screens.keys import KeysModal, key_lines
from hmi.screens.login import LoginModal
from hmi.screens.registry import screen_classes
from tests.hmi.conftest import GENERIC, Hmi, hmi_on

NASTY = (
    "", " ", "garbage", "nan", "-inf", "-5", "1e308", "9" * 400, "stack:-1:1:1", "stack:²:1:1",
    "truck:T99", "stack:NO-SUCH:1", "[bold]x[/]", "[/", "\x00", "é" * 300, "J999", "🏗",
)  # fmt: skip
"""Text no field may trip over: empty, garbage, NaN, huge, negative, unknown ids, markup."""
FEW = ("", "garbage", "nan", "-5", "1e308", "[/", "\x00")
"""One of each kind, for the dialogs' fields."""
NO_MESSAGE = frozenset({"show", "keys", "leave_field", "filter", "priority", "reload",
                        "validate", "to_form", "login"})  # fmt: skip
"""Actions that only change what is shown (a screen, a filter, the focus), and the log-in (a
wrong PIN is said in its dialog, and journaled): no message due, and pressed in one context."""
SCREENS = dict(screen_classes())
_REFUSED = "✗ REFUSED: "


class Journal:
    """The station's journal in memory (the Events screen reads an empty file beside it)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, object]]] = []

    def record(self, kind: str, subject: str, **values: object) -> None:
        self.events.append((kind, subject, values))

    def refusals(self, since: int) -> list[str]:
        """The refusals journaled since event number ``since``: the station's, its sessions'."""
        return [
            f"{subject}: {values.get('why') or values.get('reason')}"
            for kind, subject, values in self.events[since:]
            if kind == "operator"
            and (values.get("result") in ("refused", "failed") or subject.endswith("refused"))
        ]


FIELD = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"(truck|agv|stack):[A-Za-z0-9:.²-]{0,12}", fullmatch=True),
    st.floats().map(str),
    st.integers().map(str),
)
"""What an operator may type into a field: anything, numbers written every way, slot-ish."""


def field_texts(count: int) -> list[str]:
    """``count`` field texts hypothesis writes (derandomized: the same every run)."""
    found: list[str] = []

    @settings(max_examples=count, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)  # fmt: skip
    @given(FIELD)
    def collect(value: str) -> None:
        found.append(value)

    collect()
    return found[:count]


def own_bindings(cls: type[Any]) -> Iterator[Binding]:
    """The bindings the HMI's own classes give ``cls`` (Textual's own left out)."""
    keys: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("hmi."):
            continue
        for binding in vars(klass).get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.key not in keys:
                keys.add(binding.key)
                yield binding


def every_key() -> dict[str, list[Binding]]:
    """Every key of every screen and of the app, each action (its method and parameters) once,
    by the first screen that binds it; the app's keys by the last screen (its keys 1..9 take
    the test from screen to screen)."""
    found: dict[tuple[object, tuple[object, ...]], tuple[str, Binding]] = {}
    pairs = [(name, b) for name, cls in SCREENS.items() for b in own_bindings(cls)]
    last = list(SCREENS)[-1]
    pairs += [(last, b) for b in own_bindings(CraneHmi) if parse(b.action)[1] != "show"]
    for name, binding in pairs:
        namespace, action, params = parse(binding.action)
        owner = CraneHmi if namespace == "app" else SCREENS[name]
        method = getattr(owner, f"action_{action}", None) or getattr(CraneHmi, f"action_{action}")
        found.setdefault((method, params), (name, binding))
    keys: dict[str, list[Binding]] = {name: [] for name in SCREENS}
    for name, binding in found.values():
        keys[name].append(binding)
    return keys


@dataclass
class Driver:
    """Presses keys and fills forms on one app, and checks what every action left behind."""

    hmi: Hmi
    journal: Journal
    caplog: pytest.LogCaptureFixture
    driven: list[str] = field(default_factory=list)

    @property
    def app(self) -> CraneHmi:
        return self.hmi.app

    async def on(self, screen: str) -> HmiScreen:
        """The screen in front (gone to with its key 1..9), no form field focused (a letter
        goes to the screen's keys, not into a field)."""
        for _ in range(2):
            if in_form(self.app.focused):
                self.app.set_focus(None)
            if screen == self.hmi.screen.NAME:
                return self.hmi.screen
            number = str(list(SCREENS).index(screen) + 1)
            await self.press(f"go to {screen} with {number}", "show", number)
        raise AssertionError(f"key {number} did not show {screen}")

    async def press(self, what: str, action: str, key: str) -> None:
        await self.act(what, action, lambda: self.hmi.pilot.press(key))

    async def key(self, screen: str, binding: Binding, context: str, *, pressed: bool) -> None:
        """``binding`` on ``screen``: its key pressed, or its action run as the key runs it
        (``App.run_action``: the same checks, without Pilot's waits for idle)."""
        front, action = await self.on(screen), parse(binding.action)[1]
        key = binding.key.split(",")[0].strip()
        if pressed:
            await self.press(f"{context}: {screen} {key}", action, key)
            return
        owner = front if binding in own_bindings(type(front)) else self.app
        await self.act(f"{context}: {screen} {binding.action}", action,
                       lambda: self.app.run_action(binding.action, owner))  # fmt: skip

    async def fill(self, screen: str, values: dict[str, str], action: str, what: str) -> None:
        """Type ``values`` into the screen's fields and press Enter in the last one (``action``
        is what Enter does there)."""
        front = await self.on(screen)
        for selector, value in values.items():
            front.query_one(selector, Input).value = value
        front.query_one(selector, Input).focus()
        await self.press(what, action, "enter")

    async def act(self, what: str, action: str, do: Callable[[], Awaitable[object]]) -> None:
        """``do`` the action, answer the dialogs it opens, then check everything."""
        before, since = self.app.message[0], len(self.journal.events)
        scans = self.hmi.rig.view.supervisor.stats.scans
        await do()
        await self.answer(what)
        await self.check(what, action, before, since, scans)
        self.driven.append(what)

    async def answer(self, what: str) -> None:
        """Answer the dialogs the action opened the way bad input would."""
        for _ in range(3):
            modal = self.app.screen
            if not isinstance(modal, ModalScreen):
                return
            await self.hmi.pilot.pause()  # mounted, its field focused
            answer = DIALOGS.get(type(modal))
            assert answer is not None, f"{what}: opened {type(modal).__name__}: teach DIALOGS"
            await answer(self, modal)
        raise AssertionError(f"{what}: a dialog is still open after three answers")

    async def check(self, what: str, action: str, before: object, since: int, scans: int) -> None:
        app = self.app
        assert app.is_running, what
        assert app._exception is None, f"{what}: {app._exception!r}"
        errors = [r.getMessage() for r in self.caplog.records if r.levelno >= logging.ERROR]
        assert not errors, f"{what}: logged {errors}"
        view = await self.hmi.rig.scan()
        assert view.supervisor.stats.scans > scans, f"{what}: the station stopped scanning"
        assert view.supervisor.snapshot.comms_ok, what
        message, refused = app.message
        if message is before:
            assert action in NO_MESSAGE, f"{what}: said nothing"
            return
        text = message.plain
        assert "internal error" not in text, f"{what}: {text}"
        assert self.hmi.text("#message") == text, what  # on the screen's message line
        if refused:
            why = text.removeprefix(_REFUSED)
            assert text.startswith(_REFUSED), f"{what}: {text!r}"
            assert len(why.split()) >= 3, f"{what}: {text!r} says too little"
            assert self.journal.refusals(since), f"{what}: refused ({why}) but not journaled"


# --- the dialogs, answered


async def _confirm(driver: Driver, modal: ModalScreen[Any]) -> None:
    await driver.hmi.pilot.press("y")


async def _last_choice(driver: Driver, modal: ModalScreen[Any]) -> None:
    await driver.hmi.pilot.press("end", "enter")


async def _wrong_pin(driver: Driver, modal: ModalScreen[Any]) -> None:
    modal.query_one("#pin", Input).value = "[/]0000"
    modal.query_one("#pin", Input).focus()
    await driver.hmi.pilot.press("enter")
    assert "[!]" in str(modal.query_one("#why", Label).render())
    await driver.hmi.pilot.press("escape")


async def _bypass_form(driver: Driver, modal: ModalScreen[Any]) -> None:
    """Nasty text in each field: refused in the dialog, which stays open, saying what is
    wrong; then a form the dialog takes and the station refuses (the mode, the duration)."""
    fields = {name: modal.query_one(f"#{name}", Input) for name in ("interlock", "minutes")}
    good = {"interlock": "LANE_NOT_CLEAR", "minutes": "10"}
    for name, text in [(n, t) for n in fields for t in FEW]:
        for other, widget in fields.items():
            widget.value = text if other == name else good[other]
        modal.query_one("#reason", Input).value = "test"
        fields[name].focus()
        await driver.hmi.pilot.press("enter")
        assert driver.app.screen is modal, f"bypass {name}={text!r} was taken"
        assert "[!]" in str(modal.query_one("#why", Label).render()), (name, text)
    fields["interlock"].value, fields["minutes"].value = "estop", "1e6"
    modal.query_one("#reason", Input).value = "[bold]markup[/] in a reason"
    await driver.hmi.pilot.press("enter")


async def _keys_listed(driver: Driver, modal: ModalScreen[Any]) -> None:
    """The ``?`` overlay lists every key of the screen under it and of the app."""
    assert isinstance(modal, KeysModal)
    under = driver.app.screen_stack[-2]
    assert set(key_lines(own_bindings(type(under)))) <= {*modal.screen_keys, *modal.hmi_keys}
    assert key_lines(own_bindings(CraneHmi)) == modal.hmi_keys
    await driver.hmi.pilot.press("escape")


DIALOGS: dict[type[Screen[Any]], Callable[[Driver, ModalScreen[Any]], Awaitable[None]]] = {
    ConfirmModal: _confirm,
    ChoiceModal: _last_choice,
    LoginModal: _wrong_pin,
    BypassModal: _bypass_form,
    KeysModal: _keys_listed,
}
"""How each dialog is answered; a new dialog fails the test until it is taught here."""


# --- each screen's forms and lists


async def _stale_job(driver: Driver, texts: list[str]) -> None:
    """Cancel a job the queue still shows but the station no longer knows; the add-job form
    with bad text in each field (the others good)."""
    jobs = await driver.on("jobs")
    jobs.query_one("#queue", DataTable).add_row(*["J999", "?", "?", "?", "?", "?"], key="J999")
    await driver.press("cancel a job gone", "cancel_job", "x")
    good = {"#from": "truck:T1", "#to": "stack:7:3:1", "#mass": ""}
    for i, text in enumerate(texts[:15]):
        name = list(good)[i % 3]
        await driver.fill("jobs", {**good, name: text}, "add_job", f"add job {name}={text!r}")


async def _stale_alarm(driver: Driver, texts: list[str]) -> None:
    """Each alarm key on an alarm the list still shows but the station does not know."""
    del texts
    table = (await driver.on("alarms")).query_one("#alarms", DataTable)
    table.add_row(*["?"] * 5, "gone", key="NO_SUCH_ALARM")
    for key in ("k", "s", "u", "o"):
        await driver.on("alarms")
        table.move_cursor(row=table.get_row_index("NO_SUCH_ALARM"))
        await driver.press(f"alarm key {key} on an alarm gone", key, key)


async def _profile_paths(driver: Driver, texts: list[str]) -> None:
    """Paths that are no profile (missing, a device, a directory, a NUL in it, too long):
    validated (the verdict says why), some swapped in (refused)."""
    swapped = ("/dev/zero", "a\x00b", "/no/such/file.toml")
    for text in [*texts[:3], "/tmp", "x" * 5000, *swapped]:
        await driver.fill("profile", {"#path": text}, "validate", f"validate {text[:20]!r}")
        assert "REJECTED" in driver.hmi.text("#verdict") or not text.strip()
        if text in swapped:
            await driver.on("profile")
            await driver.press(f"swap in {text[:20]!r}", "swap", "w")


async def _event_filters(driver: Driver, texts: list[str]) -> None:
    for text in texts[:4]:
        await driver.fill("events", {"#subject": text, "#since": text}, "reload",
                          f"events since {text!r}")  # fmt: skip


EXTRAS: dict[str, Callable[[Driver, list[str]], Awaitable[None]]] = {
    "jobs": _stale_job,
    "alarms": _stale_alarm,
    "profile": _profile_paths,
    "events": _event_filters,
}


async def _palette(driver: Driver) -> None:
    """The palette's own commands (the HMI's, not Textual's) as the palette runs them: later,
    on the app's loop. One of each kind (commands made by one function differ in a value);
    those that run an action a key already ran (log in, acknowledge all) are left out."""
    app = driver.app
    textual = {c.title for c in App.get_system_commands(app, app.screen)}
    keys = {getattr(CraneHmi, f"action_{parse(b.action)[1]}").__code__
            for b in own_bindings(CraneHmi)}  # fmt: skip
    kinds: dict[object, str] = {}
    for command in app.get_system_commands(app.screen):
        code = getattr(command.callback, "__code__", command.callback)
        if command.title in textual or code in kinds or code in keys:
            continue
        kinds[code] = command.title
        action = "show" if command.title.startswith("Show") else command.title
        await driver.act(f"palette: {command.title}", action, _later(driver, command.callback))
    assert len(kinds) >= 2, kinds  # a screen, a machine command


def _later(driver: Driver, callback: Callable[[], Any]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        driver.app.call_later(callback)
        await driver.hmi.pilot.pause()

    return run


# --- who presses, in which state


async def _running(rig: StationRig) -> None:
    """The e-stop closed again and the crane running automatic, from wherever it is."""
    rig.sim.faults.clear()
    steps = ((PackCommand.CLEAR, PackState.STOPPED), (PackCommand.RESET, PackState.IDLE),
             (PackCommand.START, PackState.EXECUTE))  # fmt: skip
    for command, state in steps:
        if command in rig.view.allowed:
            rig.station.pack(rig.maintenance, command)
            await rig.until(lambda v, s=state: v.machine in (s, PackState.SUSPENDED), within_s=5)


def _contexts(hmi: Hmi) -> dict[str, Callable[[], Awaitable[User | None]]]:
    """Who acts, in which state; the first presses the keys, the others run their actions."""
    rig = hmi.rig

    async def operator_estop() -> User:
        rig.sim.faults.inject("estop")
        return rig.operator

    async def nobody() -> None:
        return None

    async def maintenance_automatic() -> User:
        await _running(rig)
        return rig.maintenance

    return {"operator, e-stop open": operator_estop, "nobody": nobody,
            "maintenance, automatic": maintenance_automatic}  # fmt: skip


@asynccontextmanager
async def driving(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Driver]:
    """The HMI at 80x24 on a lock-step station with a job queued, nobody logged in (the log-in
    it opens answered with a wrong PIN), the Events screen on an empty journal file."""
    events = tmp_path / "journal.sqlite"
    SqliteJournal(events, clock=ManualClock(), crane="test").close()
    journal = Journal()
    async with StationRig(GENERIC, journal=journal) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        async with hmi_on(rig, None, size=(80, 24), journal_path=events) as hmi:
            driver = Driver(hmi, journal, caplog)
            await driver.answer("the log-in at start")
            yield driver


async def test_every_key_as_nobody_the_wrong_role_and_in_the_wrong_state(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with driving(tmp_path, caplog) as driver:
        for screen, bindings in every_key().items():
            for number, (context, who) in enumerate(_contexts(driver.hmi).items()):
                driver.app.user = await who()
                for binding in bindings:
                    if number and parse(binding.action)[1] in NO_MESSAGE:
                        continue  # shows the same to anyone
                    await driver.key(screen, binding, context, pressed=not number)
    assert len(driver.driven) > 80


async def test_every_form_list_and_palette_command_with_bad_input(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with driving(tmp_path, caplog) as driver:
        driver.app.user = driver.hmi.rig.maintenance
        for extra in EXTRAS.values():
            await extra(driver, [*NASTY, *field_texts(8)])
        await _palette(driver)
    assert len(driver.driven) > 30


# --- the forms' parsers, over any text (no app: hypothesis runs them by the hundred)

SITE = SiteLayout()
ON_T1 = BoxPlace("MSKU1234565", 40, Slot.truck("T1"), 30.0, 2.0, 1.4, 2.591)


@settings(max_examples=300, deadline=None)
@given(source=FIELD, target=FIELD, mass=FIELD, size=st.sampled_from([BOX_SIZE, 20, 40, 45, 7]))
def test_the_job_form_takes_any_text_or_names_the_field_to_fix(
    source: str, target: str, mass: str, size: int
) -> None:
    job = _refused(lambda: parse_job(SITE, [ON_T1], source, target, size, mass))
    if isinstance(job, str):
        field_name, _, why = job.partition(": ")
        assert field_name in ("from", "to", "size", "mass"), job
        assert len(why.split()) >= 3, job
        return
    origin, _, _, declared = job
    assert origin == ON_T1.slot
    assert declared is None or isinstance(declared, float)  # NaN and the like: the station's


@settings(max_examples=300, deadline=None)
@given(interlock=FIELD, minutes=FIELD)
def test_the_bypass_form_takes_any_text_or_says_what_is_wrong(interlock: str, minutes: str) -> None:
    problem = interlock_problem(interlock.strip())
    assert problem == "" or problem.startswith("[!] ")
    assert len(problem) < 100  # the typed text is quoted short
    taken = positive_minutes(minutes)
    assert taken is None or (taken > 0 and math.isfinite(taken * 60.0))


@settings(max_examples=200, deadline=None)
@given(text=FIELD)
def test_the_events_since_field_takes_any_text_or_says_what_it_takes(text: str) -> None:
    since = _refused(lambda: parse_since(text, 1_800_000_000.0))
    assert isinstance(since, float) or "is not a time; use" in since


T = TypeVar("T")


def _refused(parse: Callable[[], T]) -> T | str:
    """What ``parse`` returns, or the message of the ``ValueError`` it raises."""
    try:
        return parse()
    except ValueError as exc:
        return str(exc)
