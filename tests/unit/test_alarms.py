"""The ISA-18.2 alarm engine: state table, delays, shelving, suppression, first-out, flood."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from crane_ctrl.alarms.engine import (
    BASE_DEFINITIONS,
    EVENT_KEYS,
    FLOOD_ID,
    AlarmDefinition,
    AlarmError,
    AlarmEvent,
    AlarmState,
    AlarmSystem,
    Priority,
    alarm_catalogue,
    definitions_from_interlocks,
)
from crane_ctrl.errors import CraneCtrlError

S = AlarmState


def define(alarm_id: str, priority: Priority = Priority.HIGH, **kw: Any) -> AlarmDefinition:
    return AlarmDefinition(alarm_id, f"{alarm_id} happened", priority, **kw)


def kinds(events: list[AlarmEvent]) -> list[tuple[str, str]]:
    return [(e.alarm_id, str(e.kind)) for e in events]


def state(system: AlarmSystem, alarm_id: str = "A") -> AlarmState:
    return system.alarm(alarm_id).state


# --- the state table -------------------------------------------------------------------------------

Action = Callable[[AlarmSystem, float], list[AlarmEvent]]


def cond(value: bool) -> Action:
    return lambda s, t: s.update(t, {"A": value})


def cause(value: bool) -> Action:
    """The alarm that suppresses A by design."""
    return lambda s, t: s.update(t, {"CAUSE": value})


def ack(s: AlarmSystem, t: float) -> list[AlarmEvent]:
    return s.acknowledge("A", t, "ana")


def shelve(s: AlarmSystem, t: float) -> list[AlarmEvent]:
    return s.shelve("A", t, 600.0, "ana")


def unshelve(s: AlarmSystem, t: float) -> list[AlarmEvent]:
    return s.unshelve("A", t, "ana")


def expire(s: AlarmSystem, t: float) -> list[AlarmEvent]:
    return s.update(t + 600.0, {})


def oos(on: bool) -> Action:
    return lambda s, t: s.set_out_of_service("A", on, t, "max")


PATHS: dict[str, list[Action]] = {
    "normal": [],
    "unack": [cond(True)],
    "acked": [cond(True), ack],
    "rtn_unack": [cond(True), cond(False)],
    "shelved, active": [cond(True), shelve],
    "shelved, clear": [shelve],
    "suppressed, active": [cond(True), cause(True)],
    "suppressed, clear": [cause(True)],
    "out of service, active": [cond(True), oos(True)],
    "out of service, clear": [oos(True)],
}

STATE_TABLE = [
    ("normal", cond(True), S.UNACK, "activated"),
    ("unack", ack, S.ACKED, "acknowledged"),
    ("unack", cond(False), S.RTN_UNACK, "returned"),
    ("acked", cond(False), S.NORMAL, "cleared"),
    ("rtn_unack", ack, S.NORMAL, "acknowledged"),
    ("rtn_unack", cond(True), S.UNACK, "activated"),
    *((start, shelve, S.SHELVED, "shelved") for start in ("normal", "unack", "acked", "rtn_unack")),
    *((start, cause(True), S.SUPPRESSED, "suppressed") for start in ("normal", "unack", "acked", "rtn_unack")),
    *((start, oos(True), S.OUT_OF_SERVICE, "out_of_service") for start in ("normal", "unack", "acked", "rtn_unack")),
    ("shelved, active", unshelve, S.UNACK, "unshelved"),
    ("shelved, clear", unshelve, S.NORMAL, "unshelved"),
    ("shelved, active", expire, S.UNACK, "unshelved"),
    ("shelved, clear", expire, S.NORMAL, "unshelved"),
    ("shelved, clear", cond(True), S.SHELVED, "activated"),
    ("shelved, active", cond(False), S.SHELVED, "cleared"),
    ("suppressed, active", cause(False), S.UNACK, "unsuppressed"),
    ("suppressed, clear", cause(False), S.NORMAL, "unsuppressed"),
    ("suppressed, clear", cond(True), S.SUPPRESSED, "activated"),
    ("suppressed, active", cond(False), S.SUPPRESSED, "cleared"),
    ("out of service, active", oos(False), S.UNACK, "in_service"),
    ("out of service, clear", oos(False), S.NORMAL, "in_service"),
    ("out of service, clear", cond(True), S.OUT_OF_SERVICE, "activated"),
    ("out of service, active", cond(False), S.OUT_OF_SERVICE, "cleared"),
]  # fmt: skip


def table_system() -> AlarmSystem:
    return AlarmSystem([define("A", suppressed_by=frozenset({"CAUSE"})), define("CAUSE")])


@pytest.mark.parametrize(
    ("start", "action", "to_state", "kind"),
    STATE_TABLE,
    ids=[f"{start} -{kind}-> {to}" for start, _, to, kind in STATE_TABLE],
)
def test_state_table_transition_and_its_event(
    start: str, action: Action, to_state: AlarmState, kind: str
) -> None:
    system = table_system()
    t = 0.0
    for step in PATHS[start]:
        t += 1.0
        step(system, t)
    before = state(system)
    events = [e for e in action(system, t + 1.0) if e.alarm_id == "A"]
    assert state(system) is to_state
    assert [(e.kind, e.from_state, e.to_state) for e in events] == [(kind, before, to_state)]


def test_operator_actions_record_who_and_when() -> None:
    system = AlarmSystem([define("A")])
    system.update(1.0, {"A": True})
    [event] = system.acknowledge("A", 2.5, "ana")
    assert (event.time, event.user) == (2.5, "ana")
    view = system.alarm("A")
    assert (view.acknowledged_by, view.since, view.activated_at) == ("ana", 2.5, 1.0)


def test_process_events_have_no_user() -> None:
    system = AlarmSystem([define("A")])
    [event] = system.update(1.0, {"A": True})
    assert event.user is None


def test_missing_ids_keep_their_last_condition() -> None:
    system = AlarmSystem([define("A"), define("B", off_delay_s=5.0)])
    system.update(0.0, {"A": True, "B": True})
    system.update(1.0, {"B": False})
    assert kinds(system.update(100.0, {})) == [("B", "returned")]  # A still true
    assert state(system, "A") is S.UNACK
    assert state(system, "B") is S.RTN_UNACK


def test_each_new_activation_needs_a_new_acknowledgement() -> None:
    system = AlarmSystem([define("A")])
    system.update(0.0, {"A": True})
    system.acknowledge("A", 1.0, "ana")
    system.update(2.0, {"A": False})
    system.update(3.0, {"A": True})
    view = system.alarm("A")
    assert (view.state, view.acknowledged_by, view.activations) == (S.UNACK, None, 2)


# --- on/off delays against chatter ----------------------------------------------------------------


def test_condition_toggling_faster_than_the_on_delay_never_activates() -> None:
    system = AlarmSystem([define("A", on_delay_s=2.0)])
    events = [e for i in range(120) for e in system.update(i * 0.5, {"A": i % 4 != 3})]
    assert events == []
    assert system.alarm("A").activations == 0


def test_condition_held_for_the_on_delay_activates_when_it_runs_out() -> None:
    system = AlarmSystem([define("A", on_delay_s=2.0)])
    assert system.update(10.0, {"A": True}) == []
    assert system.update(11.9, {}) == []
    assert kinds(system.update(12.0, {})) == [("A", "activated")]


def test_clear_toggling_faster_than_the_off_delay_keeps_the_alarm_active() -> None:
    system = AlarmSystem([define("A", off_delay_s=3.0)])
    system.update(0.0, {"A": True})
    events = [e for i in range(1, 100) for e in system.update(i * 1.0, {"A": i % 3 == 0})]
    assert events == []
    assert (state(system), system.alarm("A").activations) == (S.UNACK, 1)


def test_alarm_returns_once_clear_for_the_off_delay() -> None:
    system = AlarmSystem([define("A", off_delay_s=3.0)])
    system.update(0.0, {"A": True})
    system.update(1.0, {"A": False})
    assert system.update(3.9, {}) == []
    assert kinds(system.update(4.0, {})) == [("A", "returned")]


def test_condition_that_returns_within_the_on_delay_restarts_it() -> None:
    system = AlarmSystem([define("A", on_delay_s=2.0)])
    system.update(0.0, {"A": True})
    system.update(1.0, {"A": False})
    system.update(2.0, {"A": True})
    assert system.update(3.9, {}) == []
    assert kinds(system.update(4.0, {})) == [("A", "activated")]


# --- latching -------------------------------------------------------------------------------------


def test_latching_alarm_stays_active_after_its_condition_clears_until_reset() -> None:
    system = AlarmSystem([define("A", latching=True)])
    system.update(0.0, {"A": True})
    system.acknowledge("A", 1.0, "ana")
    assert system.update(2.0, {"A": False}) == []
    view = system.alarm("A")
    assert (view.state, view.active, view.condition, view.needs_reset) == (
        S.ACKED,
        True,
        False,
        True,
    )
    [event] = system.reset("A", 3.0, "ana")
    assert (event.kind, event.to_state, event.user) == ("cleared", S.NORMAL, "ana")


def test_reset_of_an_unacknowledged_latched_alarm_leaves_it_to_acknowledge() -> None:
    system = AlarmSystem([define("A", latching=True)])
    system.update(0.0, {"A": True})
    system.update(1.0, {"A": False})
    [event] = system.reset("A", 2.0, "ana")
    assert (event.kind, event.to_state) == ("returned", S.RTN_UNACK)


def test_latched_alarm_whose_condition_returns_is_not_a_new_activation() -> None:
    system = AlarmSystem([define("A", latching=True)])
    system.update(0.0, {"A": True})
    system.update(1.0, {"A": False})
    assert system.update(2.0, {"A": True}) == []
    assert system.alarm("A").activations == 1


@pytest.mark.parametrize(
    ("latching", "conditions", "message"),
    [
        (False, [True], "alarm A does not latch: it clears by itself"),
        (True, [], "alarm A is not active: there is nothing to reset"),
        (True, [True], "alarm A cannot be reset: its condition is still present"),
    ],
)
def test_reset_refused_with_a_reason(latching: bool, conditions: list[bool], message: str) -> None:
    system = AlarmSystem([define("A", latching=latching)])
    for i, c in enumerate(conditions):
        system.update(float(i), {"A": c})
    with pytest.raises(AlarmError, match=f"^{message}$"):
        system.reset("A", 10.0, "ana")


def test_reset_refused_until_the_condition_is_clear_for_the_off_delay() -> None:
    system = AlarmSystem([define("A", latching=True, off_delay_s=5.0)])
    system.update(0.0, {"A": True})
    system.update(1.0, {"A": False})
    with pytest.raises(AlarmError, match="still present"):
        system.reset("A", 2.0, "ana")
    system.update(6.0, {})
    assert kinds(system.reset("A", 6.0, "ana")) == [("A", "returned")]


# --- shelving -------------------------------------------------------------------------------------


def test_shelved_alarm_is_not_annunciated_and_shows_its_true_state_at_expiry() -> None:
    system = AlarmSystem([define("A")])
    system.update(0.0, {"A": True})
    system.acknowledge("A", 1.0, "ana")
    [event] = system.shelve("A", 2.0, 300.0, "ana")
    assert event.shelved_until == 302.0
    assert system.annunciated() == []
    assert system.update(301.9, {}) == []
    [unshelved] = system.update(302.0, {})
    assert (unshelved.kind, unshelved.user, unshelved.to_state) == ("unshelved", None, S.UNACK)
    assert [v.id for v in system.annunciated()] == ["A"]


def test_alarm_that_activated_while_shelved_is_unack_after_expiry() -> None:
    system = AlarmSystem([define("A")])
    system.shelve("A", 0.0, 60.0, "ana")
    [activated] = system.update(10.0, {"A": True})
    assert (activated.from_state, activated.to_state) == (S.SHELVED, S.SHELVED)
    system.update(60.0, {})
    assert state(system) is S.UNACK


def test_alarm_that_cleared_while_shelved_is_normal_after_expiry() -> None:
    system = AlarmSystem([define("A")])
    system.update(0.0, {"A": True})
    system.shelve("A", 1.0, 60.0, "ana")
    system.update(10.0, {"A": False})
    system.update(61.0, {})
    assert state(system) is S.NORMAL


def test_acknowledged_alarm_back_from_the_shelf_must_be_acknowledged_again() -> None:
    system = AlarmSystem([define("A")])
    system.update(0.0, {"A": True})
    system.acknowledge("A", 1.0, "ana")
    system.shelve("A", 2.0, 60.0, "ana")
    system.unshelve("A", 3.0, "ana")
    view = system.alarm("A")
    assert (view.state, view.acknowledged_by) == (S.UNACK, None)


def test_returned_alarm_back_from_the_shelf_is_normal() -> None:
    system = AlarmSystem([define("A")])
    system.update(0.0, {"A": True})
    system.update(1.0, {"A": False})
    system.shelve("A", 2.0, 60.0, "ana")
    system.unshelve("A", 3.0, "ana")
    assert state(system) is S.NORMAL


def test_shelving_again_retimes_the_shelf() -> None:
    system = AlarmSystem([define("A")])
    system.update(0.0, {"A": True})
    system.shelve("A", 0.0, 60.0, "ana")
    system.shelve("A", 50.0, 60.0, "bob")
    system.update(100.0, {})
    view = system.alarm("A")
    assert (view.state, view.shelved_until, view.shelved_by) == (S.SHELVED, 110.0, "bob")


def test_shelving_beyond_the_maximum_shelve_time_is_refused() -> None:
    system = AlarmSystem([define("A")])
    with pytest.raises(
        AlarmError, match=r"^alarm A cannot be shelved for 9 h: the longest shelve is 8 h$"
    ):
        system.shelve("A", 0.0, 9 * 3600.0, "ana")
    assert system.shelve("A", 0.0, 8 * 3600.0, "ana")


def test_maximum_shelve_time_is_a_setting() -> None:
    system = AlarmSystem([define("A")], max_shelve_s=600.0)
    with pytest.raises(AlarmError, match="for 601 s: the longest shelve is 600 s"):
        system.shelve("A", 0.0, 601.0, "ana")


@pytest.mark.parametrize("duration", [0.0, -5.0, float("nan"), float("inf")])
def test_shelve_duration_must_be_positive(duration: float) -> None:
    system = AlarmSystem([define("A")])
    with pytest.raises(AlarmError, match="`duration_s` must be positive"):
        system.shelve("A", 0.0, duration, "ana")


def test_unshelving_an_alarm_that_is_not_shelved_is_refused() -> None:
    system = AlarmSystem([define("A")])
    with pytest.raises(AlarmError, match=r"^alarm A is not shelved$"):
        system.unshelve("A", 0.0, "ana")


def test_shelve_expiry_waits_for_the_next_update() -> None:
    system = AlarmSystem([define("A")])
    system.shelve("A", 0.0, 10.0, "ana")
    with pytest.raises(AlarmError, match="shelved"):
        system.acknowledge("A", 20.0, "ana")


# --- suppression by design ------------------------------------------------------------------------


def estop_and_drives() -> AlarmSystem:
    return AlarmSystem(
        [define("ESTOP", off_delay_s=2.0), define("DRIVE", suppressed_by=frozenset({"ESTOP"}))]
    )


def test_alarm_activating_with_its_suppressor_in_one_scan_is_never_annunciated() -> None:
    system = estop_and_drives()
    events = system.update(0.0, {"ESTOP": True, "DRIVE": True})
    assert [(e.alarm_id, e.kind, e.to_state) for e in events] == [
        ("DRIVE", "suppressed", S.SUPPRESSED),
        ("ESTOP", "activated", S.UNACK),
        ("DRIVE", "activated", S.SUPPRESSED),
    ]
    assert [v.id for v in system.annunciated()] == ["ESTOP"]
    assert system.unacknowledged_count == 1


def test_suppression_holds_for_the_suppressors_off_delay_then_reveals_what_remains() -> None:
    system = estop_and_drives()
    system.update(0.0, {"ESTOP": True, "DRIVE": True})
    system.update(1.0, {"ESTOP": False})
    assert state(system, "DRIVE") is S.SUPPRESSED
    events = system.update(3.0, {})
    assert [(e.alarm_id, e.kind, e.to_state) for e in events] == [
        ("ESTOP", "returned", S.RTN_UNACK),
        ("DRIVE", "unsuppressed", S.UNACK),
    ]


def test_suppressed_alarm_that_clears_with_its_suppressor_comes_back_normal() -> None:
    system = estop_and_drives()
    system.update(0.0, {"ESTOP": True, "DRIVE": True})
    system.update(1.0, {"ESTOP": False, "DRIVE": False})
    system.update(3.0, {})
    assert state(system, "DRIVE") is S.NORMAL


def test_suppression_follows_the_suppressor_while_it_is_itself_hidden() -> None:
    system = estop_and_drives()
    system.set_out_of_service("ESTOP", True, 0.0, "max")
    system.update(1.0, {"ESTOP": True, "DRIVE": True})
    assert state(system, "DRIVE") is S.SUPPRESSED


def test_unknown_suppressor_is_refused_with_the_closest_id() -> None:
    with pytest.raises(
        AlarmError, match=r"^alarm B: suppressed by unknown alarm 'ESTP'; did you mean 'ESTOP'\?$"
    ):
        AlarmSystem([define("ESTOP"), define("B", suppressed_by=frozenset({"ESTP"}))])


def test_suppression_cycle_is_refused() -> None:
    with pytest.raises(AlarmError, match="suppression cycle"):
        AlarmSystem(
            [
                define("A", suppressed_by=frozenset({"B"})),
                define("B", suppressed_by=frozenset({"C"})),
                define("C", suppressed_by=frozenset({"A"})),
            ]
        )


def test_alarm_cannot_suppress_itself() -> None:
    with pytest.raises(AlarmError, match=r"^alarm A: it cannot be suppressed by itself$"):
        define("A", suppressed_by=frozenset({"A"}))


def test_resetting_a_latched_suppressor_reveals_what_it_suppressed_at_once() -> None:
    system = AlarmSystem(
        [define("ESTOP", latching=True), define("DRIVE", suppressed_by=frozenset({"ESTOP"}))]
    )
    system.update(0.0, {"ESTOP": True, "DRIVE": True})
    system.update(1.0, {"ESTOP": False})
    events = system.reset("ESTOP", 2.0, "ana")
    assert [(e.alarm_id, e.kind, e.to_state) for e in events] == [
        ("ESTOP", "returned", S.RTN_UNACK),
        ("DRIVE", "unsuppressed", S.UNACK),
    ]


# --- out of service -------------------------------------------------------------------------------


def test_out_of_service_alarm_is_silent_until_back_in_service() -> None:
    system = AlarmSystem([define("A")])
    [event] = system.set_out_of_service("A", True, 0.0, "max")
    assert (event.kind, event.user) == ("out_of_service", "max")
    system.update(1.0, {"A": True})
    assert (system.annunciated(), system.unacknowledged_count) == ([], 0)
    system.set_out_of_service("A", False, 2.0, "max")
    assert state(system) is S.UNACK


def test_out_of_service_alarm_cannot_be_shelved() -> None:
    system = AlarmSystem([define("A")])
    system.set_out_of_service("A", True, 0.0, "max")
    with pytest.raises(
        AlarmError, match=r"^alarm A is out of service: there is nothing to shelve$"
    ):
        system.shelve("A", 1.0, 60.0, "ana")


@pytest.mark.parametrize(("on", "where"), [(True, "out of service"), (False, "in service")])
def test_out_of_service_twice_is_refused(on: bool, where: str) -> None:
    system = AlarmSystem([define("A")])
    if on:
        system.set_out_of_service("A", True, 0.0, "max")
    with pytest.raises(AlarmError, match=f"^alarm A is already {where}$"):
        system.set_out_of_service("A", on, 1.0, "max")


def test_shelf_expiring_while_out_of_service_leaves_it_out_of_service() -> None:
    system = AlarmSystem([define("A")])
    system.shelve("A", 0.0, 10.0, "ana")
    system.set_out_of_service("A", True, 1.0, "max")
    [event] = system.update(10.0, {})
    assert (event.kind, event.from_state, event.to_state) == (
        "unshelved",
        S.OUT_OF_SERVICE,
        S.OUT_OF_SERVICE,
    )


# --- first-out ------------------------------------------------------------------------------------


def trips(**kw: Any) -> AlarmSystem:
    return AlarmSystem(
        [define(i, first_out_group="trip", **kw) for i in ("T1", "T2", "T3")] + [define("X")]
    )


def test_first_trip_of_a_burst_is_first_out_and_the_later_ones_are_not() -> None:
    system = trips()
    [first] = system.update(0.0, {"T2": True})
    [second] = system.update(1.0, {"T1": True})
    assert (first.first_out, second.first_out) == (True, False)
    assert system.first_out == "T2"
    assert [v.id for v in system.alarms() if v.first_out] == ["T2"]


def test_first_out_in_one_scan_is_the_one_whose_on_delay_ran_out_first() -> None:
    system = AlarmSystem(
        [
            define("SLOW", on_delay_s=1.0, first_out_group="trip"),
            define("FAST", on_delay_s=0.2, first_out_group="trip"),
        ]
    )
    system.update(0.0, {"SLOW": True})
    system.update(0.5, {"FAST": True})
    events = system.update(1.0, {})  # SLOW ran out at 1.0, FAST at 0.7
    assert [(e.alarm_id, e.first_out) for e in events] == [("FAST", True), ("SLOW", False)]


def test_first_out_tie_in_one_scan_goes_to_catalogue_order() -> None:
    system = trips()
    system.update(0.0, {"T3": True, "T1": True})
    assert system.first_out == "T1"


def test_first_out_lasts_until_the_whole_group_is_normal() -> None:
    system = trips()
    system.update(0.0, {"T1": True, "T2": True})
    system.update(1.0, {"T1": False, "T2": False})
    system.acknowledge("T1", 2.0, "ana")
    assert system.first_out == "T1"  # T2 still awaits acknowledgement
    system.acknowledge_all(3.0, "ana")
    assert system.first_out is None
    system.update(4.0, {"T3": True})
    assert system.first_out == "T3"


def test_first_out_burst_does_not_end_while_a_trip_stays_acknowledged_and_active() -> None:
    system = trips()
    system.update(0.0, {"T1": True, "T2": True})
    system.acknowledge_all(1.0, "ana")
    system.update(2.0, {"T1": False})
    system.update(3.0, {"T3": True})
    assert system.first_out == "T1"


def test_alarms_outside_a_group_are_never_first_out() -> None:
    system = trips()
    [event] = system.update(0.0, {"X": True})
    assert (event.first_out, system.first_out) == (False, None)


def test_hidden_activation_is_not_first_out() -> None:
    system = trips()
    system.shelve("T1", 0.0, 60.0, "ana")
    system.update(1.0, {"T1": True, "T2": True})
    assert system.first_out == "T2"


def test_first_out_groups_are_independent() -> None:
    system = AlarmSystem(
        [define("P1", first_out_group="pumps"), define("T1", first_out_group="trip")]
    )
    system.update(0.0, {"P1": True})
    system.update(1.0, {"T1": True})
    assert (system.first_out, system.first_out_of("pumps")) == ("T1", "P1")


# --- flood ----------------------------------------------------------------------------------------


def many(n: int, **kw: Any) -> AlarmSystem:
    return AlarmSystem([define(f"A{i}", Priority.LOW) for i in range(n)], **kw)


def test_eleven_alarms_in_ten_minutes_start_a_flood() -> None:
    system = many(11)
    for i in range(10):
        system.update(i * 50.0, {f"A{i}": True})
    assert not system.flood
    events = system.update(520.0, {"A10": True})
    assert kinds(events) == [("A10", "activated"), (FLOOD_ID, "flood_start")]
    assert system.flood
    assert events[1].message == "Alarm flood: 11 alarms in 10 min; deal with the highest first"


def test_flood_ends_when_fewer_than_five_remain_in_the_window() -> None:
    system = many(11)
    for i in range(11):
        system.update(i * 10.0, {f"A{i}": True})  # t = 0 .. 100
    assert system.flood
    assert system.update(655.0, {}) == []  # 60 .. 100 still in the window: 5 left
    [end] = system.update(665.0, {})  # 70 .. 100: 4 left
    assert (end.kind, end.alarm_id, end.from_state, end.priority) == (
        "flood_end",
        FLOOD_ID,
        None,
        None,
    )
    assert not system.flood


def test_alarms_spread_wider_than_the_window_never_flood() -> None:
    system = many(30)
    for i in range(30):
        system.update(i * 61.0, {f"A{i}": True})
        assert not system.flood


def test_hidden_activations_do_not_count_toward_a_flood() -> None:
    system = many(12)
    system.shelve("A0", 0.0, 3600.0, "ana")
    system.set_out_of_service("A1", True, 0.0, "max")
    system.update(1.0, {f"A{i}": True for i in range(12)})
    assert not system.flood
    assert system.rate(1.0) == 10.0


def test_flood_thresholds_are_settings() -> None:
    system = many(4, flood_count=2, flood_window_s=60.0, flood_end_count=2)
    system.update(0.0, {"A0": True, "A1": True, "A2": True})
    assert system.flood
    system.update(61.0, {})
    assert not system.flood


def test_rate_is_annunciated_activations_per_ten_minutes() -> None:
    system = many(6, flood_window_s=300.0)
    system.update(0.0, {"A0": True, "A1": True, "A2": True})
    assert system.rate(100.0) == 6.0
    assert system.rate(300.0) == 0.0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"flood_count": 0}, "`flood_count` must be at least 1, not 0"),
        ({"flood_window_s": 0.0}, "`flood_window_s` must be positive, not 0.0"),
        ({"flood_end_count": 12}, r"`flood_end_count` must be 1..11 \(flood_count \+ 1\), not 12"),
        ({"max_shelve_s": -1.0}, "`max_shelve_s` must be positive, not -1.0"),
    ],
)
def test_bad_settings_are_refused(kw: dict[str, float], message: str) -> None:
    with pytest.raises(AlarmError, match=f"^{message}$"):
        many(1, **kw)


# --- acknowledge ----------------------------------------------------------------------------------


def test_acknowledge_all_acknowledges_every_annunciated_alarm_awaiting_it() -> None:
    system = AlarmSystem([define(i) for i in ("UNACK", "RTN", "ACKED", "NORMAL", "SHELVED")])
    system.update(0.0, {"UNACK": True, "RTN": True, "ACKED": True, "SHELVED": True})
    system.acknowledge("ACKED", 1.0, "ana")
    system.shelve("SHELVED", 1.0, 60.0, "ana")
    system.update(2.0, {"RTN": False})
    events = system.acknowledge_all(3.0, "bob")
    assert [(e.alarm_id, e.to_state, e.user) for e in events] == [
        ("UNACK", S.ACKED, "bob"),
        ("RTN", S.NORMAL, "bob"),
    ]
    assert system.unacknowledged_count == 0
    assert system.acknowledge_all(4.0, "bob") == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("normal", "it is normal, there is nothing to acknowledge"),
        ("acked", "it was already acknowledged by ana"),
        ("shelved, active", "it is shelved; it shows its state again when it returns"),
        ("suppressed, active", "it is suppressed; it shows its state again when it returns"),
        (
            "out of service, active",
            "it is out of service; it shows its state again when it returns",
        ),
    ],
)
def test_acknowledge_refused_with_a_reason(path: str, message: str) -> None:
    system = table_system()
    for i, step in enumerate(PATHS[path]):
        step(system, float(i))
    with pytest.raises(AlarmError, match=f"^alarm A cannot be acknowledged: {message}$"):
        system.acknowledge("A", 10.0, "bob")


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.acknowledge("LINK_DONW", 0.0, "ana"),
        lambda s: s.shelve("LINK_DONW", 0.0, 1.0, "ana"),
        lambda s: s.update(0.0, {"LINK_DONW": True}),
        lambda s: s.alarm("LINK_DONW"),
    ],
)
def test_unknown_alarm_is_refused_with_the_closest_id(
    call: Callable[[AlarmSystem], object],
) -> None:
    system = AlarmSystem(BASE_DEFINITIONS)
    with pytest.raises(
        AlarmError, match=r"^unknown alarm 'LINK_DONW'; did you mean 'LINK_DOWN'\?$"
    ):
        call(system)


def test_update_with_an_unknown_id_changes_nothing() -> None:
    system = AlarmSystem([define("A")])
    with pytest.raises(AlarmError):
        system.update(0.0, {"A": True, "ZZZ": True})
    assert system.alarm("A").condition is False


# --- definitions ----------------------------------------------------------------------------------


def test_alarm_error_is_a_crane_ctrl_error() -> None:
    assert issubclass(AlarmError, CraneCtrlError)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"on_delay_s": -1.0}, "alarm A: `on_delay_s` must be non-negative, not -1.0"),
        ({"off_delay_s": float("nan")}, "alarm A: `off_delay_s` must be non-negative, not nan"),
    ],
)
def test_bad_delays_are_refused(kw: dict[str, float], message: str) -> None:
    with pytest.raises(AlarmError, match=f"^{message}$"):
        define("A", **kw)


def test_definition_needs_an_id_and_a_message() -> None:
    with pytest.raises(AlarmError, match="non-empty `id`"):
        AlarmDefinition("", "x", Priority.LOW)
    with pytest.raises(AlarmError, match="`message` must say what happened"):
        AlarmDefinition("A", "", Priority.LOW)


def test_duplicate_alarm_ids_are_refused() -> None:
    with pytest.raises(AlarmError, match=r"^alarm A is defined twice$"):
        AlarmSystem([define("A"), define("A")])


# --- views and events -----------------------------------------------------------------------------


def test_annunciated_is_sorted_by_priority_then_oldest_first() -> None:
    system = AlarmSystem(
        [
            define("L1", Priority.LOW),
            define("H1"),
            define("M1", Priority.MEDIUM),
            define("H2"),
            define("N"),
        ]
    )
    system.update(0.0, {"L1": True})
    system.update(1.0, {"H2": True})
    system.update(2.0, {"M1": True, "H1": True})
    assert [v.id for v in system.annunciated()] == ["H2", "H1", "M1", "L1"]


def test_views_are_immutable_snapshots() -> None:
    system = AlarmSystem([define("A")])
    view = system.alarm("A")
    system.update(0.0, {"A": True})
    assert view.state is S.NORMAL
    with pytest.raises(FrozenInstanceError):
        view.state = S.UNACK  # type: ignore[misc]


def test_time_never_runs_backwards() -> None:
    system = AlarmSystem([define("A")])
    system.update(10.0, {"A": True})
    [event] = system.acknowledge("A", 9.0, "ana")
    assert event.time == 10.0


def test_event_as_dict_has_stable_keys_and_plain_values() -> None:
    system = many(12)
    system.shelve("A0", 0.0, 60.0, "ana")
    events = system.update(1.0, {f"A{i}": True for i in range(12)})
    events += system.update(2.0, {f"A{i}": False for i in range(12)})
    events += system.update(3.0, {f"A{i}": True for i in range(12)})
    assert {e.kind for e in events} >= {"activated", "returned", "cleared", "flood_start"}
    for event in events:
        record = event.as_dict()
        assert tuple(record) == EVENT_KEYS
        assert json.loads(json.dumps(record)) == record
    assert events[0].as_dict() == {
        "time": 1.0,
        "alarm_id": "A0",
        "kind": "activated",
        "from_state": "shelved",
        "to_state": "shelved",
        "priority": "low",
        "user": None,
        "message": "A0 happened",
        "first_out": False,
        "shelved_until": None,
    }


# --- catalogue ------------------------------------------------------------------------------------

INTERLOCKS = [
    ("COMMS_FAULT", "All motion stops while the data from the PLC cannot be trusted.", False),
    ("ESTOP", "All motion stops while the emergency-stop chain is open.", True),
    ("DRIVE_FAULT", "All motion stops while a drive reports a fault or is not ready.", False),
    ("WIND_STORM", "All motion stops when the wind reaches the storm limit.", True),
    ("WIND_STOP", "At the wind stop limit the crane starts nothing new.", True),
    ("OVERLOAD", "Hoisting up stops above 110 % of the safe working load.", False),
]


def test_base_definitions_suppress_link_consequences_by_the_link() -> None:
    base = {d.id: d for d in BASE_DEFINITIONS}
    assert set(base) == {
        "LINK_DOWN",
        "PLC_HEARTBEAT_FROZEN",
        "WIND_PREALARM",
        "PLC_FAULT_CODE",
        "PLC_RESET_IGNORED",
        "PLANNING_LATE",
        "LOAD_EXPOSED_TO_WIND",
        "SCAN_OVERRUN",
    }
    assert "LINK_DOWN" in base["PLC_HEARTBEAT_FROZEN"].suppressed_by
    assert "LINK_DOWN" in base["PLC_RESET_IGNORED"].suppressed_by
    assert (base["WIND_PREALARM"].priority, base["SCAN_OVERRUN"].priority) == (
        Priority.MEDIUM,
        Priority.LOW,
    )
    AlarmSystem(BASE_DEFINITIONS)


def test_interlocks_become_trip_alarms_that_latch_as_their_interlock() -> None:
    defs = {d.id: d for d in definitions_from_interlocks(INTERLOCKS)}
    assert list(defs) == [i for i, _, _ in INTERLOCKS]
    estop = defs["ESTOP"]
    assert (estop.message, estop.priority, estop.first_out_group, estop.latching) == (
        INTERLOCKS[1][1],
        Priority.HIGH,
        "trip",
        True,
    )
    assert defs["OVERLOAD"].latching is False
    assert (
        definitions_from_interlocks(INTERLOCKS[:1], Priority.MEDIUM)[0].priority is Priority.MEDIUM
    )


def test_interlock_alarms_are_suppressed_while_comms_cannot_be_trusted() -> None:
    defs = {d.id: d for d in definitions_from_interlocks(INTERLOCKS)}
    assert defs["COMMS_FAULT"].suppressed_by == frozenset()
    assert defs["OVERLOAD"].suppressed_by == {"COMMS_FAULT"}
    assert defs["DRIVE_FAULT"].suppressed_by == {"COMMS_FAULT", "ESTOP"}
    assert defs["WIND_STOP"].suppressed_by == {"COMMS_FAULT", "WIND_STORM"}
    alone = definitions_from_interlocks([("ESTOP", "e-stop", True)])
    assert alone[0].suppressed_by == frozenset()


def test_link_loss_annunciates_only_the_link_as_first_out() -> None:
    system = AlarmSystem(alarm_catalogue(INTERLOCKS))
    # Bad data: every interlock trips on its unsafe value in the same scan as the link alarm.
    everything = {i: True for i, _, _ in INTERLOCKS} | {"LINK_DOWN": True}
    system.update(0.0, everything)
    system.update(5.0, {})
    assert [v.id for v in system.annunciated()] == ["LINK_DOWN"]
    assert system.first_out == "LINK_DOWN"
    assert not system.flood


def test_wind_prealarm_is_suppressed_above_the_stop_limit() -> None:
    system = AlarmSystem(alarm_catalogue(INTERLOCKS))
    assert system.alarm("WIND_PREALARM").state is S.NORMAL
    system.update(0.0, {"WIND_PREALARM": True, "WIND_STOP": True})
    system.update(10.0, {})
    assert [v.id for v in system.annunciated()] == ["WIND_STOP"]


def test_catalogue_refuses_an_interlock_named_like_a_base_alarm() -> None:
    with pytest.raises(AlarmError, match=r"^alarm LINK_DOWN is defined twice$"):
        AlarmSystem(alarm_catalogue([("LINK_DOWN", "x", False)]))


def test_slack_ropes_alarm_only_when_the_spreader_is_not_seated() -> None:
    from crane_ctrl.alarms.conditions import conditions
    from crane_ctrl.crane import CraneParams
    from crane_ctrl.interlocks.evaluate import NO_LATCHES, InterlockSettings, evaluate
    from crane_ctrl.link_report import LinkHealth, LinkState
    from crane_ctrl.snapshot import Quality, Reading, Snapshot

    def snapshot(landed: tuple[bool, ...]) -> Snapshot:
        values: dict[str, object] = {"hoist.slack_rope": True}
        values.update(
            {f"spreader.landed_{c}": v for c, v in zip((1, 2, 3, 4), landed, strict=True)}
        )
        readings = {n: Reading(v, Quality.GOOD, 0.0) for n, v in values.items()}
        return Snapshot(0.0, readings)

    for landed, alarm in (((True,) * 4, False), ((True, True, False, True), True)):
        s = snapshot(landed)
        permits = evaluate(s, InterlockSettings.from_params(CraneParams()), NO_LATCHES)
        assert "SLACK_ROPE" in {t.id for t in permits.active}
        found = conditions(
            s,
            permits,
            [],
            LinkHealth("test", LinkState.UP, 0.0),
            scan_overrun=False,
            wind_prealarm_mps=15,
        )
        assert found["SLACK_ROPE"] is alarm
