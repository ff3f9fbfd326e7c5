"""Each of crane-ctrl's files is told by its tables: a file given to the wrong loader is named
for what it is, in one line with the command that checks it, never 47 missing tables."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel

from crane_ctrl.config.file_kinds import (
    FAULT_SCHEDULE,
    KINDS,
    PERSONALITY,
    PROFILE,
    ROLES,
    SCENARIO,
    SITE,
    FileKind,
    kind_of,
)
from crane_ctrl.errors import ConfigError
from crane_ctrl.operation.roles import Roles
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.rig.loading import load_scenario
from crane_ctrl.rig.scenario import ScenarioFile
from simulators.fault_schedule import ScheduleFile, load_schedule
from simulators.personality_file import PersonalityFile, load_personality
from simulators.site_file import SiteFile, load_site
from tests.profile_texts import ROOT

ROLES_TEXT = """
[roles.operator]
pin_hash = "scrypt$16384$8$1$c2FsdA$aGFzaA"

[users.anna]
role = "maintenance"
pin_hash = "scrypt$16384$8$1$c2FsdA$aGFzaA"
"""
SHIPPED = {
    PROFILE: ROOT / "plc_profiles" / "generic-modbus.toml",
    SITE: ROOT / "tests" / "hostile_s7" / "site.toml",
    SCENARIO: ROOT / "simulators" / "scenarios" / "truck-to-stack.toml",
    PERSONALITY: ROOT / "tests" / "hostile_s7" / "armg-s7-personality.toml",
    FAULT_SCHEDULE: ROOT / "simulators" / "fault_schedules" / "wind-gusts-then-estop.toml",
}
LOADERS: dict[FileKind, Callable[[Path], object]] = {
    PROFILE: load_profile,
    SITE: load_site,
    SCENARIO: load_scenario,
    PERSONALITY: lambda path: load_personality(str(path)),
    FAULT_SCHEDULE: load_schedule,
    ROLES: Roles.load,
}
MODELS: dict[FileKind, tuple[type[BaseModel], ...]] = {
    PROFILE: (ModbusProfile, OpcUaProfile),
    SITE: (SiteFile,),
    SCENARIO: (ScenarioFile,),
    PERSONALITY: (PersonalityFile,),
    FAULT_SCHEDULE: (ScheduleFile,),
    ROLES: (Roles,),
}


def files(tmp_path: Path) -> dict[FileKind, Path]:
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES_TEXT, encoding="utf-8")
    return {**SHIPPED, ROLES: roles}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_names_only_keys_its_file_takes(kind: FileKind) -> None:
    for model in MODELS[kind]:
        keys = {f.alias or name for name, f in model.model_fields.items()}
        assert set(kind.marks) <= keys, set(kind.marks) - keys


def test_every_kind_of_file_is_told_by_its_tables(tmp_path: Path) -> None:
    for kind, path in files(tmp_path).items():
        assert kind_of(tomllib.loads(path.read_text(encoding="utf-8"))) is kind, path


def test_every_shipped_scenario_site_and_profile_is_told_for_what_it_is() -> None:
    shipped = {
        SCENARIO: sorted((ROOT / "simulators" / "scenarios").glob("*.toml")),
        SITE: sorted((ROOT / "simulators" / "sites").glob("*.toml")),
        PROFILE: sorted((ROOT / "plc_profiles").glob("*.toml")),
    }
    for kind, paths in shipped.items():
        for path in paths:
            assert kind_of(tomllib.loads(path.read_text(encoding="utf-8"))) is kind, path


def test_a_file_with_no_keys_of_ours_is_no_kind() -> None:
    assert kind_of({}) is None
    assert kind_of({"name": "x", "description": "y"}) is None


@pytest.mark.parametrize("loader", KINDS, ids=lambda k: k.name)
def test_each_loader_names_a_file_of_another_kind_and_the_command_for_it(
    loader: FileKind, tmp_path: Path
) -> None:
    for kind, path in files(tmp_path).items():
        if kind is loader:
            continue
        with pytest.raises(ConfigError) as caught:
            LOADERS[loader](path)
        [problem] = caught.value.problems
        assert problem.message.startswith(f"this is {kind.name} ("), problem
        assert f", not {loader.name}; " in problem.message
        assert kind.check.format(path=path) in problem.message


def test_a_broken_file_of_the_expected_kind_still_lists_its_own_problems(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[crane]\nlift_hieght_m = 15.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"site.toml:2 crane.lift_hieght_m: .*lift_height_m"):
        load_site(path)
