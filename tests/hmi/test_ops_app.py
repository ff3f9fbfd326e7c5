"""The operations-centre HMI driven by Pilot, fed by a FleetView (no broker): one row per crane
by urgency, an offline crane's row, old data, the fleet's alarms, the remote-operator queue, and
drilling into a crane (its metrics from a real station's birth) and back. (Its commands to real
cranes: ``tests/fleet/test_ops_hmi_commands.py``.) No sleeps: the test
refreshes the app itself and lets Pilot process what that queued."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from textual.pilot import Pilot
from textual.widgets import Input

from crane_ctrl.fleet.command_path import CommandPath
from crane_ctrl.fleet.fleet_model import FleetModel
from crane_ctrl.fleet.fleet_view import CraneKey, FleetView
from crane_ctrl.fleet.metrics import station_reading
from crane_ctrl.fleet.payload import BD_SEQ, REBIRTH, DataType, Metric, Payload
from crane_ctrl.fleet.reading import Reading
from crane_ctrl.fleet.topics import MessageType
from crane_ctrl.testing import StationRig
from hmi.ops.app import OpsHmi
from hmi.ops.format import at
from hmi.ops.screens.base import OpsScreen
from hmi.ops.screens.crane_interlocks import why_not_text
from hmi.ops.screens.crane_metrics import metric_cells
from hmi.screens.keys import KeysModal
from hmi.widgets.line_table import LineTable
from hmi.widgets.text_line import TextLine
from tests.fleet.test_fleet_model import ASC7, ASC8, T0, born, data, death
from tests.hmi.conftest import GENERIC

REAL = CraneKey("block-B", "RTG-01")


def nbirth(reading: Reading, bd_seq: int, at_ms: int) -> Payload:
    """The NBIRTH an edge node would publish for ``reading`` (what ``Session.birth`` sends)."""
    metrics = [Metric(BD_SEQ, bd_seq, DataType.INT64, timestamp_ms=at_ms),
               Metric(REBIRTH, False, DataType.BOOLEAN, timestamp_ms=at_ms)]  # fmt: skip
    metrics += [Metric(d.name, reading.values.get(d.name), d.datatype, alias, at_ms, unit=d.unit)
                for alias, d in enumerate(reading.defs, start=1)]  # fmt: skip
    return Payload(at_ms, 0, tuple(metrics))


async def fleet_model() -> FleetModel:
    """ASC-07 waits for an operator, ASC-08 has an unacknowledged ESTOP, RTG-01 is a real
    station's birth (lock-step rig, stopped, no job)."""
    model = FleetModel("ops", "mqtt://127.0.0.1:1883", now_ms=T0)
    model.connected(T0)
    born(model, ASC7, **{"Operation/Awaiting confirm": "truck lane T1"})
    born(model, ASC8, **{"Alarms/ESTOP": "unack"})
    async with StationRig(GENERIC) as rig:
        view = await rig.scan(3)
    model.observe(MessageType.NBIRTH, REAL, nbirth(station_reading(view), 0, T0), T0)
    return model


@dataclass
class Ops:
    app: OpsHmi
    pilot: Pilot[None]
    model: FleetModel
    now_ms: int = T0 + 1000

    async def show(self) -> None:
        await self.pilot.pause()
        self.app.refresh_view()
        await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.show()

    @property
    def screen(self) -> OpsScreen:
        screen = self.app.screen
        assert isinstance(screen, OpsScreen), screen
        return screen

    def text(self, selector: str) -> str:
        return self.screen.query_one(selector, TextLine).plain

    def rows(self, selector: str) -> list[list[str]]:
        return self.screen.query_one(selector, LineTable).plain()


@asynccontextmanager
async def ops_on(model: FleetModel, *, commands: CommandPath | None = None,
                 size: tuple[int, int] = (160, 40)) -> AsyncIterator[Ops]:  # fmt: skip
    holder: list[FleetView] = []
    ops_ref: list[Ops] = []

    def source() -> FleetView:
        view = model.view(ops_ref[0].now_ms if ops_ref else T0 + 1000)
        holder.append(view)
        return view

    app = OpsHmi(source, commands=commands, refresh_hz=None)
    async with app.run_test(size=size) as pilot:
        ops = Ops(app, pilot, model)
        ops_ref.append(ops)
        await ops.show()
        yield ops


async def test_the_fleet_table_ranks_by_urgency_repaints_only_changes_and_says_offline() -> None:
    model = await fleet_model()
    async with ops_on(model) as ops:
        rows = ops.rows("#cranes")
        assert [r[0] for r in rows] == ["block-A/ASC-08", "block-A/ASC-07", "block-B/RTG-01"]
        assert rows[0][7].startswith("▲ 1 (1 unack) HIGH ESTOP")
        assert rows[1][10] == "[!] operator: confirm truck lane T1"
        assert rows[2][2] == "stopped"
        assert "UNACKNOWLEDGED" in ops.text("#banner")
        table = ops.screen.query_one("#cranes", LineTable)
        await ops.show()  # nothing changed: nothing repainted
        assert table.repainted == 0
        load = data(1, T0 + 1000, ("Hoist/Load", 12.0))
        model.observe(MessageType.NDATA, ASC8, load, T0 + 1000)
        await ops.show()  # one crane's load: its line only
        assert (table.repainted, ops.rows("#cranes")[0][6]) == (1, " 12.0 t")
        ops.now_ms = T0 + 45_000  # the data ages move, and are old now
        await ops.show()
        assert ops.rows("#cranes")[2][9] == "[!] 45 s old"
        model.observe(MessageType.NDEATH, ASC7, death(3), T0 + 44_000)
        await ops.show()
        first = ops.rows("#cranes")[0]
        assert (first[0], first[1]) == ("block-A/ASC-07", f"▲ OFFLINE since {at(T0 + 44_000)}")
        assert "1 crane(s) NOT ONLINE" in ops.text("#banner")
        await ops.press("s")
        assert [r[0] for r in ops.rows("#cranes")] == sorted(r[0] for r in rows)


async def test_typing_in_the_name_filter_fires_no_key_and_question_mark_lists_them() -> None:
    async with ops_on(await fleet_model()) as ops:
        await ops.press("f")
        assert isinstance(ops.app.focused, Input)
        await ops.press(*"rtg-0", "1", "s", "?")
        assert ops.screen.NAME == "fleet"  # "1" typed, no screen switched
        assert not isinstance(ops.app.screen, KeysModal)
        assert ops.screen.query_one(Input).value == "rtg-01s?"
        await ops.press("backspace", "backspace")
        assert [r[0] for r in ops.rows("#cranes")] == ["block-B/RTG-01"]
        await ops.press("escape")
        assert not isinstance(ops.app.focused, Input)
        await ops.press("question_mark")
        assert isinstance(ops.app.screen, KeysModal)


async def test_the_alarm_list_the_queue_and_a_crane_drilled_into_then_back_to_the_fleet() -> None:
    async with ops_on(await fleet_model()) as ops:
        await ops.press("2")  # the fleet's alarms; Enter: that crane's own
        assert ops.rows("#fleet-alarms")[0][:4] == ["▲ UNACK", "HIGH", "block-A/ASC-08", "ESTOP"]
        await ops.press("enter")
        assert (ops.screen.NAME, ops.app.crane) == ("crane-alarms", ASC8)
        assert ops.rows("#crane-alarm-list")[0][:3] == ["▲ UNACK", "HIGH", "ESTOP"]
        await ops.press("3")  # the queue; with no command path, taking a crane says so
        (row,) = ops.rows("#queue")
        assert row[:3] == ["block-A/ASC-07", "[!] truck lane T1", "J1"]
        await ops.press("t")
        assert "view only: this operations centre has no command path" in ops.app.message[0].plain
        await ops.press("1", "down", "down", "enter")  # the real station's crane, its metrics
        assert (ops.screen.NAME, ops.app.crane) == ("crane", REAL)
        assert ops.text("#crane").startswith("block-B/RTG-01 online")
        assert "STOPPED" in ops.text("#crane-status")
        assert "?" not in ops.text("#axis-hoist")  # a real value with its unit
        assert "e-stop chain closed" in ops.text("#plc")
        await ops.press("escape")
        assert ops.screen.NAME == "fleet"


async def test_the_crane_s_interlocks_and_metrics_say_what_its_birth_declared() -> None:
    """The text of screens 5 and 7 (Pilot drives screens 1..4 and 6 above)."""
    crane = (await fleet_model()).view(T0).crane(REAL)
    assert crane is not None
    whynot = why_not_text(crane).plain
    assert "No motion is blocked." in whynot or "blocked:" in whynot
    assert "Gantry forward" in whynot
    assert "Telescope" in whynot
    cells = metric_cells("Hoist/Position", crane.metrics["Hoist/Position"], crane.online)
    assert (cells[0], cells[2]) == ("Hoist/Position", "m")
    assert float(str(getattr(cells[1], "plain", cells[1]))) > 0
