"""Scenario actions: one for every operator command, each parsed with its own fields only, and
each reaching the machine in a lock-step run (or journaled as refused, the run going on)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from crane_ctrl.errors import ConfigError
from crane_ctrl.rig.loading import load_scenario
from crane_ctrl.rig.runner import Options, run_observed
from crane_ctrl.rig.scenario import ACTIONS, ActionName
from crane_ctrl.rig.timeline import Observed, Sample

J1 = """
[[jobs]]
id = "J1"
from = "truck:T1"
to = "stack:7:3:1"
"""
HEAD = 'profile = "generic-modbus.toml"\nduration_s = 30\n' + J1

FIELDS = {"mode": 'mode = "manual"', "cancel": 'job = "J1"'}
"""The field each action that needs one is given in these tests."""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "actions.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _action(name: str, *lines: str, at_s: float = 1.0) -> str:
    return "\n".join(["", "[[actions]]", f'action = "{name}"', f"at_s = {at_s:g}", *lines, ""])


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


# --- parsing ------------------------------------------------------------------------------------


def test_every_action_the_schema_accepts_is_documented() -> None:
    assert set(ACTIONS) == set(get_args(ActionName))


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_parses_with_its_own_fields(tmp_path: Path, name: str) -> None:
    extra = [FIELDS[name]] if name in FIELDS else []
    scenario = load_scenario(_write(tmp_path, HEAD + _action(name, *extra)))
    (action,) = scenario.spec.actions
    assert action.action == name
    assert action.mode == ("manual" if name == "mode" else None)
    assert action.job == ("J1" if name == "cancel" else None)


def test_maintenance_is_a_mode_the_action_takes(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, HEAD + _action("mode", 'mode = "maintenance"')))
    assert scenario.spec.actions[0].mode == "maintenance"


@pytest.mark.parametrize(
    ("action", "field", "expected"),
    [
        (
            "stop",
            'mode = "manual"',
            '12 actions.0.mode: mode goes only with action = "mode", not with action = "stop"; '
            "remove mode (or make it a mode action)",
        ),
        (
            "hold",
            'job = "J1"',
            '12 actions.0.job: job goes only with action = "cancel", not with action = "hold"; '
            "remove job (or make it a cancel action)",
        ),
        (
            "mode",
            'job = "J1"',
            '12 actions.0.job: job goes only with action = "cancel", not with action = "mode"; ',
        ),
    ],
)
def test_a_field_of_another_action_is_refused_at_its_line(
    tmp_path: Path, action: str, field: str, expected: str
) -> None:
    found = _problems(tmp_path, HEAD + _action(action, field))
    assert found[0].startswith(expected), found


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (
            "mode",
            '9 actions.0: action "mode" needs the mode to switch to; add mode = "manual", '
            '"semiautomatic", "fullautomatic" or "maintenance"',
        ),
        ("cancel", '9 actions.0: action "cancel" needs the job to cancel; add job = "<its id>"'),
    ],
)
def test_an_action_without_its_field_is_refused_with_the_fix(
    tmp_path: Path, action: str, expected: str
) -> None:
    assert _problems(tmp_path, HEAD + _action(action)) == [expected]


def test_cancelling_a_job_the_scenario_does_not_have_is_refused(tmp_path: Path) -> None:
    found = _problems(tmp_path, HEAD + _action("cancel", 'job = "J9"'))
    assert found == ["12 actions.0.job: no job 'J9' in [[jobs]]; jobs: J1"]


def test_an_unknown_mode_is_refused_with_a_hint(tmp_path: Path) -> None:
    (found,) = _problems(tmp_path, HEAD + _action("mode", 'mode = "manaul"'))
    assert found.startswith("12 actions.0.mode: 'manaul' is not allowed; did you mean \"manual\"?")


def test_an_unknown_action_is_refused_with_a_hint(tmp_path: Path) -> None:
    (found,) = _problems(tmp_path, HEAD + _action("stp"))
    assert found.startswith("10 actions.0.action: 'stp' is not allowed; did you mean \"stop\"?")
    assert "set_down" in found  # the list of actions follows


# --- lock-step runs -----------------------------------------------------------------------------

Script = list[tuple[float, str, tuple[str, ...]]]
"""Actions as (at_s, action, its field lines)."""

BY_HAND_SCRIPT: Script = [
    (1.0, "stop", ()),
    (2.0, "abort", ()),
    (3.0, "clear", ()),
    (3.5, "mode", ('mode = "maintenance"',)),
    (4.0, "mode", ('mode = "manual"',)),
    (5.0, "reset", ()),
    (6.0, "start", ()),
    (7.0, "hold", ()),
    (7.5, "unhold", ()),
    (8.0, "clear", ()),  # refused in EXECUTE: journaled, and the run goes on
    (8.5, "reset", ()),  # in EXECUTE: the interlocks only, no PackML RESET
    (8.75, "set_down", ()),  # refused: no job was interrupted
]
BY_HAND = f"""\
profile = "generic-modbus.toml"
mode = "MANUAL"             # no job runs: the machine goes where the buttons send it
duration_s = 12
stop_when = "time > 9"
tail_s = 0
{J1}"""

TWO_JOBS = f"""\
profile = "generic-modbus.toml"
duration_s = 120
tail_s = 0
{J1}
[[jobs]]
id = "J2"
from = "truck:T2"
to = "stack:7:4:1"
"""

ABORT_SCRIPT: Script = [
    (1.0, "cancel", ('job = "J2"',)),  # queued behind J1
    (2.0, "abort", ()),  # J1 on its way to collect
]

SET_DOWN = """
[[actions]]                 # queued behind J1
action = "cancel"
job = "J2"
at_s = 1

[[actions]]                 # travelling with the box
action = "stop"
when = "phase == 'deliver' and step == 'travel'"

[[actions]]
action = "set_down"
when = "machine == 'stopped' and job.J1 == 'interrupted'"

[[actions]]                 # STOPPED: PackML RESET too
action = "reset"
when = "machine == 'stopped' and job.J1 == 'interrupted'"
delay_s = 0.5

[[actions]]                 # carries the set-down out
action = "start"
when = "machine == 'idle'"
"""


def _script(script: Script) -> str:
    return "".join(_action(name, *lines, at_s=at) for at, name, lines in script)


_ROUNDING_S = 1e-6
"""Crane time adds up scan periods: an action at 4 s may fire at 3.9999999999."""


async def _run(tmp_path: Path, text: str) -> Observed:
    return await run_observed(load_scenario(_write(tmp_path, text)), Options())


def _sample_at(observed: Observed, time_s: float) -> Sample:
    """The last sample before ``time_s``."""
    return [s for s in observed.samples if s.time_s < time_s][-1]


def _machine_at(observed: Observed, time_s: float) -> str:
    """The PackML state the last sample before ``time_s`` shows."""
    return str(_sample_at(observed, time_s).values["machine"])


def _machine_path(observed: Observed, start_s: float) -> list[str]:
    """The PackML states the journal records from ``start_s`` on (give or take a rounding of
    crane time), in order."""
    since = start_s - _ROUNDING_S
    return [e.subject for e in observed.journal if e.kind == "machine" and e.time_s >= since]


def _acted(observed: Observed) -> list[tuple[str, str]]:
    """The script's actions as journaled: (action, why it was refused or "")."""
    entries = [e for e in observed.journal if e.kind == "operator" and "refused" in e.values]
    return [(e.subject, str(e.values["refused"])) for e in entries]


async def test_the_packml_buttons_take_the_machine_where_the_operator_sends_it(
    tmp_path: Path,
) -> None:
    observed = await _run(tmp_path, BY_HAND + _script(BY_HAND_SCRIPT))
    assert _machine_at(observed, 1.0) == "execute"  # the rig's own reset and start
    assert _machine_path(observed, 1.0) == [
        *("stopping", "stopped"),  # stop
        *("aborting", "aborted"),  # abort
        *("clearing", "stopped"),  # clear
        *("resetting", "idle"),  # reset (while STOPPED: PackML RESET too)
        *("starting", "execute"),  # start
        *("holding", "held"),  # hold
        *("unholding", "execute"),  # unhold
    ]
    at = {1.5: "stopped", 2.5: "aborted", 3.5: "stopped", 5.5: "idle", 6.5: "execute"}
    at |= {7.25: "held", 8.25: "execute", 9.0: "execute"}
    assert {t: _machine_at(observed, t) for t in at} == at
    acted = _acted(observed)
    assert [a for a, _ in acted] == [name for _, name, _ in BY_HAND_SCRIPT]
    refused = [(a, why) for a, why in acted if why]
    assert [a for a, _ in refused] == ["clear", "set_down"]
    assert refused[0][1].startswith("cannot CLEAR when EXECUTE")
    assert "interrupted" in refused[1][1]
    assert observed.end_s > 9.0  # the refusal did not end the run
    assert all(f.time_s is not None for f in observed.actions)


async def test_the_mode_action_switches_mode_as_the_role_it_needs(tmp_path: Path) -> None:
    observed = await _run(tmp_path, BY_HAND + _script(BY_HAND_SCRIPT))
    mode_changes = [e.values for e in observed.journal if e.kind == "mode"]
    changes = [(v["from"], v["to"], v["role"]) for v in mode_changes]
    assert changes == [
        ("manual", "maintenance", "maintenance"),
        ("maintenance", "manual", "operator"),
    ]
    modes = {s.values["mode"] for s in observed.samples if 3.5 <= s.time_s < 4.0}
    assert modes == {"maintenance"}
    mode_actions = [
        e.values for e in observed.journal if e.kind == "operator" and e.subject == "mode"
    ]
    assert [(v["mode"], v["refused"]) for v in mode_actions] == [
        ("maintenance", ""),
        ("manual", ""),
    ]


async def test_cancel_and_abort_reach_a_machine_moving_a_job(tmp_path: Path) -> None:
    text = TWO_JOBS.replace("tail_s = 0", 'tail_s = 0\nstop_when = "time > 4"')
    observed = await _run(tmp_path, text + _script(ABORT_SCRIPT))
    assert _machine_at(observed, 2.0) == "execute"
    assert observed.samples[-1].values["job.J1"] != "queued"  # J1 was under way
    assert _machine_path(observed, 2.0)[0] == "aborting"
    assert _machine_at(observed, 4.0) in ("aborting", "aborted")
    assert {s.values["job.J2"] for s in observed.samples if s.time_s > 1.0} == {"cancelled"}
    assert observed.jobs["J2"] == ("cancelled", "cancelled by the rig's operator")
    assert observed.jobs["J1"][0] != "cancelled"
    assert _acted(observed) == [("cancel", ""), ("abort", "")]
    assert observed.actions[0].what == "action 1 (cancel J2)"


async def test_stop_with_a_box_on_the_spreader_then_set_down_reset_and_start(
    tmp_path: Path,
) -> None:
    observed = await _run(tmp_path, TWO_JOBS + SET_DOWN)
    stopped_s = next(e.time_s for e in observed.journal if e.subject == "stop")
    assert _machine_at(observed, stopped_s - _ROUNDING_S) == "execute"
    assert _sample_at(observed, stopped_s).values["load.locked"] is True
    assert _machine_path(observed, stopped_s)[:2] == ["stopping", "stopped"]
    assert _machine_path(observed, stopped_s)[2:6] == ["resetting", "idle", "starting", "execute"]
    assert _acted(observed) == [(a, "") for a in ("cancel", "stop", "set_down", "reset", "start")]
    assert observed.jobs["J2"][0] == "cancelled"
    assert observed.jobs["J1"][0] == "failed"  # set down short of its destination


def test_the_mode_action_takes_the_scenarios_own_upper_case_spelling_too() -> None:
    from crane_ctrl.rig.scenario import ActionEntry

    assert ActionEntry.model_validate({"action": "mode", "mode": "MANUAL", "at_s": 1}).mode == (
        "manual"
    )
