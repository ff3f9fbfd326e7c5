"""The maintenance engineer's files for the ARMG-S7 PLC (MANUAL.md) through crane-ctrl's own
checks: ``profile validate``, ``site validate``, the personality file."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.errors import ConfigError
from simulators.site_file import load_site
from tests.hostile_s7.armg import MODBUS, OPCUA, SITE, personality


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_both_profiles_validate_ok_without_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    code, said = _cli(capsys, "profile", "validate", str(OPCUA), str(MODBUS))
    assert code == 0, said
    lines = said.strip().splitlines()
    assert len(lines) == 2, said
    assert lines[0].startswith("OK")
    assert "(armg-s7-opcua, opcua, 64 signals)" in lines[0]
    assert lines[1].startswith("OK")
    assert "(armg-s7-mbserver, modbus, 64 signals)" in lines[1]


def test_the_site_validates_with_its_own_crane_and_no_agv_lane(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, said = _cli(capsys, "site", "validate", str(SITE))
    assert code == 0, said
    assert "lift 15.5 m" in said
    assert "wind stop 20 m/s" in said
    assert "truck T1, truck T2;" in said
    assert "agv" not in said


def test_the_personality_file_says_what_the_manual_says() -> None:
    plc = personality()
    assert (plc.edge_triggered, plc.telescope_start, plc.clears_requests) == (True, True, True)
    assert (plc.heartbeat_echo, plc.direction_bits) == (True, True)
    assert plc.min_reset_pulse_s == 0.2
    assert (plc.params.watchdog_s, plc.params.restart_delay_s) == (0.8, 1.5)
    assert (plc.codes.not_ready, plc.codes.not_seated, plc.codes.loaded) == (11, 12, 13)
    assert plc.requests["spreader.lock"].code == "Answer.ErrorId"


def _as_the_manual_says(tmp_path: Path) -> Path:
    """The engineer's first try: the manual's request bits as ``cleared_by_plc`` (the PLC clears
    them), all three in the one command word the manual gives."""
    text = OPCUA.read_text(encoding="utf-8")
    for answer in ("Lock", "Unlock", "Tele"):
        ack = f'ack = "Answer.{answer}Busy or Answer.{answer}Done"'
        assert ack in text, ack
        text = text.replace(ack, "cleared_by_plc = true")
    path = tmp_path / "first-try.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_manuals_request_word_as_cleared_by_plc_is_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writing the whole word would set a request again after the PLC cleared it: refused, at
    its line, with the fix (an ack) that the profile then uses."""
    code, said = _cli(capsys, "profile", "validate", "--all", str(_as_the_manual_says(tmp_path)))
    assert code == 2
    lines = said.strip().splitlines()
    assert len(lines) == 3, said
    assert all(line.startswith("ERROR") and "first-try.toml:" in line for line in lines)
    assert 'signals."spreader.lock".cleared_by_plc:' in lines[0]
    assert "an ack instead of cleared_by_plc" in lines[0]


def test_the_shared_word_refusal_names_each_requests_own_bit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, said = _cli(capsys, "profile", "validate", "--all", str(_as_the_manual_says(tmp_path)))
    lock = next(line for line in said.splitlines() if 'signals."spreader.lock"' in line)
    assert (
        'spreader.unlock (bit 1) shares s="DB_Sup"."CmdWord" with this request (bit 0)' in lock
    ), lock


def test_profile_validate_on_the_site_file_says_it_is_not_a_profile(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``crane-ctrl profile validate tests/hostile_s7/*.toml``, as the README's
    ``plc_profiles/*.toml``, takes the site file (and the personality file) too; it used to
    say ``site.toml:72 link: missing [link] table; add one with protocol = "modbus" ... (+46 more
    problems; --all lists them)``."""
    code, said = _cli(capsys, "profile", "validate", str(SITE))
    assert code == 2
    lines = said.strip().splitlines()
    assert len(lines) <= 2, f"{len(lines)} lines, the first: {lines[0]}"
    assert "site validate" in said


_AGV_ACROSS_ROW_1 = """
[[site.agv_lanes]]
id = "A1"
y_m = 10.5
deck_height_m = 1.6
x_min_m = 15.0
x_max_m = 170.0
stop_x_m = 30.0
deck_length_m = 14.8
deck_width_m = 2.6
"""


def _without_agv_lanes(tmp_path: Path, extra: str = "") -> Path:
    text = SITE.read_text(encoding="utf-8")
    no_agv = "agv_lanes = []"
    assert no_agv in text
    text = text.replace(no_agv, "").replace("[site.stack]", extra + "\n[site.stack]")
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_lane_across_a_stack_row_is_refused(tmp_path: Path) -> None:
    """The default AGV lane A1 at y 10.5 m, deck 2.6 m wide, written in the file: through this
    yard's stack row 1 (y 12.0 m, boxes 2.44 m wide)."""
    with pytest.raises(ConfigError) as caught:
        load_site(_without_agv_lanes(tmp_path, _AGV_ACROSS_ROW_1))
    [problem] = caught.value.problems
    assert problem.path == "site.agv_lanes.0.y_m"
    assert problem.message.startswith("lane A1: its vehicles' decks (y 9.20..11.80 m, "), problem
    assert "overlap stack row 1 (y 10.78..13.22 m, " in problem.message
    assert "by 1.02 m across" in problem.message
    assert "move the lane (y_m" in problem.message


def test_a_site_that_lists_only_truck_lanes_gets_no_default_agv_lane(tmp_path: Path) -> None:
    """Without ``agv_lanes = []`` (a line the site README never showed) the site got the
    default AGV lane A1 at y 10.5 m, deck 2.6 m wide: through this yard's stack row 1. A site
    that lists lanes has exactly the lanes it lists."""
    site = load_site(_without_agv_lanes(tmp_path))
    assert [f"{area} {lane.id}" for area, lane in site.site.lanes()] == ["truck T1", "truck T2"]
