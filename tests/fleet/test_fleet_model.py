"""The operations centre's fleet model from hand-made Sparkplug messages (no broker, no clock):
births, data by alias, deaths with the birth's bdSeq and with a stale one, seq gaps, history,
and what the fleet table, alarm list and remote-operator queue make of them."""

from __future__ import annotations

from dataclasses import replace

from crane_ctrl.alarms.states import AlarmState, Priority
from crane_ctrl.fleet.fleet_model import FleetModel, RebirthAsk, parse_topic
from crane_ctrl.fleet.fleet_view import (
    READ,
    CraneKey,
    MetricPoint,
    Presence,
    Urgency,
    crane_row,
)
from crane_ctrl.fleet.metrics import station_reading
from crane_ctrl.fleet.payload import BD_SEQ, REBIRTH, DataType, Metric, Payload, encode
from crane_ctrl.fleet.topics import MessageType, NodeTopics
from crane_ctrl.testing import StationRig
from tests.profile_texts import PROFILES

ASC7 = CraneKey("block-A", "ASC-07")
ASC8 = CraneKey("block-A", "ASC-08")
T0 = 1_800_000_000_000
"""The centre's time at the start of each test (UTC ms)."""
DECLARED = (  # name, datatype, value at birth
    ("Operation/State", DataType.STRING, "execute"),
    ("Operation/Mode", DataType.STRING, "fullautomatic"),
    ("Job/Id", DataType.STRING, "J1"),
    ("Job/Step", DataType.STRING, "lower"),
    ("Hoist/Load", DataType.DOUBLE, 31.5),
    ("Link/State", DataType.STRING, "up"),
    ("Link/Comms ok", DataType.BOOLEAN, True),
    ("Why not/Start", DataType.STRING, None),
    ("Operation/Awaiting confirm", DataType.STRING, None),
    ("Alarms/ESTOP", DataType.STRING, "normal"),
    ("Alarms/WIND_STOP", DataType.STRING, "normal"),
    ("Alarms/VENDOR_OIL", DataType.STRING, "normal"),
)
ALIAS = {name: alias for alias, (name, _, _) in enumerate(DECLARED, start=1)}


def birth(bd_seq: int, at_ms: int = T0, **values: object) -> Payload:
    metrics = [Metric(BD_SEQ, bd_seq, DataType.INT64, timestamp_ms=at_ms),
               Metric(REBIRTH, False, DataType.BOOLEAN, timestamp_ms=at_ms)]  # fmt: skip
    for name, kind, value in DECLARED:
        value = values.get(name, value)
        metrics.append(Metric(name, value, kind, ALIAS[name], at_ms))  # type: ignore[arg-type]
    return Payload(at_ms, 0, tuple(metrics))


KIND = {name: kind for name, kind, _ in DECLARED}


def data(seq: int, at_ms: int, *changes: tuple[str, object], historical: bool = False) -> Payload:
    """An NDATA as :func:`decode` gives it (named by the birth's aliases)."""
    metrics = tuple(Metric(name, value, KIND[name], ALIAS[name], at_ms, is_historical=historical)  # type: ignore[arg-type]
                    for name, value in changes)  # fmt: skip
    return Payload(at_ms, seq, metrics)


def death(bd_seq: int, at_ms: int = T0) -> Payload:
    return Payload(at_ms, None, (Metric(BD_SEQ, bd_seq, DataType.INT64),))


def born(model: FleetModel, key: CraneKey = ASC7, bd_seq: int = 3, **values: object) -> None:
    model.observe(MessageType.NBIRTH, key, birth(bd_seq, **values), T0)


def connected_model() -> FleetModel:
    model = FleetModel("ops", "mqtt://127.0.0.1:1883", now_ms=T0)
    assert model.connected(T0) == ()
    return model


def test_an_nbirth_makes_the_crane_online_with_every_metric_it_declares() -> None:
    model = connected_model()
    born(model)
    crane = model.view(T0).crane(ASC7)
    assert crane is not None
    assert (crane.presence, crane.bd_seq, crane.births) == (Presence.ONLINE, 3, 1)
    assert crane.value("Hoist/Load") == 31.5
    assert crane.metrics["Job/Id"].timestamp_ms == T0
    assert BD_SEQ not in crane.metrics
    assert REBIRTH not in crane.metrics


def test_ndata_names_its_metrics_by_the_aliases_of_the_birth() -> None:
    model = connected_model()
    topic = NodeTopics.of(ASC7.group, ASC7.node)
    model.take(topic.nbirth, encode(birth(3)), T0)
    named = data(1, T0 + 50, ("Hoist/Load", 12.0), ("Job/Step", "raise"))
    on_wire = replace(named, metrics=tuple(replace(m, name=None) for m in named.metrics))
    assert model.take(topic.ndata, encode(on_wire, datatypes=False), T0 + 60) == ()
    crane = model.view(T0 + 60).crane(ASC7)
    assert crane is not None
    assert crane.metrics["Hoist/Load"] == MetricPoint(12.0, T0 + 50, "")
    assert crane.metrics["Job/Step"] == MetricPoint("raise", T0 + 50, "")
    assert crane.heard_ms == T0 + 60


def test_an_ndeath_with_the_birth_bdseq_marks_the_crane_offline_and_since_when() -> None:
    model = connected_model()
    born(model, bd_seq=3)
    model.observe(MessageType.NDEATH, ASC7, death(3), T0 + 9000)
    crane = model.view(T0 + 9000).crane(ASC7)
    assert crane is not None
    assert (crane.presence, crane.since_ms) == (Presence.OFFLINE, T0 + 9000)
    assert "NDEATH" in crane.why
    assert crane.value("Hoist/Load") == 31.5  # the last known value, shown as stale
    row = crane_row(crane, T0 + 10_000)
    assert row.urgency is Urgency.LOST


def test_an_ndeath_with_a_stale_bdseq_is_a_late_will_and_changes_nothing() -> None:
    """A node that reconnects (bdSeq 4) takes over its half-dead session; the broker then
    publishes the old session's will (bdSeq 3)."""
    model = connected_model()
    born(model, bd_seq=3)
    born(model, bd_seq=4)
    model.observe(MessageType.NDEATH, ASC7, death(3), T0 + 100)
    crane = model.view(T0 + 100).crane(ASC7)
    assert crane is not None
    assert (crane.presence, crane.bd_seq) == (Presence.ONLINE, 4)


def test_a_seq_gap_asks_for_a_rebirth_and_the_data_still_counts() -> None:
    model = connected_model()
    born(model)
    assert model.observe(MessageType.NDATA, ASC7, data(1, T0, ("Hoist/Load", 1.0)), T0) == ()
    asks = model.observe(MessageType.NDATA, ASC7, data(3, T0 + 1, ("Hoist/Load", 3.0)), T0 + 1)
    assert asks == (RebirthAsk(ASC7, "seq 3 where 2 was due"),)
    crane = model.view(T0 + 1).crane(ASC7)
    assert crane is not None
    assert (crane.seq_gaps, crane.rebirths_asked, crane.value("Hoist/Load")) == (1, 1, 3.0)


def test_seq_wraps_after_255_without_a_gap() -> None:
    model = connected_model()
    born(model)
    for n in range(1, 300):
        seq = n % 256
        assert model.observe(MessageType.NDATA, ASC7, data(seq, T0 + n, ("Hoist/Load", 1.0)),
                             T0 + n) == (), n  # fmt: skip


def test_rebirths_are_asked_at_most_once_per_interval_per_node() -> None:
    model = FleetModel("ops", "broker", rebirth_every_s=5.0, now_ms=T0)
    model.connected(T0)
    born(model)
    gap = data(9, T0, ("Hoist/Load", 1.0))
    assert len(model.observe(MessageType.NDATA, ASC7, gap, T0)) == 1
    assert model.observe(MessageType.NDATA, ASC7, data(20, T0), T0 + 4999) == ()
    assert len(model.observe(MessageType.NDATA, ASC7, data(30, T0), T0 + 5000)) == 1


def test_data_before_a_birth_asks_for_one_and_shows_the_crane_as_not_born() -> None:
    model = connected_model()
    asks = model.observe(MessageType.NDATA, ASC8, data(17, T0, ("Hoist/Load", 2.0)), T0)
    assert asks == (RebirthAsk(ASC8, "data before its birth"),)
    crane = model.view(T0).crane(ASC8)
    assert crane is not None
    assert crane.presence is Presence.STALE
    assert "not born" in crane.why
    assert crane.metrics == {}


def test_an_alias_the_birth_did_not_declare_asks_for_a_rebirth() -> None:
    model = connected_model()
    born(model)
    odd = Payload(T0, 1, (Metric(None, 5, None, 999, T0),))
    assert model.observe(MessageType.NDATA, ASC7, odd, T0) == (
        RebirthAsk(ASC7, "metric alias 999 not in its birth"),
    )


def test_historical_values_go_to_history_not_to_the_live_value() -> None:
    model = connected_model()
    born(model)
    late = data(1, T0 - 60_000, ("Hoist/Load", 7.0), historical=True)
    model.observe(MessageType.NDATA, ASC7, late, T0 + 10)
    old_live = data(2, T0 - 1, ("Hoist/Load", 8.0))  # older than the value held: history too
    model.observe(MessageType.NDATA, ASC7, old_live, T0 + 20)
    crane = model.view(T0 + 20).crane(ASC7)
    assert crane is not None
    assert crane.value("Hoist/Load") == 31.5
    assert [(h.name, h.value, h.timestamp_ms) for h in crane.history] == [
        ("Hoist/Load", 7.0, T0 - 60_000), ("Hoist/Load", 8.0, T0 - 1)]  # fmt: skip


def test_a_host_that_loses_the_broker_shows_every_crane_stale_then_asks_them_again() -> None:
    model = connected_model()
    born(model)
    model.disconnected(T0 + 100, "connection lost")
    crane = model.view(T0 + 100).crane(ASC7)
    assert crane is not None
    assert crane.presence is Presence.STALE
    assert "lost the broker" in crane.why
    assert not model.view(T0 + 100).host.connected
    assert model.connected(T0 + 200) == (RebirthAsk(ASC7, "the operations centre connected"),)
    # data from it before its new birth: not applied (its birth may have changed), asked later
    model.observe(MessageType.NDATA, ASC7, data(5, T0 + 300, ("Hoist/Load", 5.0)), T0 + 300)
    crane = model.view(T0 + 300).crane(ASC7)
    assert crane is not None
    assert (crane.presence, crane.value("Hoist/Load")) == (Presence.STALE, 31.5)
    born(model, bd_seq=3)
    assert model.view(T0 + 400).crane(ASC7).online  # type: ignore[union-attr]


def test_the_fleet_alarm_list_has_every_crane_s_shown_alarms_most_urgent_first() -> None:
    model = connected_model()
    born(model, ASC7, **{"Alarms/WIND_STOP": "acked", "Alarms/VENDOR_OIL": "unack"})
    born(model, ASC8, **{"Alarms/ESTOP": "unack", "Alarms/WIND_STOP": "shelved"})
    alarms = model.view(T0).alarms
    assert [(str(a.crane), a.id, a.state) for a in alarms] == [
        ("block-A/ASC-08", "ESTOP", AlarmState.UNACK),
        ("block-A/ASC-07", "VENDOR_OIL", AlarmState.UNACK),  # unknown priority ranks as high
        ("block-A/ASC-07", "WIND_STOP", AlarmState.ACKED),
    ]
    assert alarms[0].priority is Priority.HIGH
    assert alarms[1].priority is None
    assert "emergency" in alarms[0].message.lower() or alarms[0].message


def test_the_queue_holds_the_online_cranes_whose_landing_awaits_the_operator() -> None:
    model = connected_model()
    born(model, ASC7, **{"Operation/Awaiting confirm": "truck lane T1"})
    born(model, ASC8)
    view = model.view(T0)
    assert [(str(w.crane), w.landing, w.job) for w in view.queue] == [
        ("block-A/ASC-07", "truck lane T1", "J1")]  # fmt: skip
    assert crane_row(view.cranes[0], T0).urgency is Urgency.WAITING
    model.observe(MessageType.NDEATH, ASC7, death(3), T0 + 5)
    assert model.view(T0 + 5).queue == ()


def test_the_row_says_how_old_the_data_is_and_ranks_by_urgency() -> None:
    model = connected_model()
    born(model, ASC7)
    born(model, ASC8, **{"Alarms/ESTOP": "unack"})
    view = model.view(T0 + 40_000)
    rows = sorted((crane_row(c, view.time_ms) for c in view.cranes), key=lambda r: r.sort_key())
    assert [str(r.key) for r in rows] == ["block-A/ASC-08", "block-A/ASC-07"]
    assert rows[0].urgency is Urgency.ALARM
    assert rows[0].top_alarm is not None
    assert rows[0].top_alarm.id == "ESTOP"
    assert (rows[1].data_age_s, rows[1].data_old) == (40.0, True)
    assert (rows[1].state, rows[1].mode, rows[1].job, rows[1].load_t) == (
        "execute", "fullautomatic", "J1", 31.5)  # fmt: skip


def test_the_view_is_the_same_object_until_something_changes() -> None:
    model = connected_model()
    born(model)
    first = model.view(T0)
    assert model.view(T0) is first
    later = model.view(T0 + 1000)
    assert (later.version, later.cranes) == (first.version, first.cranes)
    model.observe(MessageType.NDATA, ASC7, data(1, T0, ("Hoist/Load", 2.0)), T0 + 1000)
    assert model.view(T0 + 1000).version > first.version


def test_topics_other_than_an_edge_node_s_are_not_for_the_model() -> None:
    assert parse_topic("spBv1.0/block-A/NDATA/ASC-07") == (MessageType.NDATA, ASC7)
    assert parse_topic("spBv1.0/STATE/ops") is None
    assert parse_topic("spBv1.0/block-A/DDATA/ASC-07/dev") is None
    assert parse_topic("other/block-A/NDATA/ASC-07") is None


async def test_a_station_declares_every_metric_the_fleet_view_reads() -> None:
    async with StationRig(PROFILES / "generic-modbus.toml") as rig:
        view = await rig.scan()
    names = {d.name for d in station_reading(view).defs}
    assert set(READ) <= names
