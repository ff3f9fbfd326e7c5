"""A crane station as an edge node on a real Mosquitto: in lock-step (its metrics, born and
changing), and ``crane-ctrl run --broker`` against the simulated PLC, watched from outside with
``mosquitto_sub`` (a tool we did not write; it reads the topic names only)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.edge_node import EdgeNode, EdgeNodeConfig
from crane_ctrl.fleet.metrics import station_reading
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.operation.machine import PackCommand
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.loop_thread import LoopThread
from crane_ctrl.runtime.sim_service import SimService, plc_url
from crane_ctrl.runtime.station import StationView
from crane_ctrl.testing import StationRig
from simulators.runner import Served
from simulators.site_file import load_site
from tests.fleet.conftest import Mosquitto
from tests.fleet.host import Host
from tests.profile_texts import PROFILES

GENERIC = PROFILES / "generic-modbus.toml"
TOPICS = NodeTopics.of("block-A", "ASC-07")


async def test_a_station_is_born_with_its_metrics_and_sends_what_changes(
    mosquitto: Mosquitto,
) -> None:
    config = EdgeNodeConfig(Broker("127.0.0.1", mosquitto.port), TOPICS)
    async with Host(mosquitto.port) as host, StationRig(GENERIC) as rig:
        node: EdgeNode[StationView] = EdgeNode(config, station_reading, rig.lockstep.clock)
        async with node:
            rig.station.on_view = node.offer
            await rig.scan()
            await host.until(lambda: bool(host.of("NBIRTH")), what="NBIRTH")
            rig.station.pack(rig.operator, PackCommand.RESET)
            await rig.scan(5)
            await rig.until(lambda v: str(v.machine) == "idle", within_s=2, what="IDLE")
            await host.until(lambda: "idle" in _states(host), what="IDLE sent")
    birth = host.of("NBIRTH")[0]
    assert birth.payload is not None
    metrics = birth.payload.by_name()
    assert metrics["Operation/State"].value == "stopped"
    assert metrics["Hoist/Position"].unit == "m"
    assert len(metrics) > 60
    assert _states(host) == ["idle"]  # RESET: STOPPED to IDLE within one scan


def _states(host: Host) -> list[object]:
    return [m.value for r in host.of("NDATA") if r.payload for m in r.payload.metrics
            if m.name == "Operation/State" and not m.is_historical]  # fmt: skip


@pytest.fixture
def plc() -> Iterator[str]:
    """The simulated crane PLC over Modbus TCP on a free port (its URL)."""
    service = SimService(load_site().simulator(), load_profile(GENERIC))
    thread: LoopThread[Served] = LoopThread("simulator", service.main)
    served = thread.start()
    try:
        yield plc_url(served)
    finally:
        thread.stop()


def test_crane_ctrl_run_with_a_broker_is_an_edge_node_seen_by_mosquitto_sub(
    plc: str, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    tool = shutil.which("mosquitto_sub")
    if tool is None:
        pytest.fail("mosquitto_sub is not installed: .ci/run installs it (mosquitto-clients)")
    watch = subprocess.Popen([tool, "-h", "127.0.0.1", "-p", str(mosquitto.port), "-i", "witness",
                              "-t", "spBv1.0/#", "-F", "%t"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        _until(lambda: "Received SUBSCRIBE from witness" in mosquitto.log(), "witness subscribed")
        code = main(["run", "--profile", str(GENERIC), "--plc", plc, "--journal",
                     str(tmp_path / "journal.sqlite"), "--seconds", "1.5", "--quiet",
                     "--broker", mosquitto.url, "--group", "block-A", "--node", "ASC-07"])  # fmt: skip
        assert code == 0
        _until(lambda: "spBv1.0/block-A/NDEATH/ASC-07" in _sent_to(mosquitto, "witness"), "NDEATH")
    finally:
        watch.terminate()
        out, _ = watch.communicate(timeout=5)
    topics = out.split()
    assert topics[0] == "spBv1.0/block-A/NBIRTH/ASC-07"
    assert "spBv1.0/block-A/NDATA/ASC-07" in topics
    assert topics[-1] == "spBv1.0/block-A/NDEATH/ASC-07"
    assert (tmp_path / "fleet-block-A-ASC-07.sqlite").exists()  # the store, beside the journal


def _sent_to(mosquitto: Mosquitto, client: str) -> str:
    return "\n".join(line for line in mosquitto.log().splitlines()
                     if line.startswith(f"Sending PUBLISH to {client} "))  # fmt: skip


def _until(condition: object, what: str, within_s: float = 10.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} not within {within_s} s"
        time.sleep(0.02)  # polling the broker's log file: there is nothing to wait on


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group", "A"], "--group needs --broker mqtt://host:port"),
        (["--broker", "mqtt://127.0.0.1:1"], "--broker needs --group"),
        (["--broker", "mqtt://u:secret@127.0.0.1", "--group", "A", "--node", "B"],
         "no user name or password in the URL"),
        (["--broker", "http://x", "--group", "A", "--node", "B"], "give mqtt://host:port"),
        (["--broker", "mqtt://127.0.0.1", "--group", "A/B", "--node", "B"],
         "contains /: a Sparkplug id may be any text but '+', '/' and '#'"),
    ],
)  # fmt: skip
def test_fleet_options_that_cannot_work_are_refused_naming_the_option(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--profile", str(GENERIC), "--journal", str(tmp_path / "j.sqlite"),
                 *args])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "secret" not in err
