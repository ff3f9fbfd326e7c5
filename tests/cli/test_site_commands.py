"""``crane-ctrl site validate|schema`` through the console script, as a maintenance engineer
checks a site file written from the yard's drawings before any crane runs on it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from tests.cli.test_profile_commands import run
from tests.profile_texts import ROOT

SITES = sorted((ROOT / "simulators" / "sites").glob("*.toml"))

LOW_CRANE = """\
[crane]
lift_height_m = 10

[[containers]]
id = "X"
slot = "stack:99:1:1"
size_ft = 20
mass_t = 10
"""


def test_every_shipped_site_validates_with_what_it_describes() -> None:
    result = run("site", "validate", *SITES)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(SITES)
    assert all(line.startswith("OK    ") for line in lines)
    mixed = next(line for line in lines if "mixed-slots" in line)
    assert "named slots" in mixed
    assert "truck T1, truck T2, agv A1;" in mixed
    border = next(line for line in lines if "border-gate" in line)
    assert "truck T1, truck T2, agv A1 (the default lanes: the file lists none);" in border


def test_a_bad_site_names_each_problem_at_its_line_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(LOW_CRANE, encoding="utf-8")
    result = run("site", "validate", "--all", path)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"ERROR {path}:2 crane.lift_height_m: ")
    assert "raise [crane] lift_height_m" in lines[0]
    assert lines[1].startswith(f"ERROR {path}:6 containers.0.slot: ")
    one = run("site", "validate", path)
    assert len(one.stdout.splitlines()) == 1
    assert "(+1 more problem; --all lists them)" in one.stdout


def test_the_schema_accepts_every_shipped_site() -> None:
    result = run("site", "schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    for path in SITES:
        jsonschema.validate(tomllib.loads(path.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"crane": {"lift_height_m": "high"}}, schema)
