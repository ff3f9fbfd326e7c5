"""The simulator's fault panel (issue 18, deliverable 5): a maintenance user injects and clears
the simulator's faults from the HMI, through the station, against a real control channel on a
free loopback port; everyone else is refused, bad parameters and a dead channel are messages,
and typing in its fields fires nothing."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, OptionList

from crane_ctrl.errors import CommandRefused
from crane_ctrl.operation.machine import PackState, Role
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime import sim_faults
from crane_ctrl.runtime.demo import Demo, DemoOptions
from crane_ctrl.runtime.seam.client import RemoteBridge
from crane_ctrl.runtime.seam.server import StationServer
from crane_ctrl.runtime.sim_faults import FaultChannel
from crane_ctrl.testing import StationRig
from hmi.app import CraneHmi
from hmi.screens.comms import CommsScreen
from hmi.screens.faults import FaultPanel
from hmi.screens.keys import KeysModal
from simulators.control import ControlChannel
from simulators.faults import FAULTS
from simulators.site_file import load_site
from tests.hmi.conftest import GENERIC, Hmi, hmi_on


class Journal:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, object]]] = []

    def record(self, kind: str, subject: str, **values: object) -> None:
        self.events.append((kind, subject, values))

    def operator(self) -> list[tuple[str, dict[str, object]]]:
        return [(subject, values) for kind, subject, values in self.events if kind == "operator"]


@asynccontextmanager
async def rig_with_channel(journal: Journal | None = None) -> AsyncIterator[StationRig]:
    """A lock-step station whose simulator serves its fault channel on a free loopback port."""
    async with (
        StationRig(GENERIC, journal=journal) as rig,
        ControlChannel(rig.sim, port=0) as channel,
    ):
        rig.station.fault_channel = FaultChannel("127.0.0.1", channel.port)
        yield rig


async def _press(hmi: Hmi, *keys: str, until: Callable[[], bool], what: str) -> None:
    """Press ``keys``, then let the app run (the station's calls to the channel are real
    socket I/O) until ``until()``; bounded."""
    await hmi.pilot.press(*keys)
    for _ in range(250):
        if until():
            await hmi.pilot.pause()
            return
        await hmi.pilot.pause(0.02)
    raise AssertionError(f"not {what} within 5 s; the message line: {hmi.message}")


def _said(hmi: Hmi) -> Callable[[], bool]:
    """Whether a new outcome has come to the message line since this was called."""
    before = hmi.app.message
    return lambda: hmi.app.message is not before


async def _open(hmi: Hmi) -> FaultPanel:
    await hmi.press("7")
    await _press(hmi, "f", until=_said(hmi), what="the panel's first read")
    panel = hmi.app.screen
    assert isinstance(panel, FaultPanel), hmi.message
    return panel


def _active(panel: FaultPanel) -> list[str]:
    listed = panel.query_one("#active", OptionList)
    return [o.id for o in listed.options if o.id is not None]


async def test_a_maintenance_user_injects_wind_sees_it_active_and_clears_it() -> None:
    journal = Journal()
    async with rig_with_channel(journal) as rig, hmi_on(rig, rig.maintenance) as hmi:
        panel = await _open(hmi)
        kinds = panel.query_one("#kinds", OptionList)
        assert [o.id for o in kinds.options] == list(FAULTS)  # the simulator's own catalogue
        assert hmi.app.focused is kinds
        assert kinds.highlighted_option is not None
        assert kinds.highlighted_option.id == "wind"
        assert _active(panel) == []
        fields = [field for _, field in panel.fields]
        assert [p.name for p, _ in panel.fields] == ["speed_mps", "gust_mps", "gust_period_s"]
        assert "needed" in fields[0].placeholder
        speed = panel.fields[0][0]
        assert (speed.kind, speed.low, speed.high, speed.required) == ("float", 0.0, 80.0, True)
        assert "0..80" in str(panel.query_one("#about").render())
        await hmi.pilot.press("enter")  # to the fault's first field
        assert hmi.app.focused is fields[0]
        await _press(hmi, *"22", "enter", until=lambda: _active(panel) == ["wind"],
                     what="wind active")  # fmt: skip
        assert hmi.message == "✓ fault wind injected (speed_mps=22)"
        assert rig.sim.faults.active == {
            "wind": {"speed_mps": 22.0, "gust_mps": 0.0, "gust_period_s": 8.0}
        }
        assert fields[0].value == ""
        view = await rig.until(lambda v: (v.supervisor.snapshot.number("env.wind") or 0) > 20,
                               within_s=10, what="the anemometer reads the wind")  # fmt: skip
        assert view.supervisor.snapshot.number("env.wind") == pytest.approx(22, abs=1)

        await hmi.pilot.press("escape")  # out of the field: the keys are the panel's again
        assert hmi.app.focused is kinds
        await _press(hmi, "c", until=lambda: _active(panel) == [], what="wind cleared")
        assert hmi.message == "✓ fault wind cleared"
        assert rig.sim.faults.active == {}
        assert rig.sim.plc.faults.wind_mps == 0.0
        await hmi.pilot.press("escape")
        assert isinstance(hmi.app.screen, CommsScreen)

    acts = journal.operator()
    injected = [v for s, v in acts if s == "inject fault wind"]
    cleared = [v for s, v in acts if s == "clear fault wind"]
    assert len(injected) == 1
    assert len(cleared) == 1
    for values in (injected[0], cleared[0]):
        assert values["user"] == "maintenance"
        assert values["role"] == "maintenance"
        assert values["result"] == "done"
        assert values["channel"] == str(rig.station.fault_channel)
    assert injected[0]["params"] == "speed_mps=22"


async def test_several_faults_are_listed_and_x_clears_them_all() -> None:
    journal = Journal()
    async with rig_with_channel(journal) as rig, hmi_on(rig, rig.maintenance) as hmi:
        panel = await _open(hmi)
        kinds = panel.query_one("#kinds", OptionList)
        await _press(
            hmi,
            "down",
            "down",
            until=lambda: panel.kind is not None and panel.kind.name == "local",
            what="local chosen",
        )  # wind, estop, local
        assert panel.kind is not None
        assert panel.kind.name == "local"
        assert panel.fields == []
        await hmi.pilot.press("enter")  # no parameters: to Inject
        assert hmi.app.focused is panel.query_one("#inject", Button)
        await _press(hmi, "enter", until=lambda: _active(panel) == ["local"], what="local on")
        assert hmi.message == "✓ fault local injected"
        kinds.focus()
        kinds.highlighted = list(FAULTS).index("drive_fault")
        await _press(hmi, until=lambda: len(panel.fields) == 1, what="drive_fault's field")
        await _press(hmi, "enter", *"hoist", "enter", what="the hoist drive faulted",
                     until=lambda: set(_active(panel)) == {"local", "drive_fault:hoist"})  # fmt: skip
        assert hmi.message == "✓ fault drive_fault injected (axis=hoist)"
        await _press(hmi, "escape", "x", until=lambda: _active(panel) == [], what="all clear")
        assert hmi.message == "✓ all simulator faults cleared"
        assert rig.sim.faults.active == {}
    cleared = [v for s, v in journal.operator() if s == "clear all faults"]
    assert len(cleared) == 1
    assert cleared[0]["cleared"] == "local, drive_fault:hoist"
    assert cleared[0]["user"] == "maintenance"


async def test_an_operator_cannot_open_it_nor_inject_past_it() -> None:
    journal = Journal()
    async with rig_with_channel(journal) as rig, hmi_on(rig, rig.operator) as hmi:
        await hmi.press("7")
        await _press(hmi, "f", until=_said(hmi), what="refused")
        assert not isinstance(hmi.app.screen, FaultPanel)
        assert hmi.message == (
            "✗ REFUSED: the simulator's fault panel needs the maintenance role; log in with L"
        )
        palette = [c for c in hmi.app.get_system_commands(hmi.app.screen)
                   if c.title == "Simulator faults"]  # fmt: skip
        assert len(palette) == 1
        await palette[0].callback()
        await hmi.show()
        assert not isinstance(hmi.app.screen, FaultPanel)
        assert hmi.message.startswith("✗ REFUSED: the simulator's fault panel needs the main")
        # The station refuses the operator itself, whoever calls, and journals it.
        with pytest.raises(CommandRefused, match="maintenance role"):
            await rig.station.inject_fault(rig.operator, "wind", {"speed_mps": "22"})
        with pytest.raises(CommandRefused, match="maintenance role"):
            await rig.station.sim_faults(rig.operator)
    assert rig.sim.faults.active == {}
    panel = [v for s, v in journal.operator() if s == "the simulator's fault panel"]
    assert [(v["result"], v["user"]) for v in panel] == [("refused", "operator")] * 2
    refused = [v for s, v in journal.operator() if s == "inject fault wind"]
    assert len(refused) == 1
    assert refused[0]["result"] == "refused"
    assert refused[0]["user"] == "operator"


async def test_no_fault_channel_no_panel_no_palette_entry_and_the_key_says_why() -> None:
    journal = Journal()
    async with StationRig(GENERIC, journal=journal) as rig, hmi_on(rig, rig.maintenance) as hmi:
        await hmi.press("7")
        shown = {k for k, b in hmi.app.screen.active_bindings.items() if b.binding.show}
        assert "f" not in shown  # not in the footer
        await _press(hmi, "f", until=_said(hmi), what="refused")
        assert not isinstance(hmi.app.screen, FaultPanel)
        assert hmi.message == (
            "✗ REFUSED: the simulator's fault panel: this station supervises no simulator (no "
            "fault channel): it is for the demo and test rigs"
        )
        assert [v["result"] for s, v in journal.operator()
                if s == "the simulator's fault panel"] == ["refused"]  # fmt: skip
        titles = [c.title for c in hmi.app.get_system_commands(hmi.app.screen)]
        assert "Simulator faults" not in titles
        with pytest.raises(CommandRefused, match="no simulator fault channel"):
            await rig.station.inject_fault(rig.maintenance, "wind", {"speed_mps": "22"})


async def test_garbage_parameters_give_a_message_never_a_crash() -> None:
    journal = Journal()
    async with rig_with_channel(journal) as rig, hmi_on(rig, rig.maintenance) as hmi:
        panel = await _open(hmi)
        await _press(hmi, "enter", *"lots", "enter", until=_said(hmi), what="refused")
        assert hmi.message == "✗ REFUSED: fault wind: speed_mps must be a float, not 'lots'"
        shown = panel.query_one("#panel-message").render()
        assert "speed_mps must be a float" in str(shown)
        field = panel.fields[0][1]
        field.value = ""  # nothing typed: a needed parameter is missing
        await _press(hmi, "enter", until=_said(hmi), what="refused")
        assert "missing parameter 'speed_mps'" in hmi.message
        field.value = "1e999"
        await _press(hmi, "enter", until=_said(hmi), what="refused")
        assert "finite number from 0 to 80" in hmi.message
        field.value = "9" * 5000  # pasted: longer than a field takes, and a huge number
        await _press(hmi, "enter", until=_said(hmi), what="refused")
        assert hmi.message.startswith("✗ REFUSED: fault wind: speed_mps must be a finite number")
        assert len(hmi.message) < 400
        assert isinstance(hmi.app.screen, FaultPanel)
        assert rig.sim.faults.active == {}
        assert _active(panel) == []
    refused = [v for s, v in journal.operator() if s == "inject fault wind"]
    assert [v["result"] for v in refused] == ["refused"] * 4
    assert all(v["user"] == "maintenance" for v in refused)


async def test_a_dead_channel_gives_a_message() -> None:
    journal = Journal()
    async with StationRig(GENERIC, journal=journal) as rig:
        async with ControlChannel(rig.sim, port=0) as channel:
            port = channel.port
        rig.station.fault_channel = FaultChannel("127.0.0.1", port)  # nobody listens there now
        async with hmi_on(rig, rig.maintenance) as hmi:
            panel = await _open(hmi)
            assert hmi.message.startswith("✗ REFUSED: the simulator's fault channel at "
                                          f"127.0.0.1:{port} cannot be reached")  # fmt: skip
            assert panel.query_one("#kinds", OptionList).option_count == 0
            await _press(hmi, "x", until=_said(hmi), what="refused")
            assert "cannot be reached" in hmi.message
            await _press(hmi, "r", until=_said(hmi), what="refused")
            assert "cannot be reached" in hmi.message
            assert isinstance(hmi.app.screen, FaultPanel)
            view = await hmi.step(5)  # the station scans on
            assert view.supervisor.snapshot.comms_ok
    refused = [v for s, v in journal.operator() if s == "clear all faults"]
    assert len(refused) == 1
    assert refused[0]["result"] == "refused"


async def test_a_channel_that_never_answers_is_given_up_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sim_faults, "FAULT_CHANNEL_TIMEOUT_S", 0.2)
    held: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # reads nothing, answers nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with StationRig(GENERIC) as rig, hmi_on(rig, rig.maintenance) as hmi:
            rig.station.fault_channel = FaultChannel("127.0.0.1", port)
            await _open(hmi)
            assert hmi.message == (f"✗ REFUSED: the simulator's fault channel at 127.0.0.1:{port} "
                                   "did not answer within 0.2 s")  # fmt: skip
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_typing_in_its_fields_fires_no_command() -> None:
    journal = Journal()
    async with rig_with_channel(journal) as rig, hmi_on(rig, rig.maintenance) as hmi:
        await rig.start_automatic()
        panel = await _open(hmi)
        await _press(hmi, "enter", *"22", "enter", until=lambda: _active(panel) == ["wind"],
                     what="wind active")  # x or c would clear it  # fmt: skip
        field = panel.fields[1][1]
        field.focus()
        before = len(journal.operator())
        typed = "rsthcxdmAL1?"
        await _press(hmi, *typed, until=lambda: field.value == typed, what="typed")
        await hmi.step(5)
        assert field.value == typed
        assert hmi.app.screen is panel  # no screen switched, no keys overlay, no log-in
        assert journal.operator()[before:] == []  # no machine command, no ack, no clear
        assert rig.sim.faults.active.keys() == {"wind"}
        assert rig.view.machine not in (PackState.STOPPING, PackState.STOPPED, PackState.HELD)
        inject = panel.query_one("#inject", Button)
        inject.focus()
        await hmi.press("c", "x", "r", "A", "4")
        await hmi.step(5)
        assert hmi.app.screen is panel
        assert journal.operator()[before:] == []
        assert rig.sim.faults.active.keys() == {"wind"}
        field.value = ""
        await hmi.pilot.press("escape", "question_mark")  # out of the field, the keys work
        keys = hmi.app.screen
        assert isinstance(keys, KeysModal)
        assert any("clear all faults" in line for line in keys.screen_keys)
        await hmi.pilot.press("escape")
        assert hmi.app.screen is panel


async def test_the_keys_overlay_and_the_comms_footer_name_the_panel() -> None:
    async with rig_with_channel() as rig, hmi_on(rig, rig.maintenance) as hmi:
        await hmi.press("7", "question_mark")
        keys = hmi.app.screen
        assert isinstance(keys, KeysModal)
        assert any(line.startswith("f ") and "simulator faults" in line
                   for line in keys.screen_keys)  # fmt: skip
        text = str(keys.query_one("#hmi-keys").render())
        assert "simulator faults" in text


async def test_over_the_seam_the_hmi_learns_the_channel_and_injects_through_the_station(
) -> None:  # fmt: skip
    where = Path(tempfile.mkdtemp(prefix="seam-"))
    sock = where / "run" / "station.sock"
    journal = Journal()
    try:
        async with (
            rig_with_channel(journal) as rig,
            StationServer(rig.station, rig.station.sessions, sock),
            RemoteBridge(sock, silence_s=None) as bridge,
        ):
            await bridge.connected(within=10)
            assert bridge.station.fault_channel == rig.station.fault_channel
            user = await bridge.login(Role.MAINTENANCE, "2222")
            app = CraneHmi(bridge, user=user, refresh_hz=None)
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.press("7", "f")
                for _ in range(100):
                    await pilot.pause(0.05)
                    if isinstance(app.screen, FaultPanel) and app.screen.fields:
                        break
                panel = app.screen
                assert isinstance(panel, FaultPanel), app.message[0].plain
                await pilot.press("enter", *"18", "enter")
                for _ in range(100):
                    await pilot.pause(0.05)
                    if _active(panel):
                        break
                assert _active(panel) == ["wind"]
                assert app.message[0].plain == "✓ fault wind injected (speed_mps=18)"
        assert rig.sim.plc.faults.wind_mps == 18.0
        injected = [v for s, v in journal.operator() if s == "inject fault wind"]
        assert len(injected) == 1
        assert injected[0]["user"] == "maintenance"
        assert injected[0]["source"] == "hmi"
    finally:
        shutil.rmtree(where, ignore_errors=True)


def test_the_demo_tells_its_station_where_the_fault_channel_is(tmp_path: Path) -> None:
    """The real demo (threads, sockets): its station reaches the simulator's channel."""
    options = DemoOptions(load_profile(GENERIC), GENERIC, load_site(), tmp_path / "j.sqlite",
                          jobs=(), start=False)  # fmt: skip
    demo = Demo(options)
    bridge = demo.start()
    try:
        served = demo.served
        assert served is not None
        assert bridge.station.fault_channel == FaultChannel(served.host, served.control_port)

        async def inject_and_clear() -> tuple[Any, Any]:
            station = bridge.station
            maintenance = await bridge.call(station.sessions.issue, "maint", Role.MAINTENANCE,
                                            client="test")  # fmt: skip
            await bridge.call(station.inject_fault, maintenance, "wind", {"speed_mps": "15"})
            during = await bridge.call(station.sim_faults, maintenance)
            await bridge.call(station.clear_fault, maintenance, None)
            after = await bridge.call(station.sim_faults, maintenance)
            return during, after

        during, after = asyncio.run(inject_and_clear())
        assert [f.key for f in during.active] == ["wind"]
        assert dict(during.active[0].params)["speed_mps"] == "15.0"
        assert after.active == ()
        assert [k.name for k in after.kinds] == list(FAULTS)
    finally:
        demo.stop()
