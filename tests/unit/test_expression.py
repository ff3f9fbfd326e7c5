"""Derived-signal expressions: parsed and type-checked without eval, every error located to its
column, evaluated to a finite number, a bool or an undefined outcome, never an exception."""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.errors import ConditionError, CraneCtrlError
from crane_ctrl.profile.expression import (
    MAX_DEPTH,
    MAX_NESTING,
    DerivedQuality,
    ExpressionProblem,
    Inputs,
    Kind,
    Outcome,
    Undefined,
    check,
    derived_quality,
    parse,
)
from crane_ctrl.snapshot import Quality


def evaluated(text: str, **values: bool | int | float) -> Outcome:
    return parse(text).evaluate(values)


def error(text: str) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse(text)
    return caught.value


# --- what it computes ---------------------------------------------------------------------------


def test_sway_in_metres_from_an_angle_and_a_rope_length() -> None:
    sway = parse("rope_length_m * sin(radians(sway_angle_deg))")
    assert sway.kind == "number"
    assert sway.names == {"rope_length_m", "sway_angle_deg"}
    assert sway.evaluate({"rope_length_m": 20.0, "sway_angle_deg": 30}) == pytest.approx(10.0)


def test_an_ok_signal_from_two_at_limit_bits_of_one_word() -> None:
    limits_ok = parse("not bit(limits_word, 3) and not bit(limits_word, 4)")
    assert limits_ok.kind == "bool"
    assert dict(limits_ok.inputs) == {"limits_word": Kind.NUMBER}
    assert limits_ok.evaluate({"limits_word": 0b00111}) is True
    assert limits_ok.evaluate({"limits_word": 0b01000}) is False
    assert limits_ok.evaluate({"limits_word": 0b10000}) is False


def test_a_scaled_int16_speed() -> None:
    speed = parse("speed_raw * 0.0001 * rated_mps")
    assert speed.evaluate({"speed_raw": -5000, "rated_mps": 2.2}) == pytest.approx(-1.1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("1 + 2 * 3 - 4 / 2", 5),
        ("10 - 4 - 3", 3),
        ("64 / 4 / 2", 8),
        ("2 * 3 % 4", 2),
        ("7 % 4 * 2", 6),
        ("-2 * 3", -6),
        ("- 2 - 3", -5),
        ("-(2 - 3)", 1),
        ("2 * -3", -6),
        ("--2", 2),
        ("1 - -1", 2),
        ("-7 % 3", 2),
        ("7 % -3", -2),
        ("7.5 % 2", 1.5),
        ("1 + 2 < 4", True),
        ("2 * 3 == 6", True),
        ("2 * 3 != 6", False),
        ("1 <= 1", True),
        ("2 >= 3", False),
        ("1 > 0.5", True),
        ("not 1 > 2", True),
        ("not true and false", False),
        ("not (true and false)", True),
        ("true or false and false", True),
        ("(true or false) and false", False),
        ("false and false or true", True),
        ("not not true", True),
        ("(1 < 2) == true", True),
        ("true != (2 < 1)", True),
        (".5 + 1.", 1.5),
        ("1e3 + 2.5E-1", 1000.25),
    ],
)
def test_precedence_and_associativity(text: str, expected: float | bool) -> None:
    result = evaluated(text)
    assert result == expected
    assert type(result) is (bool if isinstance(expected, bool) else float)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(2, 5)", 2),
        ("min(3, 1, 2)", 1),
        ("max(2, 5)", 5),
        ("max(3, 1, 2, -4)", 3),
        ("abs(-2.5)", 2.5),
        ("abs(2.5)", 2.5),
        ("sin(radians(30))", 0.5),
        ("cos(0)", 1),
        ("cos(radians(60))", 0.5),
        ("tan(radians(45))", 1),
        ("asin(1)", math.pi / 2),
        ("acos(1)", 0),
        ("acos(-1)", math.pi),
        ("atan2(1, 1)", math.pi / 4),
        ("atan2(0, -1)", math.pi),
        ("atan2(0, 0)", 0),
        ("sqrt(16)", 4),
        ("sqrt(0)", 0),
        ("radians(180)", math.pi),
        ("degrees(atan2(1, 0))", 90),
        ("clamp(5, 0, 3)", 3),
        ("clamp(-1, 0, 3)", 0),
        ("clamp(2, 0, 3)", 2),
        ("clamp(2, 2, 2)", 2),
        ("if(1 < 2, 10, 20)", 10),
        ("if(false, 10, 20)", 20),
    ],
)
def test_every_numeric_function(text: str, expected: float) -> None:
    assert evaluated(text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("word", "n", "expected"),
    [
        (0b101, 0, True),
        (0b101, 1, False),
        (0b101, 2, True),
        (0, 15, False),
        (-32768, 15, True),  # an int16 word with its top bit set
        (-1, 7, True),
        (2**63 + 1, 63, True),
        (2**63 + 1, 0, True),  # exact: a float would have lost the low bit
        (4.0, 2, True),  # a whole float is a word too
    ],
)
def test_bit_reads_one_bit_of_an_integer_word(word: int | float, n: int, expected: bool) -> None:
    assert evaluated(f"bit(w, {n})", w=word) is expected


def test_bit_of_a_computed_word() -> None:
    assert evaluated("bit(w * 2, 1)", w=1) is True
    assert evaluated("bit(w / 2, 0)", w=3) == Undefined("bit(1.5, 0) at column 1: not whole")


def test_if_gives_the_kind_of_its_branches() -> None:
    assert parse("if(a > 0, true, b)").kind == "bool"
    assert evaluated("if(x > 0, x, -x)", x=-3) == 3


def test_names_may_have_dots_digits_and_underscores_and_are_only_looked_up() -> None:
    expression = parse("rope.length_m * 2 + _spare + DB1.DBW20")
    assert expression.names == {"rope.length_m", "_spare", "DB1.DBW20"}
    assert expression.evaluate({"rope.length_m": 3, "_spare": 1, "DB1.DBW20": 0.5}) == 7.5


def test_names_used_as_bools_are_bools_and_the_rest_numbers() -> None:
    expression = parse("ok and a == true and not b or if(c, x < 1, d) and e == f")
    assert dict(expression.inputs) == {
        "ok": Kind.BOOL,
        "a": Kind.BOOL,
        "b": Kind.BOOL,
        "c": Kind.BOOL,
        "x": Kind.NUMBER,
        "d": Kind.BOOL,
        "e": Kind.NUMBER,
        "f": Kind.NUMBER,
    }
    assert list(expression.inputs) == ["ok", "a", "b", "c", "x", "d", "e", "f"]
    assert parse("x").kind == "number"


def test_points_give_names_their_kinds() -> None:
    points = {"ok": Kind.BOOL, "w": Kind.NUMBER}
    assert parse("ok == (w > 1)", points).kind == "bool"
    assert parse("ok", points).kind == "bool"
    assert str(error_with("ok + 1", points)) == (
        "column 1: '+' needs a number, but 'ok' is a bool (so the points declare it); "
        "if(ok, 1, 0) is 1 or 0"
    )
    assert str(error_with("rope.lenght_m", {"rope.length_m": Kind.NUMBER})) == (
        "column 1: unknown point 'rope.lenght_m'; did you mean 'rope.length_m'?"
    )


def error_with(text: str, points: dict[str, Kind]) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse(text, points)
    return caught.value


def test_and_or_and_if_evaluate_only_what_decides() -> None:
    assert evaluated("if(x >= 0, sqrt(x), 0)", x=-4) == 0
    assert evaluated("x != 0 and 1 / x > 2", x=0) is False
    assert evaluated("x == 0 or 1 / x > 2", x=0) is True
    assert isinstance(evaluated("1 / x > 2 and false", x=0), Undefined)


def test_an_expression_is_immutable_and_equal_to_the_same_text_parsed_again() -> None:
    expression = parse("a + b")
    assert expression == parse("a + b")
    assert hash(expression) == hash(parse("a + b"))
    assert str(expression) == "a + b"
    with pytest.raises(AttributeError):
        expression.text = "a - b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        expression.inputs["c"] = Kind.NUMBER  # type: ignore[index]


# --- undefined outcomes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "reason"),
    [
        ("1 / x", {"x": 0}, "1 / 0 at column 3: division by zero"),
        ("x % 0", {"x": 5}, "5 % 0 at column 3: division by zero"),
        ("sqrt(x)", {"x": -0.5}, "sqrt(-0.5) at column 1: defined only for x >= 0"),
        ("asin(x)", {"x": 1.5}, "asin(1.5) at column 1: defined only for -1 <= x <= 1"),
        ("2 * acos(x)", {"x": -2}, "acos(-2) at column 5: defined only for -1 <= x <= 1"),
        ("clamp(x, 3, 2)", {"x": 1}, "clamp(1, 3, 2) at column 1: needs lo <= hi"),
        ("x + 1", {"x": math.nan}, "input x is nan"),
        ("x + 1", {"x": math.inf}, "input x is inf"),
        ("x > 1", {"x": -math.inf}, "input x is -inf"),
        ("x * x", {"x": 1e200}, "1e+200 * 1e+200 at column 3: too large"),
        ("degrees(x)", {"x": 1e307}, "degrees(1e+307) at column 1: too large"),
        ("x - 1", {"x": 10**400}, f"input x is too large ({10**400})"),
        ("max(1, sqrt(-1))", {}, "sqrt(-1) at column 8: defined only for x >= 0"),
        ("-(1 / x)", {"x": 0}, "1 / 0 at column 5: division by zero"),
        ("not (1 / x > 0)", {"x": 0}, "1 / 0 at column 8: division by zero"),
    ],
)
def test_domain_errors_give_an_undefined_outcome_with_the_reason(
    text: str, values: Inputs, reason: str
) -> None:
    assert parse(text).evaluate(values) == Undefined(reason)
    assert str(Undefined(reason)) == reason


def test_a_missing_input_is_an_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no value for sway_angle_deg: 'rope_m \\* sin"):
        parse("rope_m * sin(sway_angle_deg)").evaluate({"rope_m": 20.0})


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("x + 1", True, "input 'x' must be a number, got True"),
        ("x + 1", "1", "input 'x' must be a number, got '1'"),
        ("not x", 1, "input 'x' must be a bool, got 1"),
    ],
)
def test_an_input_of_the_wrong_kind_is_an_error_naming_it(
    text: str, value: Any, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        parse(text).evaluate({"x": value})


# --- parse errors -------------------------------------------------------------------------------

KNOWN = "abs, acos, asin, atan2, bit, clamp, cos, degrees, if, max, min, radians, sin, sqrt, tan"


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 1, "empty expression; write e.g. rope_length_m * sin(radians(sway_angle_deg))"),
        ("   ", 1, "empty expression; write e.g. rope_length_m * sin(radians(sway_angle_deg))"),
        ("a * (b + c", 11, "expected ')' to close the '(' at column 5, found the end"),
        ("min(a, b c)", 10, "expected ',' or ')' to close the '(' of min() at column 4, found 'c'"),
        ("2 * sine(x)", 5, f"unknown function 'sine' (known: {KNOWN}; did you mean 'sin'?)"),
        ("zzz(1)", 1, f"unknown function 'zzz' (known: {KNOWN})"),
        ("sin(a, b)", 1, "sin(x) takes 1 argument, got 2"),
        ("min(a)", 1, "min(a, b, ...) takes 2 or more arguments, got 1"),
        ("clamp(a, b)", 1, "clamp(x, lo, hi) takes 3 arguments, got 2"),
        ("sqrt()", 1, "sqrt(x) takes 1 argument, got 0"),
        ("a b", 3, "expected an operator or the end, found 'b'; join two values with an operator"),
        ("a + b)", 6, "unmatched ')': no '(' is open here"),
        (
            "a + ",
            5,
            "expected a value (a number, a name, true, false, a function call, '(' or '-'), found the end",
        ),
        (
            "a * * b",
            5,
            "expected a value (a number, a name, true, false, a function call, '(' or '-'), found '*'",
        ),
        (
            "min(1,)",
            7,
            "expected a value (a number, a name, true, false, a function call, '(' or '-'), found ')'",
        ),
        ("a < b < c", 7, "comparisons do not chain; write a < b and b < c"),
        ("a == b != c", 8, "comparisons do not chain; write a == b and b != c"),
        (
            "a $ b",
            3,
            "unexpected character '$'; an expression has names, numbers, ( ) , + - * / % < <= > >= == != and or not",
        ),
        ("a = b", 3, "'=' alone is not an operator; compare with =="),
        ("a && b", 3, "'&' is not an operator; write and"),
        ("!a", 1, "'!' is not an operator; write not x, or != to compare"),
        ("x ** 2", 3, "there is no power operator '**'; write x * x"),
        ("x ^ 2", 3, "'^' is not an operator and there is no power; write x * x"),
        (
            "3x + 1",
            1,
            "malformed number '3x'; write e.g. 12, 0.5 or 1e-3 (names start with a letter)",
        ),
        (
            "1.2.3",
            1,
            "malformed number '1.2.3'; write e.g. 12, 0.5 or 1e-3 (names start with a letter)",
        ),
        (
            "2 * 1e",
            5,
            "malformed number '1e'; write e.g. 12, 0.5 or 1e-3 (names start with a letter)",
        ),
        ("1e999", 1, "number 1e999 is too large (max 1.8e308)"),
        ("rope.", 5, "'.' joins the parts of a name (rope.length_m) or starts a number (.5)"),
        ("w[3]", 2, "there is no indexing; use ( ) to group, and bit(word, n) for a bit"),
        (
            "bit(w, 16 + 1)",
            8,
            "bit(word, n) takes the bit number as a whole number 0..63, e.g. bit(status_word, 3)",
        ),
        (
            "bit(w, 64)",
            8,
            "bit(word, n) takes the bit number as a whole number 0..63, e.g. bit(status_word, 3)",
        ),
        (
            "bit(w, 1.5)",
            8,
            "bit(word, n) takes the bit number as a whole number 0..63, e.g. bit(status_word, 3)",
        ),
        (
            "bit(w, -1)",
            8,
            "bit(word, n) takes the bit number as a whole number 0..63, e.g. bit(status_word, 3)",
        ),
        (
            "and",
            1,
            "expected a value (a number, a name, true, false, a function call, '(' or '-'), found 'and'",
        ),
    ],
)
def test_a_malformed_expression_names_the_column_and_the_fix(
    text: str, column: int, message: str
) -> None:
    raised = error(text)
    assert (raised.column, str(raised)) == (column, f"column {column}: {message}")


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("1 + true", 5, "'+' needs a number, but true is a bool; if(true, 1, 0) is 1 or 0"),
        (
            "-(a < b)",
            3,
            "'-' needs a number, but the value here is a bool; if((...), 1, 0) is 1 or 0",
        ),
        (
            "sin(a > b)",
            5,
            "sin() needs a number, but the value here is a bool; if((...), 1, 0) is 1 or 0",
        ),
        ("a < true", 5, "'<' needs a number, but true is a bool; if(true, 1, 0) is 1 or 0"),
        ("x and 1", 7, "'and' needs a bool, but 1 is a number; compare it: 1 != 0"),
        ("not 2", 5, "'not' needs a bool, but 2 is a number; compare it: 2 != 0"),
        (
            "(a + b) or c",
            2,
            "'or' needs a bool, but the value here is a number; compare it: (...) != 0",
        ),
        ("if(1, 1, 2)", 4, "if()'s condition needs a bool, but 1 is a number; compare it: 1 != 0"),
        ("bit(true, 1)", 5, "bit() needs a number, but true is a bool; if(true, 1, 0) is 1 or 0"),
        ("1 == true", 3, "'==' cannot compare a number with a bool; compare like with like"),
        (
            "if(c, 1, a > b)",
            10,
            "if() cannot give a number when true and a bool when false; make both one kind",
        ),
        (
            "x > 1 or x",
            10,
            "'or' needs a bool, but 'x' is a number (as used at column 1); compare it: x != 0",
        ),
        (
            "x + (x and y)",
            1,
            "'x' is used as a bool at column 6 and as a number here; a point has one kind",
        ),
    ],
)
def test_a_type_error_is_a_parse_error_naming_the_column(
    text: str, column: int, message: str
) -> None:
    raised = error(text)
    assert (raised.column, str(raised)) == (column, f"column {column}: {message}")


def test_the_error_is_a_crane_ctrl_value_error() -> None:
    raised = error("a +")
    assert isinstance(raised, CraneCtrlError)
    assert isinstance(raised, ValueError)


def test_check_returns_the_problem_as_data_for_a_loader_to_locate() -> None:
    problem = check("max(a, b")
    assert problem == ExpressionProblem(
        "max(a, b", 9, "expected ',' or ')' to close the '(' of max() at column 4, found the end"
    )
    assert isinstance(problem, ExpressionProblem)
    assert str(problem) == str(error("max(a, b"))
    assert problem.located("plc_profiles/x.toml", 41) == (
        "plc_profiles/x.toml:41:9: expected ',' or ')' to close the '(' of max() at column 4, "
        "found the end"
    )
    assert problem.located("x.toml", 41, first_column=20).startswith("x.toml:41:28: ")
    assert problem.pointer() == "max(a, b\n        ^"
    assert check("max(a, b)") == parse("max(a, b)")


def test_nesting_and_depth_are_bounded_by_a_located_error() -> None:
    deepest = "(" * MAX_NESTING + "x" + ")" * MAX_NESTING
    assert evaluated(deepest, x=2) == 2
    assert error("(" + deepest + ")").column == MAX_NESTING + 1
    assert evaluated("-" * MAX_NESTING + "x", x=2) == 2
    assert error("-" * (MAX_NESTING + 1) + "x").column == MAX_NESTING + 1
    longest = " + ".join(["x"] * MAX_DEPTH)
    assert evaluated(longest, x=1) == MAX_DEPTH
    assert str(error(longest + " + x")) == (
        f"column 1: more than {MAX_DEPTH} levels deep (a level per term of a chain); shorten it"
    )


@pytest.mark.parametrize(
    "text", ["(" * 5000, "-" * 5000 + "1", "not " * 5000, "min(" * 5000, "a+" * 5000 + "a"]
)
def test_no_text_exhausts_the_stack(text: str) -> None:
    assert "more than" in str(error(text))


# --- no eval ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("__import__('os')", 12),
        ('__import__("os").system("ls")', 12),
        ("eval(x)", 1),
        ("exec(x)", 1),
        ("open(x)", 1),
        ("getattr(x, y)", 1),
        ("x.__class__(1)", 1),
        ("(x).real", 4),
        ("().__class__", 3),
        ("lambda: 1", 7),
        ("[c for c in x]", 1),
        ("1 if x else 2", 3),
        ("x; y", 2),
        ("x\ny", 3),
    ],
)
def test_python_is_not_an_expression(text: str, column: int) -> None:
    assert error(text).column == column


def test_a_dotted_name_is_a_point_looked_up_by_its_name_not_an_attribute() -> None:
    assert evaluated("x.__class__ + 1", **{"x.__class__": 2}) == 3


def test_parse_and_evaluate_never_call_eval_exec_or_compile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval, exec or compile called")

    for name in ("eval", "exec", "compile", "__import__"):
        monkeypatch.setattr(builtins, name, forbidden)
    expression = parse("if(bit(w, 2), clamp(a * 2, 0, 10), -max(a, 1)) > 3 or not flag")
    assert expression.evaluate({"w": 4, "a": 4.5, "flag": True}) is True


# --- properties ---------------------------------------------------------------------------------

Tree = Any
"""A float, a name, or (operator, *operands)."""

LEAVES = st.one_of(
    st.sampled_from(["a", "b", "rope.length_m"]),
    st.integers(0, 1000).map(float),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
)
TREES = st.recursive(
    LEAVES,
    lambda kids: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/", "%"]), kids, kids),
        st.tuples(st.just("neg"), kids),
        st.tuples(st.sampled_from(["min", "max"]), kids, kids),
        st.tuples(st.just("abs"), kids),
    ),
    max_leaves=14,
)
NUMBERS = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**31), 2**31)
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "neg": 3}
PYTHON: dict[str, Callable[[float, float], float]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "%": lambda x, y: x % y,
}


UNARY: dict[str, Callable[[list[float]], float]] = {
    "neg": lambda args: -args[0],
    "abs": lambda args: abs(args[0]),
    "min": min,
    "max": max,
}


def render(tree: Tree, context: int = 0, *, right: bool = False) -> str:
    """The tree as text with only the brackets precedence and left-associativity need."""
    if isinstance(tree, str):
        return tree
    if isinstance(tree, float):
        return repr(tree)
    op = tree[0]
    if op in ("min", "max", "abs"):
        return f"{op}({', '.join(render(t) for t in tree[1:])})"
    if op == "neg":
        text = "-" + render(tree[1], PRECEDENCE[op])
    else:
        text = (
            f"{render(tree[1], PRECEDENCE[op])} {op} {render(tree[2], PRECEDENCE[op], right=True)}"
        )
    needs = PRECEDENCE[op] < context or (right and PRECEDENCE[op] == context)
    return f"({text})" if needs else text


def reference(tree: Tree, env: dict[str, float]) -> float | None:
    """Python's own arithmetic on the same tree; ``None`` where it is undefined."""
    if isinstance(tree, str):
        return float(env[tree])
    if isinstance(tree, float):
        return tree
    op, args = tree[0], [reference(t, env) for t in tree[1:]]
    numbers = [a for a in args if a is not None]
    if len(numbers) < len(args) or (op in ("/", "%") and numbers[1] == 0):
        return None
    result = PYTHON[op](*numbers[:2]) if op in PYTHON else UNARY[op](numbers)
    return result if math.isfinite(result) else None


@settings(max_examples=400)
@given(tree=TREES, a=NUMBERS, b=NUMBERS, c=NUMBERS)
def test_arithmetic_agrees_with_python_on_the_same_tree(
    tree: Tree, a: float, b: float, c: float
) -> None:
    env = {"a": a, "b": b, "rope.length_m": c}
    text = render(tree)
    expected = reference(tree, env)
    result = parse(text).evaluate(env)
    if expected is None:
        assert isinstance(result, Undefined), (text, result)
    else:
        assert result == expected, text
        assert type(result) is float


PIECES = [
    "a", "b.c", "x1", "1", "2.5", ".5", "1e3", "1e", "true", "false", "and", "or", "not",
    "min", "max", "abs", "bit", "if", "clamp", "sqrt", "asin", "(", ")", ",", "+", "-", "*",
    "/", "%", "<", "<=", "==", "!=", ">", ">=", "=", "!", " ", "'", ".", "**", "_", "é", "$",
]  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join),
)


@settings(max_examples=1000)
@given(text=TEXTS, data=st.data())
def test_any_text_is_an_expression_or_a_located_problem_and_evaluates_without_raising(
    text: str, data: st.DataObject
) -> None:
    expression = check(text)
    if isinstance(expression, ExpressionProblem):
        assert 1 <= expression.column <= len(text) + 1
        assert expression.message
        return
    values: dict[str, bool | int | float] = {
        name: data.draw(st.booleans() if kind is Kind.BOOL else NUMBERS)
        for name, kind in expression.inputs.items()
    }
    result = expression.evaluate(values)
    assert isinstance(result, bool | float | Undefined)
    assert isinstance(result, bool | Undefined) or math.isfinite(result)
    assert (expression.kind == "bool") == isinstance(result, bool) or isinstance(result, Undefined)


Typed = tuple[str, Kind]
"""An expression's text and its kind."""


def as_number(typed: Typed) -> str:
    return typed[0] if typed[1] is Kind.NUMBER else f"if({typed[0]}, 1, 0)"


def as_bool(typed: Typed) -> str:
    return typed[0] if typed[1] is Kind.BOOL else f"({typed[0]} > 0)"


def same_kind(x: Typed, y: Typed) -> tuple[str, str, Kind]:
    if x[1] is y[1]:
        return x[0], y[0], x[1]
    return as_number(x), as_number(y), Kind.NUMBER


def equality(parts: tuple[Typed, str, Typed]) -> Typed:
    left, op, right = parts
    x, y, _ = same_kind(left, right)
    return f"({x} {op} {y})", Kind.BOOL


def choice(parts: tuple[Typed, Typed, Typed]) -> Typed:
    condition, then, otherwise = parts
    x, y, kind = same_kind(then, otherwise)
    return f"if({as_bool(condition)}, {x}, {y})", kind


def typed_nodes(kids: st.SearchStrategy[Typed]) -> st.SearchStrategy[Typed]:
    """Every construct of the language over two or three ``kids``, typed by construction."""
    n, b = Kind.NUMBER, Kind.BOOL
    ops = st.sampled_from(["+", "-", "*", "/", "%"])
    compare = st.sampled_from(["<", "<=", ">", ">="])
    calls = st.sampled_from(
        ["sin", "cos", "tan", "asin", "acos", "sqrt", "abs", "radians", "degrees"]
    )
    return st.one_of(
        st.tuples(kids, ops, kids).map(
            lambda t: (f"({as_number(t[0])} {t[1]} {as_number(t[2])})", n)
        ),
        st.tuples(kids, compare, kids).map(
            lambda t: (f"({as_number(t[0])} {t[1]} {as_number(t[2])})", b)
        ),
        st.tuples(kids, st.sampled_from(["==", "!="]), kids).map(equality),
        st.tuples(kids, st.sampled_from(["and", "or"]), kids).map(
            lambda t: (f"({as_bool(t[0])} {t[1]} {as_bool(t[2])})", b)
        ),
        kids.map(lambda t: (f"(not {as_bool(t)})", b)),  # (a bare `not` is no comparand)
        kids.map(lambda t: (f"-{as_number(t)}", n)),
        st.tuples(calls, kids).map(lambda t: (f"{t[0]}({as_number(t[1])})", n)),
        st.tuples(st.sampled_from(["min", "max", "atan2"]), kids, kids).map(
            lambda t: (f"{t[0]}({as_number(t[1])}, {as_number(t[2])})", n)
        ),
        st.tuples(kids, kids, kids).map(lambda t: (f"clamp({', '.join(map(as_number, t))})", n)),
        st.tuples(kids, st.integers(0, 63)).map(lambda t: (f"bit({as_number(t[0])}, {t[1]})", b)),
        st.tuples(kids, kids, kids).map(choice),
    )


TYPED = st.recursive(
    st.sampled_from(
        [
            ("a", Kind.NUMBER),
            ("b", Kind.NUMBER),
            ("2.5", Kind.NUMBER),
            ("0", Kind.NUMBER),
            ("1e300", Kind.NUMBER),
            ("p", Kind.BOOL),
            ("q", Kind.BOOL),
            ("true", Kind.BOOL),
        ]
    ),
    typed_nodes,
    max_leaves=20,
)
POINTS = {"a": Kind.NUMBER, "b": Kind.NUMBER, "p": Kind.BOOL, "q": Kind.BOOL}


@settings(max_examples=500)
@given(text_and_kind=TYPED, a=NUMBERS, b=NUMBERS, p=st.booleans(), q=st.booleans())
def test_a_well_typed_expression_gives_its_kind_or_undefined_and_never_raises(
    text_and_kind: tuple[str, Kind], a: float, b: float, p: bool, q: bool
) -> None:
    text, kind = text_and_kind
    expression = check(text, POINTS)
    assert not isinstance(expression, ExpressionProblem), (text, expression)
    assert expression.kind is kind
    result = expression.evaluate({"a": a, "b": b, "p": p, "q": q})
    if kind is Kind.BOOL:
        assert isinstance(result, bool | Undefined)
    else:
        assert isinstance(result, Undefined) or (type(result) is float and math.isfinite(result))


# --- quality ------------------------------------------------------------------------------------

G, S, B, M = Quality.GOOD, Quality.STALE, Quality.BAD, Quality.MISSING


@pytest.mark.parametrize(
    ("inputs", "quality", "reason"),
    [
        ({}, G, ""),
        ({"a": G, "b": G}, G, ""),
        ({"a": G, "b": S}, S, "input b is stale"),
        ({"a": S, "b": B}, B, "input a is stale; input b is bad"),
        ({"a": B, "b": G}, B, "input a is bad"),
        ({"a": G, "b": M}, B, "input b is never read"),
        ({"a": M, "b": S, "c": B}, B, "input a is never read; input b is stale; input c is bad"),
    ],
)
def test_a_derived_signal_has_the_quality_of_its_worst_input_and_is_never_missing(
    inputs: dict[str, Quality], quality: Quality, reason: str
) -> None:
    assert derived_quality(inputs) == DerivedQuality(quality, reason)


@given(st.dictionaries(st.sampled_from("abcd"), st.sampled_from(list(Quality))))
def test_derived_quality_is_good_only_when_every_input_is(inputs: dict[str, Quality]) -> None:
    result = derived_quality(inputs)
    assert (result.quality is G) == all(q is G for q in inputs.values())
    assert result.quality is not M
    assert (result.reason == "") == (result.quality is G)
