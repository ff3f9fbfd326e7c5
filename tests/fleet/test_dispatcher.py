"""The dispatcher's rule, pure: which order goes to which crane, what the TOS is told, and what
happens when a crane goes offline; orders read and refused field by field."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import pytest

from crane_ctrl.fleet.dispatcher import Action, Dispatcher, Event, Phase, Tracked
from crane_ctrl.fleet.fleet_view import (
    CraneKey,
    CraneView,
    FleetView,
    HostLink,
    MetricPoint,
    Presence,
    Value,
)
from crane_ctrl.fleet.tos_orders import Cancel, Order, Refusal, event_json, read_message
from crane_ctrl.site import SiteLayout

BLOCK = "block-A"
T0 = 1_800_000_000_000
DOCS = Path(__file__).parents[2] / "docs"
ORDER: dict[str, Any] = {"order": "ORD-1", "container": "MSKU1234565", "from": "truck:T1",
                         "to": "stack:7:3:1", "size_ft": 40}  # fmt: skip


def crane(node: str, *, online: bool = True, mode: str = "fullautomatic", queued: int = 0,
          job: str | None = None, state: str | None = None, ended: str | None = None,
          gantry: float | None = None, group: str = BLOCK) -> CraneView:  # fmt: skip
    values: dict[str, Value] = {"Operation/Mode": mode, "Job/Queued": queued, "Job/Id": job,
                                "Job/State": state, "Job/Ended": ended,
                                "Gantry/Position": gantry}  # fmt: skip
    metrics = MappingProxyType({k: MetricPoint(v, T0) for k, v in values.items()})
    presence = Presence.ONLINE if online else Presence.OFFLINE
    return CraneView(CraneKey(group, node), presence, T0, "" if online else "NDEATH (bdSeq 1)",
                     1, metrics)  # fmt: skip


def fleet(*cranes: CraneView) -> FleetView:
    return FleetView.of(T0, HostLink("dispatch", "mqtt://127.0.0.1:1", True, T0), cranes)


def order(**changes: Any) -> Order:
    message = read_message(json.dumps({**ORDER, **changes}).encode())
    assert isinstance(message, Order), message
    return message


def ended(job: str, state: str, reason: str = "") -> str:
    return json.dumps({"job": job, "state": state, "reason": reason})


def kinds(events: list[Event]) -> list[str]:
    return [e.event for e in events]


def dispatched(d: Dispatcher, view: FleetView, *orders: Order) -> list[Action]:
    """Receive the orders, assign them, and let every station take its job."""
    for o in orders:
        d.receive(o, T0)
    _, actions = d.assign(view, T0)
    for a in actions:
        d.sent(a, done=True, why="", values={"job": a.args["job"]}, now_ms=T0)
    return actions


def test_an_order_goes_to_the_least_loaded_crane_then_the_nearest() -> None:
    d = Dispatcher(BLOCK, site=SiteLayout())
    busy = crane("ASC-01", queued=2, job="J9", state="moving_to_deliver", gantry=40.0)
    far, near = crane("ASC-02", gantry=200.0), crane("ASC-03", gantry=40.0)
    other_block = crane("ASC-09", group="block-B")
    actions = dispatched(d, fleet(busy, far, near, other_block), order())
    assert [(a.crane, a.cmd) for a in actions] == [("ASC-03", "job.add")]
    assert actions[0].args == {"from": "truck:T1", "to": "stack:7:3:1", "size_ft": 40,
                               "container": "MSKU1234565", "job": "ORD-1"}  # fmt: skip
    assert d.orders["ORD-1"].phase is Phase.QUEUED


def test_orders_spread_over_the_cranes_most_urgent_first() -> None:
    d = Dispatcher(BLOCK)
    view = fleet(crane("ASC-01"), crane("ASC-02"), crane("ASC-03", mode="manual"))
    low, urgent, next_ = (
        order(order="A", priority=9),
        order(order="B", priority=1),
        order(order="C"),
    )
    actions = dispatched(d, view, low, urgent, next_)
    assert [(a.order, a.crane) for a in actions] == [("B", "ASC-01"), ("C", "ASC-02"),
                                                     ("A", "ASC-01")]  # fmt: skip


def test_a_pinned_order_waits_for_its_crane_and_goes_only_there() -> None:
    d = Dispatcher(BLOCK)
    d.receive(order(crane="ASC-02"), T0)
    events, actions = d.assign(fleet(crane("ASC-01"), crane("ASC-02", online=False)), T0)
    assert actions == []
    assert [(e.event, e.fields["reason"]) for e in events] == [
        ("waiting", "ASC-02 is not online in an automatic mode")
    ]
    assert d.assign(fleet(crane("ASC-01"), crane("ASC-02", online=False)), T0) == ([], [])
    _, actions = d.assign(fleet(crane("ASC-01"), crane("ASC-02", queued=5)), T0)
    assert [a.crane for a in actions] == ["ASC-02"]


def test_progress_by_tic_step_then_done() -> None:
    d = Dispatcher(BLOCK)
    dispatched(d, fleet(crane("ASC-01")), order())
    steps = ["moving_to_collect", "moving_to_collect", "ready_to_collect", "moving_to_deliver",
             "ready_to_deliver"]  # fmt: skip
    events = []
    for state in steps:
        events += d.observe(fleet(crane("ASC-01", job="ORD-1", state=state)), T0)[0]
    events += d.observe(fleet(crane("ASC-01", ended=ended("ORD-1", "done"))), T0)[0]
    assert [(e.event, e.fields.get("step")) for e in events] == [
        ("progress", "movingtocollect"),
        ("progress", "readytocollect"),
        ("progress", "movingtodeliver"),
        ("progress", "readytodeliver"),
        ("done", None),
    ]
    assert d.orders["ORD-1"].phase is Phase.DONE


def test_a_step_too_short_to_be_seen_is_still_reported_in_order() -> None:
    d = Dispatcher(BLOCK)
    dispatched(d, fleet(crane("ASC-01")), order())
    events = d.observe(fleet(crane("ASC-01", job="ORD-1", state="moving_to_deliver")), T0)[0]
    events += d.observe(fleet(crane("ASC-01", ended=ended("ORD-1", "done"))), T0)[0]
    assert [(e.event, e.fields.get("step")) for e in events] == [
        ("progress", "movingtocollect"),
        ("progress", "readytocollect"),
        ("progress", "movingtodeliver"),
        ("progress", "readytodeliver"),
        ("done", None),
    ]


def test_a_job_the_station_fails_is_reported_failed_with_its_reason() -> None:
    d = Dispatcher(BLOCK)
    dispatched(d, fleet(crane("ASC-01")), order())
    why = "container MSKU1234565 not found at truck lane T1"
    events, _ = d.observe(fleet(crane("ASC-01", ended=ended("ORD-1", "failed", why))), T0)
    assert [(e.event, e.fields["reason"]) for e in events] == [("failed", why)]


def test_an_offline_crane_gives_back_its_unstarted_orders_and_fails_the_started_one() -> None:
    d = Dispatcher(BLOCK)
    view = fleet(crane("ASC-01"), crane("ASC-02", queued=9))
    dispatched(d, view, order(order="A"), order(order="B"))
    d.observe(fleet(crane("ASC-01", job="A", state="moving_to_deliver", queued=1)), T0)
    events, _ = d.observe(fleet(crane("ASC-01", online=False), crane("ASC-02", queued=9)), T0)
    assert [(e.order, e.event) for e in events] == [("A", "failed"), ("B", "waiting")]
    assert "interrupted: ASC-01 went offline" in events[0].fields["reason"]
    assert "not run again" in events[0].fields["reason"]
    _, actions = d.assign(fleet(crane("ASC-01", online=False), crane("ASC-02", queued=9)), T0)
    assert [(a.order, a.crane, a.args["job"]) for a in actions] == [("B", "ASC-02", "B~2")]
    assert d.orders["A"].phase is Phase.FAILED  # never run again
    _, cancels = d.observe(fleet(crane("ASC-01"), crane("ASC-02")), T0)  # ASC-01 is back
    assert [(a.crane, a.cmd, a.args) for a in cancels] == [("ASC-01", "job.cancel", {"job": "B"})]
    d.sent(cancels[0], done=True, why="", values={}, now_ms=T0)
    assert d.observe(fleet(crane("ASC-01"), crane("ASC-02")), T0)[1] == []


def test_the_same_order_id_twice_is_one_order_and_other_content_is_refused() -> None:
    d = Dispatcher(BLOCK)
    dispatched(d, fleet(crane("ASC-01")), order())
    again, actions = d.receive(order(), T0)
    assert (kinds(again), again[0].fields["phase"], actions) == (["status"], "queued", [])
    other, _ = d.receive(order(to="stack:8:3:1"), T0)
    assert [(e.event, e.fields["field"]) for e in other] == [("refused", "order")]
    assert d.assign(fleet(crane("ASC-01")), T0) == ([], [])
    assert len(d.orders) == 1


def test_a_retried_add_the_station_already_took_is_accepted_once() -> None:
    d = Dispatcher(BLOCK)
    d.receive(order(), T0)
    _, (add,) = d.assign(fleet(crane("ASC-01")), T0)
    assert d.sent(add, done=False, why="", values={}, now_ms=T0) == []  # no answer
    _, (again,) = d.assign(fleet(crane("ASC-01")), T0)
    assert again.args["job"] == "ORD-1"
    events = d.sent(again, done=False, why="job id 'ORD-1' is in use", values={}, now_ms=T0)
    assert [(e.event, e.fields["crane"]) for e in events] == [("accepted", "ASC-01")]


def test_a_station_refusal_and_a_cancel() -> None:
    d = Dispatcher(BLOCK)
    d.receive(order(order="A"), T0)
    d.receive(order(order="B"), T0)
    d.receive(Cancel("B"), T0)
    _, (add,) = d.assign(fleet(crane("ASC-01")), T0)
    refused = d.sent(add, done=False, why="stack bay 7 row 3 tier 1 is taken", values={},
                     now_ms=T0)  # fmt: skip
    assert [(e.event, e.fields["field"]) for e in refused] == [("refused", "station")]
    assert d.orders["B"].phase is Phase.CANCELLED
    assert kinds(d.receive(Cancel("nope"), T0)[0]) == ["refused"]


def test_orders_survive_as_json() -> None:
    d = Dispatcher(BLOCK)
    dispatched(d, fleet(crane("ASC-01")), order(declared_mass_t=21.5, crane="ASC-01"))
    t = d.orders["ORD-1"]
    assert Tracked.from_json(t.to_json()) == t


BAD = [
    ({"order": ""}, "order"), ({"order": "a b"}, "order"), ({"order": 7}, "order"),
    ({"container": "MSKU1234567"}, "container"), ({"container": "msku1234565"}, "container"),
    ({"from": "truck"}, "from"), ({"from": 3}, "from"), ({"to": "stack:x:y:z:w"}, "to"),
    ({"to": "truck:T1"}, "to"), ({"size_ft": 30}, "size_ft"), ({"size_ft": "40"}, "size_ft"),
    ({"size_ft": True}, "size_ft"), ({"priority": 0}, "priority"), ({"priority": 1.5}, "priority"),
    ({"crane": ""}, "crane"), ({"crane": "ASC/07"}, "crane"),
    ({"declared_mass_t": -1}, "declared_mass_t"), ({"declared_mass_t": "x"}, "declared_mass_t"),
    ({"type": "move"}, "type"), ({"v": 2}, "v"), ({"frm": "truck:T1"}, "frm"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field"), BAD)
def test_garbage_in_a_field_is_refused_naming_the_field(change: dict[str, Any],
                                                        field: str) -> None:  # fmt: skip
    message = read_message(json.dumps({**ORDER, **change}).encode())
    assert isinstance(message, Refusal)
    assert message.field == field, message
    assert message.reason
    events, _ = Dispatcher(BLOCK).receive(message, T0)
    doc = json.loads(event_json(events[0].event, events[0].order, T0, **events[0].fields))
    assert (doc["event"], doc["field"]) == ("refused", field)
    _schema("tos-event").validate(doc)


def test_the_schemas_agree_with_the_reader() -> None:
    orders = _schema("tos-order")
    orders.validate({**ORDER, "priority": 2, "crane": "ASC-07", "declared_mass_t": 20.1})
    orders.validate({"type": "cancel", "order": "ORD-1"})
    for change, _ in BAD:
        if change in ({"container": "MSKU1234567"}, {"to": "truck:T1"}):
            continue  # the check digit and from == to: beyond a schema
        with pytest.raises(jsonschema.ValidationError):
            orders.validate({**ORDER, **change})
    for data in (b"not json", b"[1]", b"\xff"):
        message = read_message(data)
        assert isinstance(message, Refusal)
        assert message.order is None


def test_a_slot_not_on_the_blocks_site_is_refused() -> None:
    message = read_message(json.dumps({**ORDER, "to": "stack:99:3:1"}).encode(), SiteLayout())
    assert isinstance(message, Refusal)
    assert (message.field, message.order) == ("to", "ORD-1")
    lane = read_message(json.dumps({**ORDER, "from": "truck:T9"}).encode(), SiteLayout())
    assert isinstance(lane, Refusal)
    assert lane.field == "from"


def _schema(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DOCS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_dispatch_command_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crane_ctrl.cli.main import main

    monkeypatch.delenv("CRANE_CTRL_DISPATCH_PIN_FILE", raising=False)
    base = ["dispatch", "--broker", "mqtt://127.0.0.1:1", "--block", BLOCK, "--user", "d",
            "--store", str(tmp_path / "o.sqlite")]  # fmt: skip
    assert main(base) == 2
    assert "--pin-file: give the file holding the dispatcher's PIN" in capsys.readouterr().err
    (tmp_path / "pin").write_text("\n")
    assert main([*base, "--pin-file", str(tmp_path / "pin")]) == 2
    assert "is empty" in capsys.readouterr().err
    assert main([*base, "--pin-file", str(tmp_path / "none")]) == 2
    assert "cannot read" in capsys.readouterr().err
