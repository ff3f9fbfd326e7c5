"""The scenario condition language: what it accepts, how it evaluates, where it says it is wrong."""

from __future__ import annotations

import pytest

from crane_ctrl.rig.conditions import ConditionError, Scalar, parse
from crane_ctrl.rig.vocabulary import vocabulary

NAMES = vocabulary(["J1", "J2"])


def holds(text: str, **values: Scalar | None) -> bool:
    named = {k.replace("__", "."): v for k, v in values.items()}
    return parse(text, NAMES).holds(named.get)


def error(text: str) -> str:
    with pytest.raises(ConditionError) as caught:
        parse(text, NAMES)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("hoist.position > 5", {"hoist.position": 5.5}, True),
        ("hoist.position > 5", {"hoist.position": 5.0}, False),
        ("hoist.position >= 5", {"hoist.position": 5.0}, True),
        ("hoist.position <= -0.5", {"hoist.position": -1.0}, True),
        ("env.wind != 0", {"env.wind": 0.0}, False),
        ("load.locked", {"load.locked": True}, True),
        ("not load.locked", {"load.locked": True}, False),
        ("plc.estop_ok == false", {"plc.estop_ok": False}, True),
        ("step == 'lower'", {"step": "lower"}, True),
        ('step == "lower"', {"step": "raise"}, False),
        ("job.J1 == 'moving_to_deliver'", {"job.J1": "moving_to_deliver"}, True),
        (
            "hoist.position > 5 and load.locked",
            {"hoist.position": 6.0, "load.locked": False},
            False,
        ),
        ("hoist.position > 5 or load.locked", {"hoist.position": 6.0, "load.locked": False}, True),
        ("hoist.speed > 1e-3", {"hoist.speed": 0.01}, True),
    ],
)
def test_conditions_evaluate_against_one_scan(
    text: str, values: dict[str, Scalar], expected: bool
) -> None:
    assert parse(text, NAMES).holds(values.get) is expected


def test_and_binds_tighter_than_or_and_parentheses_change_it() -> None:
    values = {"load.locked": True, "load.landed": False, "comms.ok": False}
    assert parse("load.locked or load.landed and comms.ok", NAMES).holds(values.get)
    assert not parse("(load.locked or load.landed) and comms.ok", NAMES).holds(values.get)
    assert parse("not not load.locked", NAMES).holds(values.get)


def test_an_unknown_value_makes_comparisons_false_and_a_bare_name_false() -> None:
    assert not holds("hoist.position > 5", hoist__position=None)
    assert not holds("hoist.position <= 5", hoist__position=None)
    assert not holds("load.locked", load__locked=None)
    assert holds("not load.locked", load__locked=None)


def test_trip_and_alarm_names_come_from_the_catalogues() -> None:
    condition = parse("trip.WIND_STOP and not alarm.PLC_HEARTBEAT_FROZEN", NAMES)
    assert condition.names() == ("trip.WIND_STOP", "alarm.PLC_HEARTBEAT_FROZEN")


def test_comparisons_of_two_names_of_one_kind_are_allowed() -> None:
    values = {"gantry.speed_ref": 0.5, "gantry.speed": 0.4}
    assert parse("gantry.speed_ref > gantry.speed", NAMES).holds(values.get)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "hoist.postion > 5",
            "column 1: unknown name 'hoist.postion'; did you mean 'hoist.position'?",
        ),
        ("load.locked 5", "column 13: expected 'and', 'or' or the end, found '5'"),
        (
            "hoist.position > ",
            "column 18: expected a name, a number, a 'text', true or false, found the end",
        ),
        ("hoist.position = 5", "column 16: '=' alone is not an operator; compare with =="),
        ("load.locked && load.landed", "column 13: '&' is not an operator here; use and, or, not"),
        ("(load.locked", "column 13: expected ')', found the end"),
        ("load.locked and", "column 16: expected a name, 'not' or '(', found the end"),
        ("step == 'lowr'", "column 6: 'lowr' is not a value it takes ("),
        ("step == 'lower", "column 9: unterminated string: close it with '"),
        (
            "hoist.position",
            "column 1: 'hoist.position' is a number, not yes/no: compare it (== != < <= > >=), e.g. hoist.position > 5",
        ),
        ("step > 'lower'", "column 6: > compares numbers; a text takes == or !="),
        ("load.locked == 1", "column 13: cannot compare a yes/no with a number"),
        ("5 > 3", "column 3: compare a name with a value, not two values"),
        ("job.J3 == 'done'", "column 1: unknown name 'job.J3'; did you mean 'job.J"),
        (
            "trip.WIND_STOPP",
            "column 1: unknown name 'trip.WIND_STOPP'; did you mean 'trip.WIND_STOP'?",
        ),
        ("   ", "column 1: empty condition"),
    ],
)
def test_bad_conditions_name_the_column_and_what_was_expected(text: str, message: str) -> None:
    assert error(text).startswith(message)


def test_nothing_is_evaluated_as_python() -> None:
    for text in ("__import__('os')", "load.locked; import os", "hoist.position.__class__"):
        with pytest.raises(ConditionError):
            parse(text, NAMES)
