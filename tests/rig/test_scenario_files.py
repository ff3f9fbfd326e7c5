"""Scenario files: every shipped one loads; a bad one is refused with its file, line, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.errors import ConfigError
from crane_ctrl.rig.loading import load_scenario
from simulators.personality import LEVEL, TWINCAT
from tests.profile_texts import ROOT

SHIPPED = sorted((ROOT / "simulators" / "scenarios").glob("*.toml"))

GOOD = """\
profile = "generic-modbus.toml"
duration_s = 300

[[jobs]]
id = "J1"
from = "truck:T1"
to = "stack:7:3:1"

[[faults]]
when = "hoist.position > 5 and load.locked"
fault = "wind"
params = { speed_mps = 22 }

[[expect.stops]]
after_fault = 1
within_s = 0.5
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def test_the_library_has_at_least_fifteen_scenarios_and_each_loads() -> None:
    assert len(SHIPPED) >= 15
    for path in SHIPPED:
        scenario = load_scenario(path)
        assert scenario.spec.description, f"{path.name} says what it checks"
        assert scenario.spec.jobs or scenario.spec.faults


def test_a_good_file_loads_with_its_profile_site_and_parsed_conditions(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert scenario.name == "scenario"
    assert scenario.profile_path == ROOT / "plc_profiles" / "generic-modbus.toml"
    assert scenario.job_sizes == {"J1": 40}
    assert scenario.condition("faults", 0, "when").names() == ("hoist.position", "load.locked")


def test_the_simulated_plc_is_a_preset_or_a_personality_file_beside_the_scenario(
    tmp_path: Path,
) -> None:
    assert load_scenario(write(tmp_path, GOOD)).personality == LEVEL
    preset = GOOD.replace("duration_s", 'personality = "twincat"\nduration_s')
    assert load_scenario(write(tmp_path, preset)).personality == TWINCAT
    (tmp_path / "ac500.toml").write_text(
        'based_on = "s7-mbserver"\nname = "ac500"\nmin_reset_pulse_s = 0.3\n', "utf-8"
    )
    own = GOOD.replace("duration_s", 'personality = "ac500.toml"\nduration_s')
    found = load_scenario(write(tmp_path, own)).personality
    assert (found.name, found.min_reset_pulse_s, found.edge_triggered) == ("ac500", 0.3, True)


def test_a_mistake_in_the_personality_file_is_told_in_that_file(tmp_path: Path) -> None:
    (tmp_path / "ac500.toml").write_text('based_on = "s7-mbserver"\nwatchdog_s = -1\n', "utf-8")
    own = GOOD.replace("duration_s", 'personality = "ac500.toml"\nduration_s')
    with pytest.raises(ConfigError) as caught:
        load_scenario(write(tmp_path, own))
    assert any("ac500.toml:2" in str(p) and "watchdog_s" in str(p) for p in caught.value.problems)


def test_a_profile_beside_the_scenario_wins(tmp_path: Path) -> None:
    (tmp_path / "generic-modbus.toml").write_text(
        (ROOT / "plc_profiles" / "generic-modbus.toml").read_text(encoding="utf-8"), "utf-8"
    )
    assert load_scenario(write(tmp_path, GOOD)).profile_path == tmp_path / "generic-modbus.toml"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            (
                'when = "hoist.position > 5 and load.locked"',
                'when = "hoist.position > and load.locked"',
            ),
            "10 faults.0.when: column 18: expected a name, a number, a 'text', true or false, found 'and' (in 'hoist.position > and load.locked')",
        ),
        (
            ('fault = "wind"', 'fault = "wnd"'),
            "11 faults.0.fault: unknown fault 'wnd'; did you mean 'wind'? faults: ",
        ),
        (
            ('to = "stack:7:3:1"', 'to = "stak:7:3:1"'),
            "7 jobs.0.to: slot 'stak:7:3:1' is not truck:LANE, agv:LANE, stack:BAY:ROW[:TIER] or stack:NAME[:TIER] (e.g. stack:3:2:1, stack:A40-2:1)",
        ),
        (
            ('from = "truck:T1"', 'from = "truck:T3"'),
            "6 jobs.0.from: no container stands at truck:T3 when this job starts",
        ),
        (
            ("after_fault = 1", "after_fault = 2"),
            "15 expect.stops.0.after_fault: there are 1 faults (from 1)",
        ),
        (
            ("duration_s = 300", 'duration_s = 300\nbypass = ["WIND_STOP"]'),
            "3 bypass: unknown setting",
        ),
        (
            ('profile = "generic-modbus.toml"', 'profile = "no-such.toml"'),
            "1 profile: no such file (tried ",
        ),
        (
            (
                'profile = "generic-modbus.toml"',
                'profile = "generic-modbus.toml"\npersonality = "s7"',
            ),
            "2 personality: no PLC personality 's7'; use one of level, twincat, s7-mbserver, or a personality file (.toml)",
        ),
        (
            (
                'profile = "generic-modbus.toml"',
                'profile = "generic-modbus.toml"\npersonality = "mine.toml"',
            ),
            "2 personality: no such file (tried ",
        ),
        (
            ("within_s = 0.5", 'within_s = 0.5\nafter = "load.locked"'),
            "14 expect.stops.0: give exactly one of after_fault or after",
        ),
        (
            ("params = { speed_mps = 22 }", "params = { speed_mps = 22 }\nat_s = 3"),
            "9 faults.0: give exactly one of at_s or when",
        ),
    ],
)
def test_bad_scenarios_are_refused_at_their_line(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD
    found = problems(tmp_path, GOOD.replace(old, new))
    assert any(p.startswith(expected) for p in found), found


def test_expectations_must_name_known_jobs_alarms_interlocks_and_containers(tmp_path: Path) -> None:
    text = GOOD + (
        '\n[[expect.jobs]]\nid = "J9"\nends = "done"\n'
        '\n[[expect.alarms]]\nid = "WIND_STOPP"\n'
        '\n[[expect.trips]]\nid = "NO_SUCH"\n'
        '\n[[expect.containers]]\nid = "ABCU0000000"\nat = "truck:T1"\n'
    )
    found = problems(tmp_path, text)
    assert found[0] == "19 expect.jobs.0.id: no job 'J9'; jobs: J1"
    assert found[1].startswith("23 expect.alarms.0.id: no alarm 'WIND_STOPP'; alarms: ")
    assert found[2].startswith("26 expect.trips.0.id: no interlock 'NO_SUCH'; interlocks: ")
    assert found[3].startswith("29 expect.containers.0.id: no container 'ABCU0000000'; ")


def test_a_one_shot_fault_cannot_be_cleared(tmp_path: Path) -> None:
    text = GOOD.replace('fault = "wind"\nparams = { speed_mps = 22 }', 'fault = "link_drop"')
    text = text.replace('fault = "link_drop"', 'fault = "link_drop"\nclear_after_s = 3')
    assert problems(tmp_path, text) == ["9 faults.0: fault link_drop is one-shot: nothing to clear"]


def test_the_rig_fault_supervisor_freeze_needs_its_seconds(tmp_path: Path) -> None:
    text = GOOD.replace(
        'fault = "wind"\nparams = { speed_mps = 22 }', 'fault = "supervisor_freeze"'
    )
    assert problems(tmp_path, text) == [
        "11 faults.0.fault: supervisor_freeze takes params = { seconds = <positive number> }"
    ]


def test_a_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD.replace("duration_s = 300", "duration_s = ")) == [
        "2: not valid TOML: column 14: invalid value"
    ]


MIXED_SLOTS = """\
profile = "generic-modbus.toml"
site = "mixed-slots.toml"
duration_s = 400

[[jobs]]
id = "J1"
from = "truck:T2"
to = "stack:A20-3"

[[jobs]]
id = "J2"
from = "truck:T1"
to = "stack:A40-3:1"
"""


def test_a_scenario_on_named_slots_follows_the_yard_by_footprint(tmp_path: Path) -> None:
    assert problems(tmp_path, MIXED_SLOTS) == [
        "10 jobs.1: the job queue refuses it: destination stack slot A40-3 tier 1 is already taken "
        "by job J1 (to stack slot A20-3 tier 1)",
        "13 jobs.1.to: TGHU7654321 stands at stack:A20-3:1, the same place as stack:A40-3:1",
    ]
    scenario = load_scenario(write(tmp_path, MIXED_SLOTS.replace("A40-3:1", "A40-2:1")))
    assert scenario.site.site.name == "mixed-slots yard"
    assert scenario.job_sizes == {"J1": 20, "J2": 40}
