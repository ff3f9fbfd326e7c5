"""Fault schedules: the scenario-file way into the simulator's fault injector."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.errors import ConfigError
from simulators.fault_schedule import load_schedule
from simulators.simulator import CraneSimulator

SHIPPED = Path(__file__).resolve().parents[2] / "simulators" / "fault_schedules"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faults.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_faults_fire_and_clear_at_their_times(tmp_path: Path) -> None:
    schedule = load_schedule(
        write(tmp_path, '[[faults]]\nat_s = 1.0\nfault = "estop"\nclear_at_s = 2.0\n')
    )
    sim = CraneSimulator()
    seen = []
    for _ in range(300):
        sim.step(0.01)
        schedule.apply(sim)
        seen.append(sim.status()["plc.estop_ok"])
    assert seen[:99] == [True] * 99
    assert not any(seen[100:199])
    assert all(seen[200:])


def test_every_shipped_schedule_loads() -> None:
    for path in SHIPPED.glob("*.toml"):
        load_schedule(path)


def test_unknown_fault_in_a_schedule_names_its_entry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[faults]]\nat_s = 1.0\nfault = "estop"\n\n[[faults]]\nat_s = 2.0\nfault = "wnd"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    assert str(caught.value).startswith(
        f"{path} faults.1: unknown fault 'wnd'; did you mean 'wind'?"
    )


def test_clear_before_inject_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[[faults]]\nat_s = 5.0\nfault = "estop"\nclear_at_s = 2.0\n')
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    assert str(caught.value) == f"{path}:1 faults.0: clear_at_s (2.0) must come after at_s (5.0)"


def test_one_shot_fault_cannot_be_scheduled_to_clear(tmp_path: Path) -> None:
    path = write(tmp_path, '[[faults]]\nat_s = 1.0\nfault = "link_drop"\nclear_at_s = 2.0\n')
    with pytest.raises(ConfigError, match="one-shot"):
        load_schedule(path)
