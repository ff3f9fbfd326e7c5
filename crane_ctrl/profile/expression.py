"""Derived signals: a small, safe expression language over raw PLC points. Pure.

A profile may compute a canonical signal from raw points instead of reading it from one place::

    rope_length_m * sin(radians(sway_angle_deg))          sway in m from an angle and a rope length
    not bit(limits_word, 3) and not bit(limits_word, 4)   an ``*_ok`` from two "at limit" bits
    speed_raw * 0.0001 * rated_mps                        a scaled int16 speed

The text is tokenized and parsed here into a tree of frozen nodes. Nothing is ever handed to
Python's ``eval``, ``exec`` or ``compile``: a name is a key into the mapping of point values (so
``rope.length_m`` is one point, not an attribute), and only the functions below can be called.

Grammar, lowest precedence first; binary operators are left-associative (``a - b - c`` is
``(a - b) - c``) and a comparison does not chain (``a < b < c`` is an error)::

    expression := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum [("<" | "<=" | ">" | ">=" | "==" | "!=") sum]
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/" | "%") unary)*
    unary      := "-" unary | atom
    atom       := NUMBER | "true" | "false" | NAME | FUNCTION "(" expression ("," expression)* ")"
                | "(" expression ")"

NUMBER: ``12``, ``0.5``, ``.5``, ``1e-3``. NAME: a letter or ``_``, then letters, digits and
``_``, in parts joined by ``.`` (``status_word``, ``rope.length_m``); ``and or not true false``
are words of the language. ``%`` is the remainder with the sign of the divisor (``-7 % 3`` is
``2``), which keeps an angle ``a % 360`` within 0..360.

FUNCTION: ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``, ``sin(x)``, ``cos(x)``, ``tan(x)``
(radians), ``asin(x)``, ``acos(x)``, ``atan2(y, x)``, ``sqrt(x)``, ``radians(deg)``,
``degrees(rad)``, ``clamp(x, lo, hi)``, ``bit(word, n)`` (bit ``n`` of an integer word, 0 the
least significant, ``n`` a whole number 0..63 written out; a bool) and ``if(condition, then,
else)``.

Types: every value is a number or a bool (:class:`Kind`), checked when the text is parsed:
arithmetic and ``< <= > >=`` take numbers, ``and or not`` and an ``if`` condition take bools,
``== !=`` take two of one kind, a comparison gives a bool. A name's kind comes from ``points``
when the caller passes them; otherwise from its use (a bool where and/or/not or an ``if``
condition take it, or where it is compared with a bool; a number elsewhere), one kind per name.
Numbers are computed as floats; ``bit`` reads an integer point's own value, exact for 64-bit
words. Nesting is bounded (:data:`MAX_NESTING`, :data:`MAX_DEPTH`), so no text exhausts the stack.

Errors: :func:`parse` raises :class:`~crane_ctrl.errors.ConditionError` (1-based column, what
was expected and how to fix it); :func:`check` returns the same as an :class:`ExpressionProblem`
for a loader that collects problems and adds file and line.

Evaluation never raises for inputs of the right kind: a result that is not a finite number
(division by zero, ``sqrt`` of a negative, ``asin``/``acos`` outside [-1, 1], ``clamp`` with
``lo > hi``, an input that is NaN or inf, an overflow) is :class:`Undefined` with the reason, and
the caller marks the derived signal BAD. ``and``, ``or`` and ``if`` evaluate only what decides
the result, so ``if(x >= 0, sqrt(x), 0)`` and ``n != 0 and total / n > 2`` are always defined.
A missing input raises ``KeyError`` and an input of the wrong kind ``TypeError``: the caller
broke the contract of :attr:`Expression.inputs`. :func:`derived_quality` gives the quality.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar, NamedTuple

from crane_ctrl.config.messages import close_matches
from crane_ctrl.errors import ConditionError
from crane_ctrl.snapshot import Quality

__all__ = [
    "MAX_DEPTH",
    "MAX_NESTING",
    "DerivedQuality",
    "Expression",
    "ExpressionProblem",
    "Inputs",
    "Kind",
    "Outcome",
    "Undefined",
    "check",
    "derived_quality",
    "parse",
]


class Kind(StrEnum):
    """What an expression or a name gives: a number or a bool."""

    NUMBER = "number"
    BOOL = "bool"


Inputs = Mapping[str, bool | int | float]
"""Point values by name: bools for bool names, ints or floats for number names."""


@dataclass(frozen=True, slots=True)
class Undefined:
    """No value: the inputs are outside what the expression can compute; the signal is BAD."""

    reason: str
    """What was undefined and where, e.g. ``sqrt(-0.5) at column 12: defined only for x >= 0``."""

    def __str__(self) -> str:
        return self.reason


Outcome = float | bool | Undefined
"""What :meth:`Expression.evaluate` gives: a finite float, a bool, or :class:`Undefined`."""

MAX_NESTING = 30
"""Most brackets, calls and unary operators inside one another: far beyond any real derived
signal, and parsing them stays well within Python's recursion limit."""
MAX_DEPTH = 100
"""Most levels of the parsed tree (a chain ``a + b + c`` is one level per term)."""


# --- the functions ------------------------------------------------------------------------------


def _defined(*args: float) -> str | None:
    return None


def _within_one(x: float) -> str | None:
    return None if -1.0 <= x <= 1.0 else "defined only for -1 <= x <= 1"


def _not_negative(x: float) -> str | None:
    return None if x >= 0.0 else "defined only for x >= 0"


def _ordered(x: float, lo: float, hi: float) -> str | None:
    return None if lo <= hi else "needs lo <= hi"


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


@dataclass(frozen=True, slots=True)
class _Function:
    usage: str
    """How it is called, e.g. ``clamp(x, lo, hi)``; also its name and argument count."""
    compute: Callable[..., float] | None
    """``None`` for ``bit`` and ``if``, which the parser builds as nodes of their own."""
    domain: Callable[..., str | None] = _defined
    """Why the arguments are outside its domain, or ``None``."""
    variadic: bool = False

    @property
    def name(self) -> str:
        return self.usage.partition("(")[0]

    @property
    def arity(self) -> int:
        return 2 if self.variadic else self.usage.count(",") + 1

    def takes(self, count: int) -> bool:
        return count >= self.arity if self.variadic else count == self.arity

    def arguments(self) -> str:
        s = "" if self.arity == 1 else "s"
        return f"{self.arity} or more arguments" if self.variadic else f"{self.arity} argument{s}"


_FUNCTIONS = {
    f.name: f
    for f in (
        _Function("min(a, b, ...)", min, variadic=True),
        _Function("max(a, b, ...)", max, variadic=True),
        _Function("abs(x)", abs),
        _Function("sin(x)", math.sin),
        _Function("cos(x)", math.cos),
        _Function("tan(x)", math.tan),
        _Function("asin(x)", math.asin, _within_one),
        _Function("acos(x)", math.acos, _within_one),
        _Function("atan2(y, x)", math.atan2),
        _Function("sqrt(x)", math.sqrt, _not_negative),
        _Function("radians(deg)", math.radians),
        _Function("degrees(rad)", math.degrees),
        _Function("clamp(x, lo, hi)", _clamp, _ordered),
        _Function("bit(word, n)", None),
        _Function("if(condition, then, else)", None),
    )
}


# --- the tree -----------------------------------------------------------------------------------


def _finite(value: float, why: str) -> float | Undefined:
    return value if math.isfinite(value) else Undefined(why)


def _text(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class _Number:
    column: int
    value: float
    kind: ClassVar[Kind] = Kind.NUMBER

    def children(self) -> tuple[_Node, ...]:
        return ()

    def evaluate(self, values: Inputs) -> Outcome:
        return self.value


@dataclass(frozen=True, slots=True)
class _Bool:
    column: int
    value: bool
    kind: ClassVar[Kind] = Kind.BOOL

    def children(self) -> tuple[_Node, ...]:
        return ()

    def evaluate(self, values: Inputs) -> Outcome:
        return self.value


@dataclass(frozen=True, slots=True)
class _Name:
    column: int
    name: str
    kind: Kind | None
    """``None`` until the parser has seen how it is used."""

    def children(self) -> tuple[_Node, ...]:
        return ()

    def evaluate(self, values: Inputs) -> Outcome:
        value = values[self.name]
        if self.kind is Kind.BOOL:
            if not isinstance(value, bool):
                raise TypeError(f"input {self.name!r} must be a bool, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"input {self.name!r} must be a number, got {value!r}")
        try:
            return _finite(float(value), f"input {self.name} is {value}")
        except OverflowError:
            return Undefined(f"input {self.name} is too large ({value})")


@dataclass(frozen=True, slots=True)
class _Negate:
    column: int
    operand: _Node
    kind: ClassVar[Kind] = Kind.NUMBER

    def children(self) -> tuple[_Node, ...]:
        return (self.operand,)

    def evaluate(self, values: Inputs) -> Outcome:
        value = self.operand.evaluate(values)
        return value if isinstance(value, Undefined) else -value


@dataclass(frozen=True, slots=True)
class _Not:
    column: int
    operand: _Node
    kind: ClassVar[Kind] = Kind.BOOL

    def children(self) -> tuple[_Node, ...]:
        return (self.operand,)

    def evaluate(self, values: Inputs) -> Outcome:
        value = self.operand.evaluate(values)
        return value if isinstance(value, Undefined) else not value


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True, slots=True)
class _Binary:
    """Arithmetic, a comparison, ``and`` or ``or``: ``kind`` says which it gives."""

    column: int
    op: str
    op_column: int
    left: _Node
    right: _Node
    kind: Kind

    def children(self) -> tuple[_Node, ...]:
        return (self.left, self.right)

    def evaluate(self, values: Inputs) -> Outcome:
        a = self.left.evaluate(values)
        if isinstance(a, Undefined) or (self.op == "and" and not a) or (self.op == "or" and a):
            return a
        b = self.right.evaluate(values)
        if isinstance(b, Undefined) or self.op in ("and", "or"):
            return b
        if self.op in _COMPARISONS:
            return _COMPARISONS[self.op](a, b)
        return self.arithmetic(a, b)

    def arithmetic(self, a: float, b: float) -> Outcome:
        where = f"{_text(a)} {self.op} {_text(b)} at column {self.op_column}"
        if self.op in "/%" and b == 0:
            return Undefined(f"{where}: division by zero")
        return _finite(_ARITHMETIC[self.op](a, b), f"{where}: too large")


@dataclass(frozen=True, slots=True)
class _Call:
    column: int
    function: _Function
    args: tuple[_Node, ...]
    kind: ClassVar[Kind] = Kind.NUMBER

    def children(self) -> tuple[_Node, ...]:
        return self.args

    def evaluate(self, values: Inputs) -> Outcome:
        args: list[float] = []
        for node in self.args:
            value = node.evaluate(values)
            if isinstance(value, Undefined):
                return value
            args.append(value)
        where = f"{self.function.name}({', '.join(map(_text, args))}) at column {self.column}"
        problem = self.function.domain(*args)
        if problem is not None:
            return Undefined(f"{where}: {problem}")
        assert self.function.compute is not None  # bit and if have nodes of their own
        return _finite(self.function.compute(*args), f"{where}: too large")


@dataclass(frozen=True, slots=True)
class _Bit:
    column: int
    word: _Node
    n: int
    kind: ClassVar[Kind] = Kind.BOOL

    def children(self) -> tuple[_Node, ...]:
        return (self.word,)

    def evaluate(self, values: Inputs) -> Outcome:
        value = self.word.evaluate(values)
        if isinstance(value, Undefined):
            return value
        raw = values[self.word.name] if isinstance(self.word, _Name) else value
        if isinstance(raw, int):  # a point's own integer: exact even beyond 2**53
            return bool((raw >> self.n) & 1)
        if not float(value).is_integer():
            return Undefined(f"bit({_text(value)}, {self.n}) at column {self.column}: not whole")
        return bool((int(value) >> self.n) & 1)


@dataclass(frozen=True, slots=True)
class _If:
    column: int
    condition: _Node
    then: _Node
    otherwise: _Node
    kind: Kind

    def children(self) -> tuple[_Node, ...]:
        return (self.condition, self.then, self.otherwise)

    def evaluate(self, values: Inputs) -> Outcome:
        chosen = self.condition.evaluate(values)
        if isinstance(chosen, Undefined):
            return chosen
        return (self.then if chosen else self.otherwise).evaluate(values)


_Node = _Number | _Bool | _Name | _Negate | _Not | _Binary | _Call | _Bit | _If


def _walk(root: _Node) -> Iterator[tuple[_Node, int]]:
    """Every node with its depth, in the order of the text; iterative, so no depth is too deep."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in reversed(node.children()))


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: :meth:`evaluate` it with the values of :attr:`inputs`."""

    text: str
    """As written."""
    kind: Kind
    """What it gives: a number or a bool."""
    root: _Node = field(repr=False)
    inputs: Mapping[str, Kind] = field(compare=False)
    """The points it reads and their kinds, in order of first use."""

    @property
    def names(self) -> frozenset[str]:
        """The names of the points it reads (to check them against the profile's points)."""
        return frozenset(self.inputs)

    @property
    def numbers(self) -> tuple[float, ...]:
        """The numbers written in the text, in order, each once (``twl_1 == 2``: 2.0); a
        simulator tries values near them to work back what a point must be."""
        found = (node.value for node, _ in _walk(self.root) if isinstance(node, _Number))
        return tuple(dict.fromkeys(found))

    def evaluate(self, values: Inputs) -> Outcome:
        """The value for ``values``; :class:`Undefined` when it has none (the signal is BAD)."""
        missing = [name for name in self.inputs if name not in values]
        if missing:
            needs = ", ".join(self.inputs)
            raise KeyError(f"no value for {', '.join(missing)}: {self.text!r} reads {needs}")
        return self.root.evaluate(values)

    def __str__(self) -> str:
        return self.text


# --- tokens -------------------------------------------------------------------------------------


_TOKEN = re.compile(
    r"""(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<name>[A-Za-z_]\w*(?:\.\w+)*)
      | (?P<op><=|>=|==|!=|[-+*/%<>(),])""",
    re.VERBOSE | re.ASCII,
)
_RUN_ON = re.compile(r"[\w.]+", re.ASCII)
_KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
_HINTS = {
    "=": "'=' alone is not an operator; compare with ==",
    "!": "'!' is not an operator; write not x, or != to compare",
    "&": "'&' is not an operator; write and",
    "|": "'|' is not an operator; write or",
    "^": "'^' is not an operator and there is no power; write x * x",
    "'": "quotes are not needed: write a point's name as it is, e.g. rope.length_m",
    '"': "quotes are not needed: write a point's name as it is, e.g. rope.length_m",
    "[": "there is no indexing; use ( ) to group, and bit(word, n) for a bit",
    ".": "'.' joins the parts of a name (rope.length_m) or starts a number (.5)",
}


class _Token(NamedTuple):
    kind: str
    """``number``, ``name`` (words too), ``op`` or ``end``."""
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        found = _TOKEN.match(text, at)
        if found is None or found.lastgroup is None:
            raise ConditionError(at + 1, _bad_character(text, at))
        if text.startswith("**", at):
            raise ConditionError(at + 1, "there is no power operator '**'; write x * x")
        end = found.end()
        if found.lastgroup == "number" and _RUN_ON.match(text, end):
            raise ConditionError(at + 1, _malformed(text, at))
        out.append(_Token(found.lastgroup, found.group(), at + 1))
        at = end
    out.append(_Token("end", "", len(text) + 1))
    return out


def _bad_character(text: str, at: int) -> str:
    char = text[at]
    usable = "names, numbers, ( ) , + - * / % < <= > >= == != and or not"
    return _HINTS.get(char, f"unexpected character {char!r}; an expression has {usable}")


def _malformed(text: str, at: int) -> str:
    run = _RUN_ON.match(text, at)
    whole = run.group() if run else text[at]
    return f"malformed number {whole!r}; write e.g. 12, 0.5 or 1e-3 (names start with a letter)"


# --- the parser ---------------------------------------------------------------------------------

_EXAMPLE = "rope_length_m * sin(radians(sway_angle_deg))"
_TOO_DEEP = f"more than {MAX_DEPTH} levels deep (a level per term of a chain); shorten it"
_TOO_NESTED = f"more than {MAX_NESTING} brackets, calls or '-'/'not' inside one another"
_VALUE = "a value (a number, a name, true, false, a function call, '(' or '-')"


def parse(text: str, points: Mapping[str, Kind] | None = None) -> Expression:
    """Parse and type-check ``text``; :class:`~crane_ctrl.errors.ConditionError` says where
    and what was expected. With ``points``, every name must be one of them and has its kind."""
    if not text.strip():
        raise ConditionError(1, f"empty expression; write e.g. {_EXAMPLE}")
    parser = _Parser(_tokens(text), points)
    root, kind = parser.whole()
    inputs: dict[str, Kind] = {}
    for node, depth in _walk(root):
        if depth > MAX_DEPTH:
            raise ConditionError(node.column, _TOO_DEEP)
        if isinstance(node, _Name):
            inputs.setdefault(node.name, parser.kinds[node.name][0])
    return Expression(text, kind, root, MappingProxyType(inputs))


class _Parser:
    """Recursive descent, one method per grammar rule; type-checks each node as it builds it."""

    def __init__(self, tokens: list[_Token], points: Mapping[str, Kind] | None) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0
        self.points = points
        self.kinds: dict[str, tuple[Kind, int]] = {}
        """Each name's kind, and the column whose use decided it."""

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def sees(self, *texts: str) -> bool:
        return self.token.kind in ("op", "name") and self.token.text in texts

    def whole(self) -> tuple[_Node, Kind]:
        root = self.expression()
        if self.sees(")"):
            raise ConditionError(self.token.column, "unmatched ')': no '(' is open here")
        if self.token.kind != "end":
            raise self.expected("an operator or the end", "; join two values with an operator")
        kind = root.kind or Kind.NUMBER
        return self.want(root, kind, "the expression"), kind

    def expression(self) -> _Node:
        return self.chain(("or",), self.conjunction)

    def conjunction(self) -> _Node:
        return self.chain(("and",), self.negation)

    def negation(self) -> _Node:
        if not self.sees("not"):
            return self.comparison()
        op = self.take()
        return _Not(op.column, self.want(self.nested(self.negation), Kind.BOOL, "'not'"))

    def comparison(self) -> _Node:
        left = self.additive()
        if not self.sees(*_COMPARISONS):
            return left
        op = self.take()
        right = self.additive()
        if self.sees(*_COMPARISONS):
            chained = f"write a {op.text} b and b {self.token.text} c"
            raise ConditionError(self.token.column, f"comparisons do not chain; {chained}")
        kind = Kind.NUMBER
        if op.text in ("==", "!="):
            mismatch = f"'{op.text}' cannot compare a {{}} with a {{}}; compare like with like"
            kind = self.same_kind(left, right, op.column, mismatch)
        what = f"'{op.text}'"
        left, right = self.want(left, kind, what), self.want(right, kind, what)
        return _Binary(left.column, op.text, op.column, left, right, Kind.BOOL)

    def additive(self) -> _Node:
        return self.chain(("+", "-"), self.multiplicative)

    def multiplicative(self) -> _Node:
        return self.chain(("*", "/", "%"), self.unary)

    def chain(self, ops: tuple[str, ...], part: Callable[[], _Node]) -> _Node:
        """``part (op part)*``, left-associative; ``and``/``or`` on bools, the rest on numbers."""
        node = part()
        while self.sees(*ops):
            op = self.take()
            right = part()
            kind = Kind.BOOL if op.text in ("and", "or") else Kind.NUMBER
            left, right = (
                self.want(node, kind, f"'{op.text}'"),
                self.want(right, kind, f"'{op.text}'"),
            )
            node = _Binary(left.column, op.text, op.column, left, right, kind)
        return node

    def unary(self) -> _Node:
        if not self.sees("-"):
            return self.atom()
        op = self.take()
        return _Negate(op.column, self.want(self.nested(self.unary), Kind.NUMBER, "'-'"))

    def atom(self) -> _Node:
        token = self.take()
        if token.kind == "number":
            return _Number(token.column, self.number(token))
        if token.kind == "name" and token.text in ("true", "false"):
            return _Bool(token.column, token.text == "true")
        if token.kind == "name" and token.text not in _KEYWORDS:
            return self.call(token) if self.sees("(") else self.name(token)
        if token.text == "(":
            node = self.nested(self.expression)
            self.close(f"')' to close the '(' at column {token.column}")
            return node
        self.at -= 1
        raise self.expected(_VALUE)

    def nested(self, part: Callable[[], _Node]) -> _Node:
        """``part()`` one level deeper: bounded, so no text can exhaust Python's stack."""
        if self.depth >= MAX_NESTING:
            raise ConditionError(self.tokens[self.at - 1].column, _TOO_NESTED)
        self.depth += 1
        node = part()
        self.depth -= 1
        return node

    def close(self, what: str) -> None:
        if not self.sees(")"):
            raise self.expected(what)
        self.take()

    def number(self, token: _Token) -> float:
        value = float(token.text)
        if math.isinf(value):
            raise ConditionError(token.column, f"number {token.text} is too large (max 1.8e308)")
        return value

    def name(self, token: _Token) -> _Name:
        if self.points is not None:
            if token.text not in self.points:
                close = close_matches(token.text, self.points, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ConditionError(token.column, f"unknown point {token.text!r}{hint}")
            self.kinds.setdefault(token.text, (self.points[token.text], 0))
        known = self.kinds.get(token.text)
        return _Name(token.column, token.text, known[0] if known else None)

    def call(self, name: _Token) -> _Node:
        function = _FUNCTIONS.get(name.text)
        if function is None:
            raise self.unknown_function(name)
        opening = self.take()
        args: list[_Node] = []
        if not self.sees(")"):
            args.append(self.nested(self.expression))
            while self.sees(","):
                self.take()
                args.append(self.nested(self.expression))
        self.close(f"',' or ')' to close the '(' of {name.text}() at column {opening.column}")
        if not function.takes(len(args)):
            got = f"{function.usage} takes {function.arguments()}, got {len(args)}"
            raise ConditionError(name.column, got)
        return self.built(name, function, args)

    def built(self, name: _Token, function: _Function, args: list[_Node]) -> _Node:
        if function.name == "bit":
            return self.bit(name, *args)
        if function.name == "if":
            return self.branch(name, *args)
        what = f"{function.name}()"
        return _Call(name.column, function, tuple(self.want(a, Kind.NUMBER, what) for a in args))

    def bit(self, name: _Token, word: _Node, n: _Node) -> _Bit:
        if not (isinstance(n, _Number) and n.value.is_integer() and 0 <= n.value <= 63):
            bit_number = "the bit number as a whole number 0..63, e.g. bit(status_word, 3)"
            raise ConditionError(n.column, f"bit(word, n) takes {bit_number}")
        return _Bit(name.column, self.want(word, Kind.NUMBER, "bit()"), int(n.value))

    def branch(self, name: _Token, condition: _Node, then: _Node, otherwise: _Node) -> _If:
        mismatch = "if() cannot give a {} when true and a {} when false; make both one kind"
        kind = self.same_kind(then, otherwise, otherwise.column, mismatch)
        return _If(
            name.column,
            self.want(condition, Kind.BOOL, "if()'s condition"),
            self.want(then, kind, "if()"),
            self.want(otherwise, kind, "if()"),
            kind,
        )

    def same_kind(self, a: _Node, b: _Node, column: int, mismatch: str) -> Kind:
        """The kind both must have: the one known, or a number when neither is known;
        ``mismatch`` (formatted with both kinds) when they differ."""
        if a.kind is not None and b.kind is not None and a.kind is not b.kind:
            raise ConditionError(column, mismatch.format(a.kind, b.kind))
        return a.kind or b.kind or Kind.NUMBER

    def want(self, node: _Node, kind: Kind, what: str) -> _Node:
        """``node`` as a ``kind``: a name not yet typed becomes one, anything else must be one."""
        if isinstance(node, _Name) and node.kind is None:
            return self.resolve(node, kind)
        if node.kind is kind:
            return node
        source = _source(node)
        fix = f"compare it: {source} != 0" if kind is Kind.BOOL else f"if({source}, 1, 0) is 1 or 0"
        wrong = f"{what} needs a {kind}, but {self.describe(node)} is a {node.kind}"
        raise ConditionError(node.column, f"{wrong}{self.since(node)}; {fix}")

    def describe(self, node: _Node) -> str:
        if isinstance(node, _Name):
            return repr(node.name)
        return _source(node) if isinstance(node, _Bool | _Number) else "the value here"

    def since(self, node: _Node) -> str:
        """Where a name got its kind, if not here."""
        if not isinstance(node, _Name) or self.kinds[node.name][1] == node.column:
            return ""
        if self.points is not None:
            return " (so the points declare it)"
        return f" (as used at column {self.kinds[node.name][1]})"

    def resolve(self, node: _Name, kind: Kind) -> _Name:
        earlier, column = self.kinds.setdefault(node.name, (kind, node.column))
        if earlier is not kind:
            used = f"{node.name!r} is used as a {earlier} at column {column} and as a {kind} here"
            raise ConditionError(node.column, f"{used}; a point has one kind")
        return replace(node, kind=kind)

    def expected(self, what: str, fix: str = "") -> ConditionError:
        token = self.token
        found = "the end" if token.kind == "end" else repr(token.text)
        return ConditionError(token.column, f"expected {what}, found {found}{fix}")

    def unknown_function(self, name: _Token) -> ConditionError:
        close = close_matches(name.text, _FUNCTIONS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(sorted(_FUNCTIONS))
        return ConditionError(name.column, f"unknown function {name.text!r} (known: {known}{hint})")


def _source(node: _Node) -> str:
    """A short text for ``node`` in a hint."""
    if isinstance(node, _Name):
        return node.name
    if isinstance(node, _Bool):
        return "true" if node.value else "false"
    if isinstance(node, _Number):
        return _text(node.value)
    return "(...)"


# --- problems as data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpressionProblem:
    """Why a text is no expression, as data: for a loader that adds file and line."""

    text: str
    """The expression as written."""
    column: int
    """1-based, in ``text``."""
    message: str
    """What was expected there and how to fix it."""

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"

    def located(self, file: str, line: int, first_column: int = 1) -> str:
        """``file:line:column: message``; ``first_column`` is where ``text`` starts in the line."""
        return f"{file}:{line}:{first_column + self.column - 1}: {self.message}"

    def pointer(self) -> str:
        """The text, and a ``^`` under the column on the next line."""
        return f"{self.text}\n{' ' * (self.column - 1)}^"


def check(text: str, points: Mapping[str, Kind] | None = None) -> Expression | ExpressionProblem:
    """:func:`parse`, with a problem returned rather than raised."""
    try:
        return parse(text, points)
    except ConditionError as error:
        message = str(error).removeprefix(f"column {error.column}: ")
        return ExpressionProblem(text, error.column, message)


# --- quality ------------------------------------------------------------------------------------

_SEVERITY = {Quality.GOOD: 0, Quality.STALE: 1, Quality.BAD: 2, Quality.MISSING: 3}
"""How far each input quality is from a value the derived signal can stand on, least first."""


@dataclass(frozen=True, slots=True)
class DerivedQuality:
    quality: Quality
    reason: str
    """Which inputs are not good, and how; empty when good."""


def derived_quality(inputs: Mapping[str, Quality]) -> DerivedQuality:
    """The quality of a derived signal: the worst of its inputs' qualities.

    GOOD < STALE < BAD < MISSING: a stale input is an old value that was good; a bad input was
    read this scan and means nothing (only its last good value is left); a missing input has
    never been read at all. The result is never MISSING but BAD, because the derived signal is
    mapped: downstream MISSING means "not mapped by the profile" and leaves an optional signal's
    interlock unchecked, whereas BAD blocks (fail safe). No inputs (a constant) is GOOD. The
    caller also marks the signal BAD when :meth:`Expression.evaluate` gives :class:`Undefined`.
    """
    worst = max(inputs.values(), key=_SEVERITY.__getitem__, default=Quality.GOOD)
    reason = "; ".join(
        f"input {name} is {'never read' if q is Quality.MISSING else q}"
        for name, q in inputs.items()
        if q is not Quality.GOOD
    )
    return DerivedQuality(Quality.BAD if worst is Quality.MISSING else worst, reason)
