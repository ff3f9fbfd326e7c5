"""``crane-ctrl profile ...`` through the installed console script, as a maintenance engineer runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest

from tests.profile_texts import GENERIC_MODBUS, PROFILES, ROOT, line_of, with_signal


def _entry_point() -> str:
    beside = Path(sys.executable).with_name("crane-ctrl")
    found = str(beside) if beside.exists() else shutil.which("crane-ctrl")
    if found is None:
        raise RuntimeError("the crane-ctrl console script is not installed (make test installs it)")
    return found


CRANE_CTRL = _entry_point()
SHIPPED = sorted(PROFILES.glob("*.toml"))


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [CRANE_CTRL, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def broken(tmp_path: Path) -> dict[str, Path]:
    texts = {
        "unknown": GENERIC_MODBUS.replace('"hoist.position"    =', '"hoist.postion"    ='),
        "overlap": with_signal(
            GENERIC_MODBUS, "hoist.load", '{ table = "input", address = 3, type = "float32" }'
        ),
        "missing": with_signal(GENERIC_MODBUS, "plc.heartbeat", None),
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = tmp_path / f"{name}.toml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_every_shipped_profile_validates_with_one_ok_line_each() -> None:
    """And no warning: the M580's inverted e-stop bit is proven alive by its life counter."""
    assert len(SHIPPED) >= 4
    result = run("profile", "validate", *SHIPPED)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("OK ")] == lines
    assert len(lines) == len(SHIPPED)


def test_an_inverted_ok_bit_no_block_proves_alive_is_warned_with_the_toml_to_add(
    tmp_path: Path,
) -> None:
    """A warning, not a failure, where a dead status word would read safe (issue 15, finding 6):
    the M580 without its [validity] block."""
    text = (PROFILES / "modicon-m580-modbus.toml").read_text(encoding="utf-8")
    path = tmp_path / "m580-unproven.toml"
    path.write_text(text[: text.index("\n[validity.plc_status]")], encoding="utf-8")
    result = run("profile", "validate", path)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("OK ")
    assert lines[1].startswith(f"WARN  {path}: plc.estop_ok is the inverted holding 0 bit 1")
    assert lines[2:6] == [
        "    [validity.holding_0]",
        '    registers = ["holding 0"]',
        '    life_counter = "plc.heartbeat"',
        "    timeout_s = 1.0",
    ]


def test_unknown_signal_exits_2_with_one_line_naming_file_signal_and_fix(
    broken: dict[str, Path],
) -> None:
    path = broken["unknown"]
    result = run("profile", "validate", path)
    assert result.returncode == 2
    line = line_of(path.read_text(), "hoist.postion")
    assert result.stdout.splitlines()[0] == (
        f'ERROR {path}:{line} signals."hoist.postion": unknown signal; did you mean '
        '"hoist.position"? (+1 more problem; --all lists them)'
    )


def test_overlap_exits_2_with_one_line(broken: dict[str, Path]) -> None:
    result = run("profile", "validate", broken["overlap"])
    assert result.returncode == 2
    [line] = result.stdout.splitlines()
    assert str(broken["overlap"]) in line
    assert 'signals."trolley.position": overlaps signals."hoist.load" at input 3..4' in line


def test_missing_required_signal_exits_2_with_one_line(broken: dict[str, Path]) -> None:
    result = run("profile", "validate", broken["missing"])
    assert result.returncode == 2
    [line] = result.stdout.splitlines()
    assert f"{broken['missing']}:" in line
    assert 'signals."plc.heartbeat": required status signal is not mapped' in line


def test_validate_all_lists_every_problem(broken: dict[str, Path]) -> None:
    result = run("profile", "validate", "--all", broken["unknown"])
    assert result.returncode == 2
    assert len(result.stdout.splitlines()) == 2


def test_validate_mixes_ok_and_error_lines_and_fails(broken: dict[str, Path]) -> None:
    result = run("profile", "validate", PROFILES / "generic-modbus.toml", broken["missing"])
    assert result.returncode == 2
    assert [line[:5] for line in result.stdout.splitlines()] == ["OK   ", "ERROR"]


def test_unreadable_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = run("profile", "validate", tmp_path / "absent.toml")
    assert result.returncode == 2
    assert (
        result.stdout.strip()
        == f"ERROR {tmp_path / 'absent.toml'}: cannot read the file: No such file or directory"
    )


def test_show_prints_a_row_per_mapped_signal() -> None:
    result = run("profile", "show", PROFILES / "generic-modbus.toml")
    assert result.returncode == 0
    rows = {
        line.split()[0]: line.split()[1:]
        for line in result.stdout.splitlines()
        if line[:1].islower() and "." in line.split()[0]
    }
    assert rows["hoist.position"] == ["status", "input", "4..5", "float32", "ABCD", "-"]
    assert rows["drives.enable"] == ["command", "coil", "0", "bool", "-"]
    assert "profile:     generic-modbus" in result.stdout


def test_show_of_a_bad_profile_exits_2(broken: dict[str, Path]) -> None:
    result = run("profile", "show", broken["overlap"])
    assert result.returncode == 2
    assert result.stderr.startswith(f"crane-ctrl: {broken['overlap']}:")


def test_schema_is_valid_json_schema_that_accepts_every_shipped_profile() -> None:
    result = run("profile", "schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    for path in SHIPPED:
        validator.validate(tomllib.loads(path.read_text(encoding="utf-8")))


def test_schema_rejects_an_unknown_signal_and_lists_the_names() -> None:
    schema = json.loads(run("profile", "schema").stdout)
    data = tomllib.loads(GENERIC_MODBUS.replace('"hoist.position"    =', '"hoist.postion"    ='))
    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(data)
    signals = schema["$defs"]["ModbusProfile"]["properties"]["signals"]
    assert "hoist.position" in signals["properties"]
    assert "hoist.position" in signals["required"]
    assert "sway.trolley" not in signals["required"]


def test_diff_of_a_profile_with_itself_is_empty_and_exits_0() -> None:
    path = PROFILES / "generic-modbus.toml"
    result = run("profile", "diff", path, path)
    assert result.returncode == 0
    assert "map every signal the same way" in result.stdout


def test_diff_names_each_kind_of_change_and_exits_1(tmp_path: Path) -> None:
    text = with_signal(
        GENERIC_MODBUS,
        "hoist.position",
        '{ table = "input", address = 40, type = "float32", word_order = "CDAB" }',
    )
    text = with_signal(
        text, "hoist.load", '{ table = "input", address = 12, type = "float32", scale = 0.001 }'
    )
    text = with_signal(text, "sway.trolley", None)
    text = text.replace("port = 502", "port = 1502")
    new = tmp_path / "new.toml"
    new.write_text(text, encoding="utf-8")
    result = run("profile", "diff", PROFILES / "generic-modbus.toml", new)
    assert result.returncode == 1
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "link port 502 -> 1502" in lines
    assert "moved hoist.position modbus input 4..5 -> modbus input 40..41" in lines
    assert "retyped hoist.position float32 ABCD -> float32 CDAB" in lines
    assert "rescaled hoist.load - -> x0.001" in lines
    assert "removed sway.trolley modbus input 14..15 float32 ABCD" in lines
    assert lines[-1] == "5 changes: 1 link, 1 moved, 1 retyped, 1 rescaled, 1 removed"


def test_diff_across_protocols_moves_every_signal() -> None:
    result = run(
        "profile", "diff", PROFILES / "generic-modbus.toml", PROFILES / "generic-opcua.toml"
    )
    assert result.returncode == 1
    assert "moved     hoist.position" in result.stdout
    assert "link      protocol" in result.stdout


def test_usage_error_exits_2_without_traceback() -> None:
    result = run("profile", "frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_show_lists_the_points_with_unit_journal_and_text_and_the_profiles_alarms() -> None:
    result = run("profile", "show", PROFILES / "generic-modbus-sway-angle.toml")
    assert result.returncode == 0
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert (
        "rope_length_m input 16 uint16 x0.001 m never rope length, sheaves to twistlocks" in lines
    )
    assert (
        "refusal_reason input 17 bits 8-11 uint16 - - every change why the PLC refused the last "
        "request"
    ) in lines
    assert "PLC_WIND_TRIP high 0 s plc_wind_trip" in lines


def test_diff_lists_the_alarms_added_removed_and_changed(tmp_path: Path) -> None:
    old = PROFILES / "generic-modbus-sway-angle.toml"
    text = old.read_text(encoding="utf-8").replace('priority = "high"', 'priority = "medium"')
    text += '\n[alarms.PLC_RESTART_INHIBIT]\ncondition = "restart_inhibit"\npriority = "low"\n'
    text += 'text = "The PLC inhibits a restart: reset it"\n'
    new = tmp_path / "new.toml"
    new.write_text(text, encoding="utf-8")
    result = run("profile", "diff", old, new)
    assert result.returncode == 1
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "changed alarms.PLC_WIND_TRIP.priority high -> medium" in lines
    assert "added alarms.PLC_RESTART_INHIBIT low: restart_inhibit" in lines
    back = run("profile", "diff", new, old)
    assert "removed alarms.PLC_RESTART_INHIBIT low: restart_inhibit" in [
        " ".join(line.split()) for line in back.stdout.splitlines()
    ]
