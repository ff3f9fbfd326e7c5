"""No crash, whatever the operator gives the ops HMI's commands: every command key with nobody
logged in, with no crane chosen, on every screen; the login form with empty, garbage, huge and
markup text (it stays open and says what is wrong; no key fires while typing); a good form whose
broker is not there (said: no answer). The command path is the real one, aimed at a loopback
port where nothing listens; the fleet is a FleetView with a waiting crane and an alarm."""

from __future__ import annotations

import logging
import socket

import pytest
from rich.text import Text
from textual.widgets import Input, Label

from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.remote_operator import RemoteOperator
from crane_ctrl.realtime import wait_until
from hmi.ops.screens.base import screen_keys
from hmi.ops.screens.login import OpsLoginModal, login_problem
from tests.hmi.test_ops_app import Ops, fleet_model, ops_on

NASTY = ("", " ", "garbage", "Kim", "1kim", "k" * 400, "[bold]x[/]", "[/", "\x00", "é" * 40, "🏗",
         "kim; DROP TABLE", "../../etc")  # fmt: skip
"""User names and PINs no form may trip over."""
PIN = "Zq9-never-logged"
COMMAND_KEYS = ("S", "t", "a", "h", "u", "r", "s", "c", "ctrl+x", "m", "j", "x")
"""Every key that gives a crane a command, on any screen (each screen takes its own)."""
SHOWING = frozenset({"sort", "filter"})
"""Actions of those keys on some screen that only change what is shown (1 Fleet's ``s``)."""
WHY = ("nobody is logged in: L logs in", "no crane chosen: select one", "no alarm under the cursor")
"""What a command key says with nobody logged in, no crane drilled into, no alarm chosen."""


def _nothing_listening() -> Broker:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return Broker("127.0.0.1", port)  # closed again: a connection is refused at once


def _said(ops: Ops) -> str:
    return ops.app.message[0].plain


async def test_every_command_key_with_nobody_logged_in_says_so_on_every_screen() -> None:
    remote = RemoteOperator(_nothing_listening(), "ops-1", within_s=0.5)
    async with remote, ops_on(await fleet_model(), commands=remote, size=(80, 24)) as ops:
        for screen in "1234567":
            await ops.press(screen)
            bound = {b.key for b in screen_keys(ops.screen) if b.action not in SHOWING} | {"S"}
            for key in COMMAND_KEYS:
                ops.app.message = (Text("-"), False)
                await ops.pilot.press(key)
                said = _said(ops)
                assert ops.app.is_running
                if key not in bound:
                    assert said == "-", (screen, key, said)
                    continue
                assert said.startswith("✗ "), (screen, key, said)
                assert any(why in said for why in WHY), (screen, key, said)
        await ops.press("O")
        assert _said(ops) == "✗ nobody is logged in"
        assert "nobody logged in: L logs in" in ops.text("#screens")


async def test_the_landing_screen_with_no_landing_taken_says_so_for_every_key() -> None:
    remote = RemoteOperator(_nothing_listening(), "ops-1", within_s=0.5)
    async with remote, ops_on(await fleet_model(), commands=remote) as ops:
        ops.app.switch_mode("landing")
        await ops.show()
        assert ops.text("#crane") == "no landing taken: t on 3 Queue"
        for key in ("down", "up", "left", "right", "pageup", "pagedown", "space", "c"):
            await ops.press(key)
            assert "no crane chosen" in _said(ops), (key, _said(ops))
        for key in ("r", "escape"):  # release (nothing taken: nothing sent), back to the queue
            ops.app.switch_mode("landing")
            await ops.show()
            await ops.press(key)
            assert ops.screen.NAME == "queue"


async def test_the_login_form_refuses_bad_input_and_fires_no_key_while_typing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    remote = RemoteOperator(_nothing_listening(), "ops-1", within_s=0.5)
    async with remote, ops_on(await fleet_model(), commands=remote) as ops:
        await ops.press("L")
        modal = _form(ops)
        assert isinstance(ops.app.focused, Input)
        await ops.press(*"S1Lt?")  # typed into the user field: no STOP, no screen, no key
        assert modal.query_one("#user", Input).value == "S1Lt?"
        assert ops.app.screen is modal
        tries = [(user, PIN) for user in NASTY] + [("kim", pin) for pin in ("", "[/", "\x00")]
        for user, pin in tries:
            why = await _submit(ops, modal, user, pin)
            if why is None:  # a well-formed login (the station judges it): kept
                await ops.press("L")
                modal = _form(ops)
                continue
            assert why.startswith("[!] "), (user, pin, why)
        assert await _submit(ops, modal, "kim", PIN) is None
        await wait_until(lambda: remote.operator is not None, within=5, what="kept")
        await ops.show()
        assert "kim (operator): 0 crane session(s)" in ops.text("#screens")
        await ops.press("S")  # STOP the crane under the cursor: no broker there
        await wait_until(lambda: "NO ANSWER" in _said(ops), within=5, what="no answer")
        said = _said(ops)
        assert ops.app.is_running
        await ops.press("L", "escape")  # the form again, cancelled: the login stays
        assert remote.operator is not None
    assert said.startswith("✗ STOP at block-A/ASC-08: NO ANSWER: cannot reach block-A/ASC-08 "
                           "through the broker at mqtt://127.0.0.1:")  # fmt: skip
    assert PIN not in caplog.text


def _form(ops: Ops) -> OpsLoginModal:
    modal = ops.app.screen
    assert isinstance(modal, OpsLoginModal)
    return modal


async def _submit(ops: Ops, modal: OpsLoginModal, user: str, pin: str) -> str | None:
    """Fill the form, press Enter in the PIN field: what the form says then, or ``None`` if
    the form was well filled (it closed: the login is kept for the cranes to check)."""
    modal.query_one("#user", Input).value = user
    modal.query_one("#pin", Input).value = pin
    modal.query_one("#pin", Input).focus()
    taken = modal.query_one("#user", Input).value.strip()  # (at most 32 characters)
    await ops.pilot.press("enter")
    if not login_problem(taken, pin):
        assert ops.app.screen is not modal, (user, pin)
        return None
    assert ops.app.screen is modal, (user, pin)
    return str(modal.query_one("#why", Label).render())
