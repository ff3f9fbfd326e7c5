"""The simulator works the points behind derived signals back together: every signal that reads
a point reads what the PLC program holds (an enumeration, the bits of a status word, ranges,
``not``, ``and``/``or`` of two points), and a status the expressions cannot show is said once, loudly,
never served silently wrong (hostile test F2: ``twl_1 == 2`` and ``twl_1 == 1`` served 0)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pytest

from crane_ctrl.profile.derived import derived_signals, evaluate, point_spec
from crane_ctrl.profile.modbus_map import ModbusCodec
from crane_ctrl.profile.model import ModbusProfile
from crane_ctrl.signals import Value
from simulators.point_solver import PointSolver, Solution
from simulators.served_status import ModbusStatus
from tests.unit.test_derived_lockstep import modbus_profile

LOCKED, UNLOCKED = "spreader.locked_1", "spreader.unlocked_1"
TWL = (
    'twl_1 = { table = "input", address = 100, type = "int16", '
    'texts = { 0 = "unknown", 1 = "unlocked", 2 = "locked", 3 = "fault" } }\n'
)
LIMITS = ("gantry.limit_fwd_ok", "gantry.limit_rev_ok", "trolley.limit_fwd_ok",
          "trolley.limit_rev_ok", "hoist.limit_up_ok", "hoist.limit_down_ok")  # fmt: skip


def two_signals(points: str, locked: str, unlocked: str) -> ModbusProfile:
    return modbus_profile(points, spreader__locked_1=locked, spreader__unlocked_1=unlocked)


def solved(
    profile: ModbusProfile, status: Mapping[str, Value]
) -> tuple[dict[str, Value], Solution]:
    """What each derived signal reads from the points the solver serves for ``status``."""
    specs = {name: point_spec(name, m) for name, m in profile.points.items()}
    codes = {name: list(m.texts or {}) for name, m in profile.points.items()}
    derived = derived_signals(profile)
    solution = PointSolver(derived, specs, suspension_height_m=21.5, codes=codes).solve(status)
    values: dict[str, Value] = {}
    evaluate(derived, values=values, problems={}, points=solution.values, point_problems={})
    return values, solution


def reads_as_held(profile: ModbusProfile, status: Mapping[str, Value]) -> dict[str, Value]:
    values, solution = solved(profile, status)
    assert (solution.failed, solution.conflicts) == ([], [])
    assert values == status
    return solution.values


@pytest.mark.parametrize(("locked", "unlocked", "code"), [(False, True, 1), (True, False, 2),
                                                          (False, False, 0)])  # fmt: skip
def test_an_enumeration_read_by_two_signals_serves_the_code_both_read(
    locked: bool, unlocked: bool, code: int
) -> None:
    profile = two_signals(TWL, "twl_1 == 2", "twl_1 == 1")
    assert reads_as_held(profile, {LOCKED: locked, UNLOCKED: unlocked}) == {"twl_1": code}


@pytest.mark.parametrize("operated", [(), (0,), (0, 4), (1, 2, 3, 5)])
def test_the_bits_of_a_status_word_read_by_six_signals_are_all_served(
    operated: tuple[int, ...],
) -> None:
    derived = {name.replace(".", "__"): f"not bit(limits, {i})" for i, name in enumerate(LIMITS)}
    profile = modbus_profile('limits = { table = "input", address = 100, type = "uint16" }\n',
                             **derived)  # fmt: skip
    status = {name: i not in operated for i, name in enumerate(LIMITS)}
    assert reads_as_held(profile, status) == {"limits": sum(1 << i for i in operated)}


INT, FLOAT = "int16", "float32"
ONE = 'w = { table = "discrete_input", address = 40 }\n'
TWO = ONE.replace("w = ", "p = ") + ONE.replace("w = ", "q = ").replace("40", "41")
T, F = True, False


def word(kind: str) -> str:
    return f'w = {{ table = "input", address = 100, type = "{kind}" }}\n'


@pytest.mark.parametrize(
    ("points", "locked", "unlocked", "shown"),
    [
        (word(INT), "w > 100", "w < 200", [(T, F), (F, T), (T, T)]),
        (word(INT), "w > 100", "w > 200", [(T, F), (F, F), (T, T)]),
        (word(INT), "w < -3", "w >= -3", [(T, F), (F, T)]),
        (word(FLOAT), "w >= 2.5", "w < 0.5", [(T, F), (F, T), (F, F)]),
        (ONE, "w", "not w", [(T, F), (F, T)]),
        (TWO, "p and q", "not p and not q", [(T, F), (F, T), (F, F)]),
        (TWO, "p or q", "not p and q", [(T, F), (T, T), (F, F)]),
    ],
    ids=["range", "above", "negative", "float", "not", "and", "or"],
)  # fmt: skip
def test_every_state_the_expressions_can_show_is_served(
    points: str, locked: str, unlocked: str, shown: list[tuple[bool, bool]]
) -> None:
    profile = two_signals(points, locked, unlocked)
    for state in shown:
        reads_as_held(profile, dict(zip((LOCKED, UNLOCKED), state, strict=True)))


def test_a_number_and_a_bool_read_from_one_point_are_served_together() -> None:
    profile = modbus_profile(
        'sway_mm = { table = "input", address = 100, type = "int16" }\n',
        sway__trolley="sway_mm / 1000",
        hoist__slack_rope="abs(sway_mm) > 500",
    )
    assert reads_as_held(profile, {"sway.trolley": 0.75, "hoist.slack_rope": True}) == {
        "sway_mm": 750
    }
    assert reads_as_held(profile, {"sway.trolley": -0.25, "hoist.slack_rope": False}) == {
        "sway_mm": -250
    }


@pytest.mark.parametrize(
    ("points", "locked", "unlocked", "state"),
    [
        (TWL, "twl_1 == 2", "twl_1 == 1", (True, True)),
        ('w = { table = "input", address = 100, type = "int16" }\n', "w > 100", "w < 50",
         (True, True)),
        ('w = { table = "discrete_input", address = 40 }\n', "w", "not w", (False, False)),
    ],
    ids=["enumeration", "ranges", "not"],
)  # fmt: skip
def test_a_status_the_expressions_cannot_show_is_a_conflict_naming_signals_points_and_values(
    points: str, locked: str, unlocked: str, state: tuple[bool, bool]
) -> None:
    profile = two_signals(points, locked, unlocked)
    status = dict(zip((LOCKED, UNLOCKED), state, strict=True))
    values, solution = solved(profile, status)
    [conflict] = solution.conflicts
    assert dict(conflict.wanted) == status
    [(signal, reads)] = conflict.misread.items()
    assert values[signal] == reads != status[signal]
    other = UNLOCKED if signal == LOCKED else LOCKED
    assert values[other] == status[other], "served as near as it goes: one of them reads right"
    point = next(iter(conflict.served))
    assert str(conflict).startswith(
        f"no value of {point} makes {LOCKED} read {str(state[0]).lower()} and {UNLOCKED} read "
        f"{str(state[1]).lower()} at once (tried "
    )
    assert f"; serving {point} = " in str(conflict)
    assert f", so {signal} reads {str(reads).lower()}: " in str(conflict)


def test_the_server_warns_of_a_conflict_once_while_it_lasts_and_again_when_it_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    points = (
        TWL.replace("100", "17") + 'sway_mm = { table = "input", address = 16, type = "int16" }\n'
    )
    profile = modbus_profile(
        points,
        spreader__locked_1="twl_1 == 2",
        spreader__unlocked_1="twl_1 == 1",
        sway__gantry="sway_mm / 1000",
    )
    status = ModbusStatus(ModbusCodec(profile))
    both = {LOCKED: True, UNLOCKED: True}
    with caplog.at_level(logging.WARNING, logger="simulators.served_status"):
        for held in (both, both, both, {LOCKED: False, UNLOCKED: True}, both):
            image = status.image(held, {})
    warnings = [r.getMessage() for r in caplog.records if "no value of twl_1" in r.getMessage()]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(
        "profile generic-modbus: no value of twl_1 makes spreader.locked_1 read true and "
        "spreader.unlocked_1 read true at once (tried 37 values); serving twl_1 = 2, so "
        "spreader.unlocked_1 reads false: a status these derived signals cannot show"
    )
    assert ModbusCodec(profile).decode(image).points["twl_1"] in (1, 2)
