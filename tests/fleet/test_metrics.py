"""A station's views as Sparkplug metrics (lock-step, no broker), and report by exception."""

from __future__ import annotations

from crane_ctrl.fleet.changes import ChangeFilter
from crane_ctrl.fleet.metrics import (
    POSITION_DEADBAND_M,
    TEXT_SETTLE_S,
    WHY_NOT,
    station_reading,
    supervisor_reading,
)
from crane_ctrl.fleet.payload import DataType, Metric, Payload, decode, encode
from crane_ctrl.fleet.reading import MetricDef, Reading
from crane_ctrl.interlocks.catalogue import Motion
from crane_ctrl.operation.machine import PackCommand
from crane_ctrl.testing import StationRig
from tests.profile_texts import PROFILES

MODBUS = PROFILES / "generic-modbus.toml"
PYTHON_TYPE = {DataType.BOOLEAN: bool, DataType.INT32: int, DataType.INT64: int,
               DataType.DOUBLE: float, DataType.STRING: str}  # fmt: skip
ASKED_FOR = [  # issue 19: mode, PackML state, job and step, positions, speeds, load, wind,
    "Operation/Mode", "Operation/State", "Job/Id", "Job/Step",  # spreader, link quality, alarms
    "Gantry/Position", "Trolley/Position", "Hoist/Position",  # with their state, why not
    "Gantry/Speed", "Trolley/Speed", "Hoist/Speed", "Hoist/Load", "Environment/Wind",
    "Spreader/Size", "Spreader/Locked", "Spreader/Unlocked", "Spreader/Landed",
    "Link/State", "Link/Comms ok", "Link/Round trip", "Alarms/Annunciated", "Interlocks/Blocked",
    *(f"Why not/{name}" for name in WHY_NOT.values()), "Why not/Start",
]  # fmt: skip


async def test_a_station_view_gives_every_metric_asked_for_each_of_its_declared_type() -> None:
    async with StationRig(MODBUS) as rig:
        view = await rig.scan(3)
    reading = station_reading(view)
    names = [d.name for d in reading.defs]
    assert set(ASKED_FOR) <= set(names)
    assert len(names) == len(set(names))
    assert len({n.lower() for n in names}) == len(names)  # tck-id-case-sensitivity-metric-names
    alarms = [n for n in names if n.startswith("Alarms/") and n.count("/") == 1]
    assert {f"Alarms/{a.id}" for a in view.supervisor.alarms} <= set(alarms)
    for d in reading.defs:
        value = reading.values[d.name]
        assert value is None or type(value) is PYTHON_TYPE[d.datatype], (d, value)
    assert reading.values["Operation/State"] == "stopped"
    assert reading.values["Link/Comms ok"] is True
    assert isinstance(reading.values["Gantry/Position"], float)
    units = {d.name: d.unit for d in reading.defs}
    assert (units["Hoist/Position"], units["Hoist/Speed"], units["Hoist/Load"]) == ("m", "m/s", "t")


async def test_every_motion_has_its_why_not_metric() -> None:
    assert set(WHY_NOT) == set(Motion)


async def test_untrusted_signals_are_null_not_a_stale_number() -> None:
    async with StationRig(MODBUS) as rig:
        rig.sim.faults.inject("force", signal="env.wind", value=-5.0)  # implausible: bad
        view = await rig.scan(2)
    values = station_reading(view).values
    assert values["Environment/Wind"] is None
    assert isinstance(values["Hoist/Position"], float)
    assert "SIGNAL_QUALITY" in str(values["Why not/Gantry forward"])


async def test_a_gale_shows_in_the_wind_its_alarm_and_the_why_not_sentences() -> None:
    async with StationRig(MODBUS) as rig:
        rig.sim.faults.inject("force", signal="env.wind", value=30.0)
        view = await rig.scan(60)
    values = station_reading(view).values
    assert values["Environment/Wind"] == 30.0
    assert "WIND" in str(values["Why not/Gantry forward"])
    assert "gantry+" in str(values["Interlocks/Blocked"])
    wind_alarms = [a for a in view.supervisor.alarms if "WIND" in a.id and a.active]
    assert wind_alarms
    assert values[f"Alarms/{wind_alarms[0].id}"] == str(wind_alarms[0].state)
    assert isinstance(values["Alarms/Annunciated"], int)


async def test_a_bare_supervisor_has_no_station_metrics() -> None:
    async with StationRig(MODBUS) as rig:
        view = await rig.scan()
    names = {d.name for d in supervisor_reading(view.supervisor).defs}
    assert "Gantry/Position" in names
    assert "Operation/State" not in names


async def test_the_definitions_are_the_same_object_while_the_alarms_are_the_same() -> None:
    async with StationRig(MODBUS) as rig:
        first = station_reading(await rig.scan())
        rig.station.pack(rig.operator, PackCommand.RESET)
        second = station_reading(await rig.scan(5))
    assert first.defs is second.defs
    assert second.values["Operation/State"] != "stopped"


# --- report by exception


def reading(t: float, **values: object) -> Reading:
    defs = (MetricDef("Position", DataType.DOUBLE, "m", POSITION_DEADBAND_M),
            MetricDef("Why", DataType.STRING, settle_s=TEXT_SETTLE_S),
            MetricDef("Locked", DataType.BOOLEAN))  # fmt: skip
    base: dict[str, object] = {"Position": 1.0, "Why": None, "Locked": False}
    return Reading(t, defs, {**base, **values})  # type: ignore[dict-item]


def changed(f: ChangeFilter, r: Reading) -> dict[str, object]:
    sample = f.changes(r, round(r.time_s * 1000))
    return {} if sample is None else {m.name: m.value for m in sample.metrics if m.name}


def test_a_number_is_sent_once_it_moved_its_deadband_from_what_was_sent_not_the_last_scan() -> None:
    f = ChangeFilter()
    f.baseline(reading(0.0))
    assert changed(f, reading(0.1, Position=1.006)) == {}
    assert changed(f, reading(0.2, Position=1.009)) == {}  # a slow drift ...
    assert changed(f, reading(0.3, Position=1.012)) == {"Position": 1.012}  # ... is sent too
    assert changed(f, reading(0.4, Position=None)) == {"Position": None}  # untrusted: at once
    assert changed(f, reading(0.5, Position=None)) == {}


def test_a_sentence_that_rewords_itself_waits_one_that_comes_or_goes_does_not() -> None:
    f = ChangeFilter()
    f.baseline(reading(0.0))
    assert changed(f, reading(0.1, Why="wind 21.0 m/s")) == {"Why": "wind 21.0 m/s"}
    assert changed(f, reading(0.2, Why="wind 21.3 m/s")) == {}
    assert changed(f, reading(1.2, Why="wind 21.4 m/s")) == {"Why": "wind 21.4 m/s"}
    assert changed(f, reading(1.3, Why=None)) == {"Why": None}
    assert changed(f, reading(1.4, Locked=True)) == {"Locked": True}


def test_a_first_reading_without_a_baseline_sends_everything() -> None:
    assert set(changed(ChangeFilter(), reading(0.0))) == {"Position", "Why", "Locked"}


# --- payloads


def test_payloads_round_trip_with_every_datatype_we_send_and_nulls() -> None:
    metrics = (
        Metric("a", -5, DataType.INT32, 1, 1000),
        Metric("b", -(2**40), DataType.INT64, 2, 1000, is_historical=True),
        Metric("c", 1.25, DataType.DOUBLE, 3, unit="m"),
        Metric("d", True, DataType.BOOLEAN, 4),
        Metric("e", "why not", DataType.STRING, 5),
        Metric("f", None, DataType.STRING, 6),
    )
    payload = Payload(1_800_000_000_000, 7, metrics)
    assert decode(encode(payload)) == payload


def test_ndata_without_datatypes_is_read_back_by_the_aliases_of_its_birth() -> None:
    birth = decode(encode(Payload(1, 0, (Metric("Load", -1, DataType.INT32, 9),))))
    data = encode(Payload(2, 1, (Metric(None, -3, DataType.INT32, 9),)), datatypes=False)
    assert decode(data).metrics[0].value == 2**32 - 3  # no NBIRTH: no sign
    from crane_ctrl.fleet.payload import aliases_of

    (m,) = decode(data, aliases_of(birth)).metrics
    assert (m.name, m.value, m.datatype) == ("Load", -3, DataType.INT32)


def test_bytes_that_are_no_payload_and_a_value_of_the_wrong_type_are_refused() -> None:
    import pytest

    from crane_ctrl.errors import PayloadError
    from crane_ctrl.fleet.payload import HostState

    with pytest.raises(PayloadError, match="not a Sparkplug B payload"):
        decode(b"\xff\xff\xff")
    with pytest.raises(PayloadError, match="metric x: 'yes' is no bool"):
        encode(Payload(1, 0, (Metric("x", "yes", DataType.BOOLEAN),)))
    with pytest.raises(PayloadError, match="not a Sparkplug STATE payload"):
        HostState.parse(b'{"online": "yes", "timestamp": 1}')
    assert HostState.parse(HostState(True, 5).encode()) == HostState(True, 5)
