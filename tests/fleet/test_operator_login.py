"""The operations centre logs in to a station over a real Mosquitto: SRP with the PIN it has, the
login guard of the local HMI, and nothing secret on the broker, in the journal or in a log."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from crane_ctrl.errors import LoginRefused
from crane_ctrl.fleet.operator_wire import COMMAND, RESULT, Outcome
from crane_ctrl.fleet.payload import REBIRTH, decode
from crane_ctrl.operation.machine import PackState, Role
from crane_ctrl.runtime.sessions import session_tag
from tests.fleet.conftest import Mosquitto
from tests.fleet.ops import PINS, Ops, envelope, logged_in, ops_station


async def test_a_login_with_the_right_pin_gives_a_session_and_nothing_secret_goes_anywhere(
    mosquitto: Mosquitto, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with ops_station(mosquitto, tmp_path) as ops, logged_in(ops, "kim") as kim:
        login = kim.login_as
        assert login is not None
        assert (login.user, login.role) == ("kim", Role.OPERATOR)
        result = await kim.command("alarm.acknowledge")
        assert result.done
        assert result.authentic
        roles = ops.rig.station.sessions.roles
        assert roles is not None
        stored = roles.key_of("kim", Role.OPERATOR)
        assert stored is not None
        # the station's own token for kim's session: it must never leave the station
        token = next(u.user.session for u in ops.rig.station.sessions._open.values()
                     if u.user.name == "kim")  # fmt: skip
        secrets = {"PIN": PINS["kim"].encode(), "PBKDF2 key": stored.key.hex().encode(),
                   "raw key": stored.key, "command key": login.keys.command.hex().encode(),
                   "answer key": login.keys.result.hex().encode(), "session token": token.encode()}  # fmt: skip
        await ops.host.until(lambda: len(ops.answers()) == 3, what="the answers on the broker")
        wire = b"".join(r.data for r in ops.host.received)
        written = [ms for ms in (decode(r.data).metrics for r in ops.host.of("NCMD"))
                   if ms[0].name != REBIRTH]  # (the client saw no NBIRTH yet: it asked)  # fmt: skip
        answered = [decode(r.data).metrics for r in ops.host.of("NDATA")
                    if r.payload and any(m.name == RESULT and m.value for m in r.payload.metrics)]  # fmt: skip
    assert login.session == session_tag(token)
    assert len(written) == len(answered) == 3  # two login steps and one command, by alias
    assert all(m.name is None and m.alias for ms in written + answered for m in ms)
    journal = _files(tmp_path, "journal.sqlite*")  # closed: everything is in the file
    logs = caplog.text.encode()
    for what, secret in secrets.items():
        for where, text in (("the broker", wire), ("the journal", journal), ("a log", logs)):
            assert secret not in text, f"the {what} is in {where}"
    assert b"kim" in journal
    assert login.session.encode() in journal


async def test_a_wrong_pin_is_refused_counted_by_the_login_guard_and_journaled(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with ops_station(mosquitto, tmp_path) as ops, ops.client() as client:
        for n in (1, 2):
            with pytest.raises(LoginRefused, match="wrong user or PIN for operator"):
                await client.login("kim", Role.OPERATOR, "not-kims-pin")
            refused = [v for s, v in ops.operator_events() if s == "login refused"]
            assert refused[-1]["failures"] == n
        with pytest.raises(
            LoginRefused, match=r"wrong user or PIN for operator \(user nobody\); wait 1 s"
        ):
            await client.login("nobody", Role.OPERATOR, PINS["kim"])  # the same to the broker
        with pytest.raises(LoginRefused, match="too many wrong PINs for operator"):
            await client.login("kim", Role.OPERATOR, PINS["kim"])  # even the right one, now
        assert client.login_as is None
        ops.rig.lockstep.clock.advance(2.0)
        await client.login("kim", Role.OPERATOR, PINS["kim"])  # the guard's wait is over
        await client.login("lee", Role.MAINTENANCE, PINS["lee"])  # another role: not counted
        with pytest.raises(LoginRefused, match="wrong user or PIN for maintenance"):
            await client.login("kim", Role.MAINTENANCE, PINS["kim"])  # kim is no maintainer
    logins = [v for s, v in ops.operator_events() if s == "login"]
    assert [(v["user"], v["how"]) for v in logins] == [("kim", "srp"), ("lee", "srp")]


async def test_replayed_forged_and_borrowed_commands_are_refused_journaled_and_counted(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    async with (ops_station(mosquitto, tmp_path) as ops, logged_in(ops, "kim") as kim,
                logged_in(ops, "lee") as lee):  # fmt: skip
        assert (await kim.command("hold")).outcome is Outcome.REFUSED  # stopped: no HOLD
        await ops.host.until(lambda: any(b"hold" in r.data for r in ops.host.of("NCMD")))
        sent = [r for r in ops.host.of("NCMD") if b"hold" in r.data][-1]
        await ops.host.publish(sent.topic, sent.data, qos=1)  # the same bytes again
        await ops.host.until(lambda: any("replayed" in a.why for a in ops.answers()),
                             what="the replay refused")  # fmt: skip
        login = kim.login_as
        assert login is not None
        body = {"id": "forged-1", "user": "kim", "session": login.session, "n": 99,
                "cmd": "reset", "args": {}}  # fmt: skip
        await ops.write(COMMAND, envelope(body, "00" * 32))
        forged = await ops.answer("forged-1")
        kim.login_as = replace(login, session=lee.login_as.session if lee.login_as else "")
        borrowed = await kim.command("reset")  # signed with kim's key, lee's session
        kim.login_as = login
        assert (await kim.command("alarm.acknowledge")).done  # kim's own session still works
        view = await ops.rig.scan(5)
        await ops.host.until(lambda: _refused_metric(ops) == 3, what="Operator/Refused 3")
    replayed = [a for a in ops.answers() if "replayed" in a.why]
    assert len(replayed) == 1
    assert replayed[0].outcome is Outcome.REFUSED
    assert forged.outcome is Outcome.REFUSED
    assert "MAC does not match" in forged.why
    assert borrowed.outcome is Outcome.REFUSED
    assert "MAC does not match" in borrowed.why
    assert not borrowed.authentic  # the station could not sign it: no key of this session
    refusals = [v for s, v in ops.operator_events() if s == "command refused"]
    reasons = sorted(str(v["reason"]).split(":")[0].split(" (")[0] for v in refusals)
    assert reasons == ["replayed", "the MAC does not match the session's key",
                       "the MAC does not match the session's key"]  # fmt: skip
    assert view.machine is PackState.STOPPED  # no forged or borrowed RESET was carried out
    assert {v["claimed"] for v in refusals} == {"kim"}


def _refused_metric(ops: Ops) -> object:
    """The last ``Operator/Refused`` the station published."""
    values = [m.value for r in ops.host.of("NDATA") if r.payload for m in r.payload.metrics
              if m.name == "Operator/Refused"]  # fmt: skip
    return values[-1] if values else None


def _files(folder: Path, pattern: str) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob(pattern)))
