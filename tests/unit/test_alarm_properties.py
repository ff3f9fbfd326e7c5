"""Property tests: over random conditions, operator actions and time steps the alarm engine
never reaches an invalid state, and its events tell the whole story of every state change."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from crane_ctrl.alarms.engine import (
    FLOOD_ID,
    AlarmDefinition,
    AlarmError,
    AlarmEvent,
    AlarmState,
    AlarmSystem,
    Priority,
)
from crane_ctrl.alarms.states import UNACKNOWLEDGED, VISIBLE

DEFINITIONS = (
    AlarmDefinition("CAUSE", "cause", Priority.HIGH, off_delay_s=1.0, first_out_group="trip"),
    AlarmDefinition(
        "A",
        "a",
        Priority.HIGH,
        on_delay_s=0.5,
        off_delay_s=0.5,
        first_out_group="trip",
        suppressed_by=frozenset({"CAUSE"}),
    ),
    AlarmDefinition("B", "b", Priority.MEDIUM, first_out_group="trip", latching=True),
    AlarmDefinition(
        "C", "c", Priority.LOW, on_delay_s=1.0, off_delay_s=2.0, suppressed_by=frozenset({"A", "B"})
    ),
    AlarmDefinition("D", "d", Priority.LOW),
)
BY_ID = {d.id: d for d in DEFINITIONS}
IDS = list(BY_ID)
FLOOD_COUNT, FLOOD_WINDOW_S, FLOOD_END_COUNT, MAX_SHELVE_S = 3, 60.0, 2, 60.0

_BY_A_PERSON = {"acknowledged", "shelved", "out_of_service", "in_service"}
_EITHER = {"unshelved", "cleared", "returned", "unsuppressed"}
"""By the clock or the process (no user), or by a person (unshelve, reset)."""

ids = st.sampled_from(IDS)
steps = st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 30.0, 61.0])


class AlarmMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.system = AlarmSystem(
            DEFINITIONS,
            flood_count=FLOOD_COUNT,
            flood_window_s=FLOOD_WINDOW_S,
            flood_end_count=FLOOD_END_COUNT,
            max_shelve_s=MAX_SHELVE_S,
        )
        self.now = 0.0
        self.updated_at = 0.0
        self.condition = dict.fromkeys(IDS, False)
        self.condition_since = dict.fromkeys(IDS, float("-inf"))
        self.shown = dict.fromkeys(IDS, AlarmState.NORMAL)
        """Each alarm's state as its events tell it."""
        self.activations = dict.fromkeys(IDS, 0)
        self.annunciations: list[float] = []
        self.flood = False

    def record(self, events: list[AlarmEvent]) -> None:
        for e in events:
            assert e.time == self.now
            if e.alarm_id == FLOOD_ID:
                assert e.kind == ("flood_end" if self.flood else "flood_start")
                self.flood = not self.flood
                continue
            assert e.from_state == self.shown[e.alarm_id], e
            self.shown[e.alarm_id] = e.to_state
            if e.kind == "activated":
                self.activations[e.alarm_id] += 1
                if e.to_state is AlarmState.UNACK:
                    self.annunciations.append(e.time)
            if e.kind in _BY_A_PERSON:
                assert e.user is not None
            elif e.kind not in _EITHER:
                assert e.user is None

    def act(self, action: Callable[[], list[AlarmEvent]]) -> list[AlarmEvent] | None:
        try:
            events = action()
        except AlarmError:
            return None
        self.record(events)
        return events

    @rule(dt=steps, conditions=st.dictionaries(ids, st.booleans()))
    def update(self, dt: float, conditions: dict[str, bool]) -> None:
        self.now += dt
        for alarm_id, value in conditions.items():
            if value != self.condition[alarm_id]:
                self.condition[alarm_id] = value
                self.condition_since[alarm_id] = self.now
        self.record(self.system.update(self.now, conditions))
        self.updated_at = self.now

    @rule(alarm_id=ids)
    def acknowledge(self, alarm_id: str) -> None:
        before = self.system.alarm(alarm_id).state
        done = self.act(lambda: self.system.acknowledge(alarm_id, self.now, "ana"))
        assert (done is not None) == (before in UNACKNOWLEDGED)

    @rule()
    def acknowledge_all(self) -> None:
        waiting = {v.id for v in self.system.alarms() if v.state in UNACKNOWLEDGED}
        events = self.act(lambda: self.system.acknowledge_all(self.now, "ana"))
        assert events is not None
        assert {e.alarm_id for e in events} == waiting
        assert self.system.unacknowledged_count == 0

    @rule(alarm_id=ids, duration=st.sampled_from([0.5, 5.0, 60.0, 61.0]))
    def shelve(self, alarm_id: str, duration: float) -> None:
        oos = self.system.alarm(alarm_id).out_of_service
        done = self.act(lambda: self.system.shelve(alarm_id, self.now, duration, "ana"))
        assert (done is not None) == (duration <= MAX_SHELVE_S and not oos)

    @rule(alarm_id=ids)
    def unshelve(self, alarm_id: str) -> None:
        shelved = self.system.alarm(alarm_id).shelved_until is not None
        done = self.act(lambda: self.system.unshelve(alarm_id, self.now, "ana"))
        assert (done is not None) == shelved

    @rule(alarm_id=ids, on=st.booleans())
    def out_of_service(self, alarm_id: str, on: bool) -> None:
        was = self.system.alarm(alarm_id).out_of_service
        done = self.act(lambda: self.system.set_out_of_service(alarm_id, on, self.now, "max"))
        assert (done is not None) == (on != was)

    @rule(alarm_id=ids)
    def reset(self, alarm_id: str) -> None:
        view = self.system.alarm(alarm_id)
        done = self.act(lambda: self.system.reset(alarm_id, self.now, "max"))
        assert (done is not None) == view.needs_reset
        if done is not None:
            assert not self.system.alarm(alarm_id).active

    @invariant()
    def events_tell_every_state_change(self) -> None:
        for view in self.system.alarms():
            assert view.state is self.shown[view.id]
            assert view.activations == self.activations[view.id]

    @invariant()
    def annunciated_holds_exactly_the_visible_alarms_by_priority(self) -> None:
        shown = self.system.annunciated()
        assert all(v.state in VISIBLE for v in shown)
        assert {v.id for v in shown} == {v.id for v in self.system.alarms() if v.state in VISIBLE}
        assert [v.priority for v in shown] == sorted(v.priority for v in shown)

    @invariant()
    def acknowledged_means_someone_acknowledged_this_activation(self) -> None:
        for v in self.system.alarms():
            if v.state is AlarmState.ACKED:
                assert v.acknowledged_by is not None
            if v.state in UNACKNOWLEDGED:
                assert v.acknowledged_by is None

    @invariant()
    def unacknowledged_count_counts_unack_and_rtn_unack(self) -> None:
        count = sum(v.state in UNACKNOWLEDGED for v in self.system.alarms())
        assert self.system.unacknowledged_count == count

    @invariant()
    def active_follows_a_condition_that_held_for_its_delay(self) -> None:
        for view in self.system.alarms():
            d = BY_ID[view.id]
            condition = self.condition[view.id]
            held = self.updated_at - self.condition_since[view.id]
            if condition and held >= d.on_delay_s:
                assert view.active
            if not condition and held >= d.off_delay_s and not d.latching:
                assert not view.active
                assert view.state not in (AlarmState.UNACK, AlarmState.ACKED)
            if not d.latching:
                assert not view.needs_reset

    @invariant()
    def hidden_states_follow_their_causes(self) -> None:
        views = {v.id: v for v in self.system.alarms()}
        for v in views.values():
            if v.shelved_until is not None:
                assert v.shelved_until > self.updated_at
            if v.out_of_service:
                assert v.state is AlarmState.OUT_OF_SERVICE
            elif v.shelved_until is not None:
                assert v.state is AlarmState.SHELVED
            elif v.suppressed:
                assert v.state is AlarmState.SUPPRESSED
            else:
                assert v.state not in (AlarmState.SHELVED, AlarmState.SUPPRESSED)
            assert v.suppressed == any(views[s].active for s in BY_ID[v.id].suppressed_by)

    @invariant()
    def first_out_belongs_to_a_group_that_is_not_all_normal(self) -> None:
        first = self.system.first_out
        if first is None:
            return
        assert BY_ID[first].first_out_group == "trip"
        group = [v for v in self.system.alarms() if BY_ID[v.id].first_out_group == "trip"]
        assert any(v.state in VISIBLE for v in group)
        assert [v.id for v in group if v.first_out] == [first]

    @invariant()
    def flood_follows_the_annunciations_in_the_window(self) -> None:
        start = self.updated_at - FLOOD_WINDOW_S
        count = sum(t > start for t in self.annunciations)
        assert self.system.flood == self.flood
        if self.flood:
            assert count >= FLOOD_END_COUNT
        else:
            assert count <= FLOOD_COUNT
        assert self.system.rate(self.updated_at) == count * 600.0 / FLOOD_WINDOW_S


AlarmMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestAlarmMachine = AlarmMachine.TestCase


@settings(max_examples=200, deadline=None)
@given(
    on_delay=st.floats(0.5, 10.0),
    pulses=st.lists(st.tuples(st.floats(0.0, 0.99), st.floats(0.01, 5.0)), max_size=30),
)
def test_condition_never_held_for_the_on_delay_never_activates(
    on_delay: float, pulses: list[tuple[float, float]]
) -> None:
    system = AlarmSystem([AlarmDefinition("A", "a", Priority.LOW, on_delay_s=on_delay)])
    t = 0.0
    for fraction, gap in pulses:
        system.update(t, {"A": True})
        system.update(t + fraction * on_delay * 0.5, {})
        t += fraction * on_delay
        system.update(t, {"A": False})
        t += gap
        system.update(t, {})
    assert system.alarm("A").activations == 0


@settings(max_examples=200, deadline=None)
@given(
    off_delay=st.floats(0.5, 10.0),
    gaps=st.lists(st.tuples(st.floats(0.0, 0.99), st.floats(0.01, 5.0)), max_size=30),
)
def test_clear_never_held_for_the_off_delay_never_returns(
    off_delay: float, gaps: list[tuple[float, float]]
) -> None:
    system = AlarmSystem([AlarmDefinition("A", "a", Priority.LOW, off_delay_s=off_delay)])
    system.update(0.0, {"A": True})
    t = 1.0
    for fraction, hold in gaps:
        system.update(t, {"A": False})
        t += fraction * off_delay
        system.update(t, {"A": True})
        t += hold
    view = system.alarm("A")
    assert (view.state, view.activations) == (AlarmState.UNACK, 1)
