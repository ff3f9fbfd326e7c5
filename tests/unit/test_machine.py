"""PackML machine state, operating modes and maintenance bypasses.

The expected transition table below is written out by hand from ISA-TR88 / OPC 30050: it shares
no code with :mod:`crane_ctrl.operation.machine`, so a slip in one shows up against the other.
"""

from __future__ import annotations

import json
import math
import re
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.operation.machine import (
    EVENT_KEYS,
    NEVER_BYPASSED,
    PACKML_NUMBER,
    PACKTAGS_V3_NUMBER,
    BypassBook,
    CommandRefused,
    MachineState,
    Mode,
    ModeRules,
    ModeSettings,
    PackCommand,
    PackState,
    Role,
    change_mode,
    mode_refusals,
)
from crane_ctrl.site import Slot

S, C = PackState, PackCommand

ACTING_TO = {
    S.RESETTING: S.IDLE, S.STARTING: S.EXECUTE, S.COMPLETING: S.COMPLETE, S.HOLDING: S.HELD,
    S.UNHOLDING: S.EXECUTE, S.SUSPENDING: S.SUSPENDED, S.UNSUSPENDING: S.EXECUTE,
    S.STOPPING: S.STOPPED, S.ABORTING: S.ABORTED, S.CLEARING: S.STOPPED,
}  # fmt: skip
"""Acting state -> where its state complete leads."""

EXPECTED = {
    (S.STOPPED, C.RESET): S.RESETTING,
    (S.IDLE, C.START): S.STARTING,
    (S.EXECUTE, C.COMPLETE): S.COMPLETING,
    (S.EXECUTE, C.HOLD): S.HOLDING,
    (S.EXECUTE, C.SUSPEND): S.SUSPENDING,
    (S.COMPLETE, C.RESET): S.RESETTING,
    (S.HELD, C.UNHOLD): S.UNHOLDING,
    (S.SUSPENDED, C.UNSUSPEND): S.UNSUSPENDING,
    (S.SUSPENDED, C.HOLD): S.HOLDING,
    (S.ABORTED, C.CLEAR): S.CLEARING,
    **{(s, C.STOP): S.STOPPING for s in (
        S.RESETTING, S.IDLE, S.STARTING, S.EXECUTE, S.COMPLETING, S.COMPLETE, S.HOLDING, S.HELD,
        S.UNHOLDING, S.SUSPENDING, S.SUSPENDED, S.UNSUSPENDING)},
    **{(s, C.ABORT): S.ABORTING for s in S if s not in (S.ABORTING, S.ABORTED)},
}  # fmt: skip
"""(state, command) -> next state: every legal command, by hand."""

NO_OPS = {(S.STOPPED, C.STOP), (S.STOPPING, C.STOP), (S.ABORTING, C.ABORT), (S.ABORTED, C.ABORT)}
ILLEGAL = [(s, c) for s, c in product(S, C) if (s, c) not in EXPECTED and (s, c) not in NO_OPS]


def machine_in(state: PackState, reason: str = "") -> MachineState:
    return MachineState(state, since=10.0, reason=reason)


# --- PackML -------------------------------------------------------------------------------------


def test_machine_starts_stopped() -> None:
    machine = MachineState()
    assert (machine.state, machine.since, machine.reason) == (S.STOPPED, 0.0, "")


@pytest.mark.parametrize(("state", "cmd"), sorted(EXPECTED), ids=str)
def test_legal_command_moves_to_its_state_and_returns_one_event(
    state: PackState, cmd: PackCommand
) -> None:
    machine = machine_in(state)
    assert machine.can(cmd)
    events = machine.command(cmd, 12.5, reason="operator")
    target = EXPECTED[state, cmd]
    assert events == [
        {"time": 12.5, "from": state, "to": target, "command": cmd.value, "reason": "operator"}
    ]
    assert (machine.state, machine.since, machine.reason) == (target, 12.5, "operator")


@pytest.mark.parametrize(("state", "cmd"), ILLEGAL, ids=str)
def test_illegal_command_is_refused_naming_state_and_command(
    state: PackState, cmd: PackCommand
) -> None:
    machine = machine_in(state, reason="before")
    with pytest.raises(CommandRefused, match=rf"^cannot {cmd.name} when {state.name}; ") as info:
        machine.command(cmd, 12.5)
    assert isinstance(info.value, CraneCtrlError)
    assert (machine.state, machine.since, machine.reason) == (state, 10.0, "before")
    assert not machine.can(cmd)


@pytest.mark.parametrize(("state", "cmd"), sorted(NO_OPS), ids=str)
def test_stop_when_stopping_or_stopped_and_abort_when_aborting_or_aborted_do_nothing(
    state: PackState, cmd: PackCommand
) -> None:
    machine = machine_in(state, reason="first")
    assert machine.command(cmd, 12.5, reason="again") == []
    assert (machine.state, machine.since, machine.reason) == (state, 10.0, "first")


def test_allowed_lists_exactly_the_legal_commands_of_each_state() -> None:
    for state in S:
        expected = tuple(c for c in C if (state, c) in EXPECTED)
        assert machine_in(state).allowed() == expected


@pytest.mark.parametrize(
    ("state", "cmd", "message"),
    [
        (S.HELD, C.START, "cannot START when HELD; UNHOLD first"),
        (S.STOPPED, C.START, "cannot START when STOPPED; RESET first"),
        (S.ABORTED, C.RESET, "cannot RESET when ABORTED; CLEAR first"),
        (S.SUSPENDED, C.SUSPEND, "cannot SUSPEND when SUSPENDED; it is SUSPENDED already"),
        (S.COMPLETE, C.START, "cannot START when COMPLETE; RESET first"),
        (S.IDLE, C.HOLD, "cannot HOLD when IDLE; START first"),
        (S.IDLE, C.RESET, "cannot RESET when IDLE; it is IDLE already"),
        (S.HOLDING, C.UNHOLD, "cannot UNHOLD when HOLDING; wait until it is HELD"),
        (S.ABORTING, C.CLEAR, "cannot CLEAR when ABORTING; wait until it is ABORTED"),
        (S.CLEARING, C.STOP, "cannot STOP when CLEARING; wait until it is STOPPED"),
        (
            S.EXECUTE,
            C.RESET,
            "cannot RESET when EXECUTE; allowed now: HOLD, SUSPEND, STOP, ABORT, COMPLETE",
        ),
    ],
)
def test_refusal_says_what_to_do_instead(state: PackState, cmd: PackCommand, message: str) -> None:
    with pytest.raises(CommandRefused) as info:
        machine_in(state).command(cmd, 1.0)
    assert str(info.value) == message
    assert info.value.reasons == (message,)


@pytest.mark.parametrize("state", sorted(ACTING_TO), ids=str)
def test_acting_state_moves_on_at_state_complete_keeping_its_reason(state: PackState) -> None:
    machine = machine_in(state, reason="wind 21 m/s")
    events = machine.state_complete(20.0)
    target = ACTING_TO[state]
    assert events == [{"time": 20.0, "from": state, "to": target, "command": "state_complete",
                       "reason": "wind 21 m/s"}]  # fmt: skip
    assert (machine.state, machine.since, machine.reason) == (target, 20.0, "wind 21 m/s")


@pytest.mark.parametrize("state", [s for s in S if s not in ACTING_TO], ids=str)
def test_state_complete_outside_an_acting_state_is_refused_naming_the_state(
    state: PackState,
) -> None:
    machine = machine_in(state)
    with pytest.raises(CommandRefused, match=rf"^cannot complete {state.name}: "):
        machine.state_complete(20.0)
    assert machine.state is state


def test_execute_ends_with_the_complete_command_not_a_state_complete() -> None:
    with pytest.raises(CommandRefused) as info:
        machine_in(S.EXECUTE).state_complete(1.0)
    assert str(info.value) == (
        "cannot complete EXECUTE: it is not an acting state; the job ends with COMPLETE"
    )


@pytest.mark.parametrize("state", [s for s in S if s not in (S.ABORTING, S.ABORTED)], ids=str)
def test_abort_from_any_state_but_aborting_and_aborted_goes_to_aborting(state: PackState) -> None:
    machine = machine_in(state)
    assert machine.abort(30.0, "ESTOP: emergency-stop chain open") == [
        {"time": 30.0, "from": state, "to": S.ABORTING, "command": "abort",
         "reason": "ESTOP: emergency-stop chain open"}
    ]  # fmt: skip
    assert machine.state is S.ABORTING


@pytest.mark.parametrize("state", [S.ABORTING, S.ABORTED])
def test_abort_while_aborting_or_aborted_keeps_the_first_reason(state: PackState) -> None:
    machine = machine_in(state, reason="first e-stop")
    assert machine.abort(30.0, "second e-stop") == []
    assert (machine.state, machine.reason) == (state, "first e-stop")


def test_a_shift_runs_through_hold_and_complete_back_to_idle() -> None:
    machine = MachineState()
    steps: list[tuple[PackCommand | None, PackState]] = [
        (C.RESET, S.RESETTING), (None, S.IDLE), (C.START, S.STARTING), (None, S.EXECUTE),
        (C.HOLD, S.HOLDING), (None, S.HELD), (C.UNHOLD, S.UNHOLDING), (None, S.EXECUTE),
        (C.SUSPEND, S.SUSPENDING), (None, S.SUSPENDED), (C.HOLD, S.HOLDING), (None, S.HELD),
        (C.UNHOLD, S.UNHOLDING), (None, S.EXECUTE), (C.COMPLETE, S.COMPLETING),
        (None, S.COMPLETE), (C.RESET, S.RESETTING), (None, S.IDLE),
    ]  # fmt: skip
    for t, (cmd, expected) in enumerate(steps):
        if cmd is None:
            machine.state_complete(float(t))
        else:
            machine.command(cmd, float(t))
        assert machine.state is expected


def test_events_are_json_data_with_stable_keys() -> None:
    machine = MachineState()
    (event,) = machine.command(C.RESET, 1.0, reason="shift start")
    assert tuple(event) == EVENT_KEYS == ("time", "from", "to", "command", "reason")
    assert json.loads(json.dumps(event)) == {
        "time": 1.0, "from": "stopped", "to": "resetting", "command": "reset",
        "reason": "shift start",
    }  # fmt: skip


def test_state_numbers_map_every_state_once_in_both_numberings() -> None:
    assert sorted(PACKML_NUMBER.values()) == list(range(17))
    assert sorted(PACKTAGS_V3_NUMBER.values()) == list(range(1, 18))
    assert set(PACKML_NUMBER) == set(PACKTAGS_V3_NUMBER) == set(S)


@pytest.mark.parametrize(
    ("state", "packml", "packtags"),
    [(S.STOPPED, 0, 2), (S.IDLE, 2, 4), (S.EXECUTE, 4, 6), (S.ABORTED, 8, 9),
     (S.CLEARING, 10, 1), (S.SUSPENDED, 12, 5), (S.HELD, 15, 11), (S.COMPLETE, 6, 17)],
)  # fmt: skip
def test_the_two_numberings_differ_and_each_matches_its_standard(
    state: PackState, packml: int, packtags: int
) -> None:
    assert (state.packml_number, state.packtags_v3_number) == (packml, packtags)


ACTIONS = st.one_of(
    st.sampled_from(list(C)),
    st.just("state_complete"),
    st.just("abort"),
)


def act(machine: MachineState, action: PackCommand | str, now: float) -> list[object] | str:
    """What ``action`` returned: its events, or the refusal's message."""
    try:
        if action == "state_complete":
            return list(machine.state_complete(now))
        if action == "abort":
            return list(machine.abort(now, "fault"))
        assert isinstance(action, PackCommand)
        return list(machine.command(action, now))
    except CommandRefused as refused:
        return str(refused)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(S)), st.lists(ACTIONS, max_size=40))
def test_random_commands_never_leave_the_table_and_every_refusal_names_the_state(
    start: PackState, actions: list[PackCommand | str]
) -> None:
    machine = MachineState(start)
    for t, action in enumerate(actions):
        before = machine.state
        cmd = C.ABORT if action == "abort" else action
        if action == "state_complete":
            expected = ACTING_TO.get(before)
        else:
            assert isinstance(cmd, PackCommand)
            expected = EXPECTED.get((before, cmd))
        outcome = act(machine, action, float(t + 1))
        if isinstance(outcome, str):
            assert before.name in outcome
            assert expected is None
            assert machine.state is before
        elif outcome:
            assert machine.state is expected
            assert outcome == [{"time": float(t + 1), "from": before, "to": expected,
                                "command": str(action), "reason": machine.reason}]  # fmt: skip
        else:
            assert (before, cmd) in NO_OPS
            assert machine.state is before
        assert machine.state in S


# --- modes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "automatic", "jog", "speed", "operator_lands_at", "bypass"),
    [
        (Mode.MANUAL, False, True, 0.25, set(), False),
        (Mode.SEMIAUTOMATIC, True, False, 1.0, {"truck"}, False),
        (Mode.FULLAUTOMATIC, True, False, 1.0, set(), False),
        (Mode.MAINTENANCE, False, True, 0.10, set(), True),
    ],
)
def test_each_mode_allows_what_opc_40020_describes(
    mode: Mode, automatic: bool, jog: bool, speed: float, operator_lands_at: set[str],
    bypass: bool,
) -> None:  # fmt: skip
    rules = ModeRules.of(mode)
    assert (rules.automatic, rules.jog, rules.speed_factor, set(rules.operator_lands_at),
            rules.bypass) == (automatic, jog, speed, operator_lands_at, bypass)  # fmt: skip


def test_semiautomatic_leaves_the_truck_landing_to_the_operator_but_not_agv_or_stack() -> None:
    semi, full = ModeRules.of(Mode.SEMIAUTOMATIC), ModeRules.of(Mode.FULLAUTOMATIC)
    assert semi.operator_lands(Slot.truck("T1"))
    assert not semi.operator_lands(Slot.agv("A1"))
    assert not semi.operator_lands(Slot.stack(3, 2, 1))
    assert not full.operator_lands(Slot.truck("T1"))


def test_mode_speed_factors_are_settings() -> None:
    settings_ = ModeSettings(manual_speed_factor=0.5, maintenance_speed_factor=0.2)
    assert ModeRules.of(Mode.MANUAL, settings_).speed_factor == 0.5
    assert ModeRules.of(Mode.MAINTENANCE, settings_).speed_factor == 0.2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"manual_speed_factor": 1.5}, "`manual_speed_factor` must be in (0, 1], not 1.5"),
        (
            {"maintenance_speed_factor": 0.0},
            "`maintenance_speed_factor` must be in (0, 1], not 0.0",
        ),
        ({"bypass_max_s": math.inf}, "`bypass_max_s` must be positive and finite, not inf"),
    ],
)
def test_mode_settings_refuse_impossible_values(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        ModeSettings(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("state", [S.STOPPED, S.IDLE, S.ABORTED])
@pytest.mark.parametrize("mode", list(Mode))
def test_maintenance_role_may_change_to_any_mode_while_stopped_idle_or_aborted(
    mode: Mode, state: PackState
) -> None:
    assert change_mode(mode, Role.MAINTENANCE, state) is mode


@pytest.mark.parametrize("state", [s for s in S if s not in (S.STOPPED, S.IDLE, S.ABORTED)])
def test_mode_change_is_refused_while_the_machine_is_not_at_rest(state: PackState) -> None:
    with pytest.raises(CommandRefused) as info:
        change_mode(Mode.MANUAL, Role.OPERATOR, state)
    assert str(info.value) == (
        f"mode changes only when the machine is STOPPED, IDLE or ABORTED, not {state.name}"
    )


def test_maintenance_mode_needs_the_maintenance_role() -> None:
    assert mode_refusals(Mode.MAINTENANCE, Role.OPERATOR, S.STOPPED) == [
        "MAINTENANCE mode needs the maintenance role, not operator"
    ]
    assert change_mode(Mode.FULLAUTOMATIC, Role.OPERATOR, S.IDLE) is Mode.FULLAUTOMATIC


def test_mode_refusal_lists_every_reason() -> None:
    with pytest.raises(CommandRefused) as info:
        change_mode(Mode.MAINTENANCE, Role.OPERATOR, S.EXECUTE)
    assert info.value.reasons == (
        "mode changes only when the machine is STOPPED, IDLE or ABORTED, not EXECUTE",
        "MAINTENANCE mode needs the maintenance role, not operator",
    )


def test_leaving_maintenance_is_refused_while_a_bypass_is_in_force() -> None:
    book = BypassBook()
    bypass = book.grant("LIMIT_HOIST_UP", Role.MAINTENANCE, 100.0, 600.0, "limit switch test",
                        mode=Mode.MAINTENANCE)  # fmt: skip
    assert mode_refusals(Mode.MANUAL, Role.MAINTENANCE, S.STOPPED, bypass=bypass) == [
        "LIMIT_HOIST_UP is bypassed until 700 s: end the bypass before leaving MAINTENANCE"
    ]
    assert mode_refusals(Mode.MAINTENANCE, Role.MAINTENANCE, S.STOPPED, bypass=bypass) == []


# --- bypasses -----------------------------------------------------------------------------------


def grant(book: BypassBook, interlock: str = "LIMIT_HOIST_UP", *, role: Role = Role.MAINTENANCE,
          now: float = 100.0, duration_s: float = 600.0, reason: str = "limit switch test",
          mode: Mode = Mode.MAINTENANCE) -> list[str]:  # fmt: skip
    """The refusal reasons of a grant (empty when granted)."""
    try:
        book.grant(interlock, role, now, duration_s, reason, mode=mode, user="lan")
    except CommandRefused as refused:
        return list(refused.reasons)
    return []


def test_bypass_is_granted_for_its_time_and_then_expires() -> None:
    book = BypassBook()
    assert grant(book) == []
    bypass = book.active(100.0)
    assert bypass is not None
    assert (bypass.interlock_id, bypass.by, bypass.since, bypass.until, bypass.user) == (
        "LIMIT_HOIST_UP", Role.MAINTENANCE, 100.0, 700.0, "lan")  # fmt: skip
    assert book.active(699.9) is bypass
    assert book.active(700.0) is None  # out of force even before expire() runs
    assert book.expire(650.0) is None
    assert book.expire(701.0) is bypass
    assert book.expire(702.0) is None


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"role": Role.OPERATOR}, "maintenance role required to bypass an interlock, not operator"),
        ({"mode": Mode.FULLAUTOMATIC}, "a bypass needs MAINTENANCE mode, not FULLAUTOMATIC"),
        ({"interlock": "OVERLOAD"}, "OVERLOAD cannot be bypassed to lift"),
        (
            {"interlock": "ESTOP"},
            "ESTOP cannot be bypassed: the emergency stop is a safety function",
        ),
        ({"interlock": "HOIST_MAGIC"}, "no interlock 'HOIST_MAGIC' to bypass"),
        ({"duration_s": 2700.0}, "a bypass lasts at most 30 minutes, not 45"),
        ({"duration_s": 0.0}, "a bypass lasts a positive time, not 0.0 s"),
        ({"duration_s": math.nan}, "a bypass lasts a positive time, not nan s"),
        ({"reason": "  "}, "a bypass needs a reason for the journal"),
    ],
)
def test_bypass_refusals(kwargs: dict[str, object], reason: str) -> None:
    book = BypassBook()
    assert grant(book, **kwargs) == [reason]  # type: ignore[arg-type]
    assert book.active(100.0) is None
    assert book.take_events() == []


@pytest.mark.parametrize("interlock", sorted(NEVER_BYPASSED))
def test_safety_functions_are_never_bypassed(interlock: str) -> None:
    assert interlock in INTERLOCKS
    assert grant(BypassBook(), interlock) == [NEVER_BYPASSED[interlock]]


def test_only_one_interlock_may_be_bypassed_at_a_time() -> None:
    book = BypassBook()
    assert grant(book) == []
    assert grant(book, "LANE_NOT_CLEAR", now=200.0) == [
        "only one interlock may be bypassed at a time: LIMIT_HOIST_UP is bypassed until 700 s"
    ]
    assert grant(book, "LANE_NOT_CLEAR", now=700.0) == []


def test_bypass_time_limit_is_a_setting() -> None:
    book = BypassBook(ModeSettings(bypass_max_s=600.0))
    assert grant(book, duration_s=601.0) == ["a bypass lasts at most 10 minutes, not 10.0167"]
    assert grant(book, duration_s=600.0) == []


def test_a_refused_bypass_lists_every_reason() -> None:
    assert grant(BypassBook(), "OVERLOAD", role=Role.OPERATOR, mode=Mode.MANUAL) == [
        "maintenance role required to bypass an interlock, not operator",
        "a bypass needs MAINTENANCE mode, not MANUAL",
        "OVERLOAD cannot be bypassed to lift",
    ]


def test_revoke_ends_the_bypass_now() -> None:
    book = BypassBook()
    assert book.revoke(50.0, "nothing to revoke") is None
    grant(book)
    revoked = book.revoke(300.0, "maintenance done")
    assert revoked is not None
    assert revoked.interlock_id == "LIMIT_HOIST_UP"
    assert book.active(300.0) is None
    assert book.revoke(301.0, "again") is None


def test_every_bypass_change_is_journaled_once_in_order() -> None:
    book = BypassBook()
    grant(book)
    book.expire(800.0)
    grant(book, "LANE_NOT_CLEAR", now=900.0, reason="light curtain repair")
    book.revoke(950.0, "repair done")
    events = book.take_events()
    assert [(e["time"], e["event"], e["interlock"], e["reason"]) for e in events] == [
        (100.0, "granted", "LIMIT_HOIST_UP", "limit switch test"),
        (700.0, "expired", "LIMIT_HOIST_UP", "time limit reached"),
        (900.0, "granted", "LANE_NOT_CLEAR", "light curtain repair"),
        (950.0, "revoked", "LANE_NOT_CLEAR", "repair done"),
    ]
    assert events[0] == {"time": 100.0, "event": "granted", "interlock": "LIMIT_HOIST_UP",
                         "by": "maintenance", "user": "lan", "until": 700.0,
                         "reason": "limit switch test"}  # fmt: skip
    assert json.loads(json.dumps(events)) == events
    assert book.take_events() == []
