"""The condition language of rig scenarios: a small parser that never calls ``eval``.

::

    condition  := all ("or" all)*
    all        := term ("and" term)*
    term       := "not" term | "(" condition ")" | comparison | NAME
    comparison := operand OP operand            OP: == != < <= > >=
    operand    := NAME | NUMBER | STRING | true | false

A NAME alone must be a yes/no name (``load.locked``). Strings take double or single quotes
(``step == 'lower'``). Names and their types come from a :data:`Vocabulary`; every comparison is
type-checked when the text is parsed, and a text compared with a name that has a fixed set of
values (``step``, ``job.J1``) must be one of them. A name whose value is unknown at a scan (a
signal whose quality is not good) makes every comparison with it false, and a bare yes/no name
false. :class:`ConditionError` gives the 1-based column and what was expected there.

Pure: parsing builds a tree of frozen nodes; evaluating reads values through a lookup function.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from crane_ctrl.config.messages import close_matches
from crane_ctrl.errors import ConditionError

__all__ = [
    "Condition",
    "ConditionError",
    "Kind",
    "Lookup",
    "NameSpec",
    "Scalar",
    "Vocabulary",
    "parse",
]

Scalar = bool | int | float | str
Lookup = Callable[[str], Scalar | None]
"""A name's value at one scan; ``None`` when it is not known (bad quality, not observed)."""


class Kind(StrEnum):
    YESNO = "yes/no"
    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class NameSpec:
    """What a name means to the parser: its kind and, for texts, the values it can take."""

    kind: Kind
    values: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The names a condition may use: exact ones, and prefixes whose rest is checked apart
    (``trip.`` + an interlock id)."""

    names: Mapping[str, NameSpec]
    prefixes: Mapping[str, tuple[NameSpec, frozenset[str]]] = field(default_factory=dict)

    def spec(self, name: str) -> NameSpec | None:
        if name in self.names:
            return self.names[name]
        for prefix, (spec, rests) in self.prefixes.items():
            if name.startswith(prefix) and name[len(prefix) :] in rests:
                return spec
        return None

    def suggest(self, name: str) -> str | None:
        known = [*self.names, *(p + r for p, (_, rests) in self.prefixes.items() for r in rests)]
        close = close_matches(name, known, n=1)
        return close[0] if close else None


# --- the tree -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ref:
    name: str

    def value(self, lookup: Lookup) -> Scalar | None:
        return lookup(self.name)


@dataclass(frozen=True, slots=True)
class _Literal:
    constant: Scalar

    def value(self, lookup: Lookup) -> Scalar | None:
        return self.constant


_Operand = _Ref | _Literal
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True, slots=True)
class _Compare:
    left: _Operand
    op: str
    right: _Operand

    def holds(self, lookup: Lookup) -> bool:
        a, b = self.left.value(lookup), self.right.value(lookup)
        if a is None or b is None:
            return False
        if self.op == "==":
            return a == b
        if self.op == "!=":
            return a != b
        return bool(_ORDERING[self.op](a, b))


@dataclass(frozen=True, slots=True)
class _YesNo:
    name: str

    def holds(self, lookup: Lookup) -> bool:
        return lookup(self.name) is True


@dataclass(frozen=True, slots=True)
class _Not:
    term: _Node

    def holds(self, lookup: Lookup) -> bool:
        return not self.term.holds(lookup)


@dataclass(frozen=True, slots=True)
class _All:
    terms: tuple[_Node, ...]

    def holds(self, lookup: Lookup) -> bool:
        return all(t.holds(lookup) for t in self.terms)


@dataclass(frozen=True, slots=True)
class _Any:
    terms: tuple[_Node, ...]

    def holds(self, lookup: Lookup) -> bool:
        return any(t.holds(lookup) for t in self.terms)


_Node = _Compare | _YesNo | _Not | _All | _Any


@dataclass(frozen=True, slots=True)
class Condition:
    """A parsed condition: ``holds(lookup)`` at one scan; ``text`` as written."""

    text: str
    root: _Node

    def holds(self, lookup: Lookup) -> bool:
        return self.root.holds(lookup)

    def names(self) -> tuple[str, ...]:
        """The names it reads, in order of first use (to show their values)."""
        return tuple(dict.fromkeys(_names(self.root)))

    def __str__(self) -> str:
        return self.text


def _names(node: _Node) -> list[str]:
    if isinstance(node, _YesNo):
        return [node.name]
    if isinstance(node, _Compare):
        return [o.name for o in (node.left, node.right) if isinstance(o, _Ref)]
    if isinstance(node, _Not):
        return _names(node.term)
    return [name for term in node.terms for name in _names(term)]


# --- tokens -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<string>"[^"]*"|'[^']*')
      | (?P<op>==|!=|<=|>=|<|>)
      | (?P<paren>[()])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)""",
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
_OPS = "== != < <= > >="


class _Token(NamedTuple):
    kind: str
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
        out.append(_Token(found.lastgroup, found.group(), at + 1))
        at = found.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


def _bad_character(text: str, at: int) -> str:
    char = text[at]
    if char in "\"'":
        return f"unterminated string: close it with {char}"
    if char == "=":
        return "'=' alone is not an operator; compare with =="
    if char in "&|!":
        return f"{char!r} is not an operator here; use and, or, not"
    return f"unexpected character {char!r}"


# --- the parser ---------------------------------------------------------------------------------


def parse(text: str, vocabulary: Vocabulary) -> Condition:
    """Parse ``text``; :class:`ConditionError` says where and what was expected."""
    if not text.strip():
        raise ConditionError(1, "empty condition; write e.g. hoist.position > 5 and load.locked")
    return Condition(text, _Parser(_tokens(text), vocabulary).whole())


class _Parser:
    def __init__(self, tokens: list[_Token], vocabulary: Vocabulary) -> None:
        self.tokens = tokens
        self.at = 0
        self.vocabulary = vocabulary

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def is_word(self, word: str) -> bool:
        return self.token.kind == "word" and self.token.text == word

    def whole(self) -> _Node:
        node = self.condition()
        if self.token.kind != "end":
            raise self.expected("'and', 'or' or the end")
        return node

    def condition(self) -> _Node:
        return self.joined("or", self.all, _Any)

    def all(self) -> _Node:
        return self.joined("and", self.term, _All)

    def joined(
        self, word: str, part: Callable[[], _Node], node: Callable[[tuple[_Node, ...]], _Node]
    ) -> _Node:
        """``part (word part)*``: one part alone, or ``node`` of them all."""
        terms = [part()]
        while self.is_word(word):
            self.take()
            terms.append(part())
        return terms[0] if len(terms) == 1 else node(tuple(terms))

    def term(self) -> _Node:
        if self.is_word("not"):
            self.take()
            return _Not(self.term())
        if self.token.kind == "paren" and self.token.text == "(":
            self.take()
            node = self.condition()
            if self.token.text != ")":
                raise self.expected("')'")
            self.take()
            return node
        if self.token.kind == "end" or self.token.text == ")":
            raise self.expected("a name, 'not' or '('")
        left, left_spec = self.operand()
        if self.token.kind != "op":
            return self.yes_no(left, left_spec)
        op = self.take()
        right, right_spec = self.operand()
        return _checked(_Compare(left, op.text, right), op, left_spec, right_spec)

    def operand(self) -> tuple[_Operand, NameSpec]:
        token = self.take()
        if token.kind == "number":
            return _Literal(float(token.text)), NameSpec(Kind.NUMBER)
        if token.kind == "string":
            return _Literal(token.text[1:-1]), NameSpec(Kind.TEXT)
        if token.kind == "word" and token.text in ("true", "false"):
            return _Literal(token.text == "true"), NameSpec(Kind.YESNO)
        if token.kind == "word" and token.text not in _KEYWORDS:
            return _Ref(token.text), self.name_spec(token)
        self.at -= 1
        raise self.expected("a name, a number, a 'text', true or false")

    def name_spec(self, token: _Token) -> NameSpec:
        spec = self.vocabulary.spec(token.text)
        if spec is not None:
            return spec
        close = self.vocabulary.suggest(token.text)
        hint = f"; did you mean {close!r}?" if close else ""
        raise ConditionError(token.column, f"unknown name {token.text!r}{hint}")

    def yes_no(self, operand: _Operand, spec: NameSpec) -> _Node:
        if isinstance(operand, _Ref) and spec.kind is Kind.YESNO:
            return _YesNo(operand.name)
        at = self.tokens[self.at - 1]
        if isinstance(operand, _Ref):
            raise ConditionError(
                at.column,
                f"{operand.name!r} is a {spec.kind}, not yes/no: compare it "
                f"({_OPS}), e.g. {operand.name} {_example(spec)}",
            )
        raise ConditionError(at.column, f"a value alone is no condition; compare it ({_OPS})")

    def expected(self, what: str) -> ConditionError:
        token = self.token
        found = "the end" if token.kind == "end" else repr(token.text)
        return ConditionError(token.column, f"expected {what}, found {found}")


def _checked(node: _Compare, op: _Token, left: NameSpec, right: NameSpec) -> _Compare:
    if isinstance(node.left, _Literal) and isinstance(node.right, _Literal):
        raise ConditionError(op.column, "compare a name with a value, not two values")
    if left.kind is not right.kind:
        raise ConditionError(op.column, f"cannot compare a {left.kind} with a {right.kind}")
    if op.text in _ORDERING and left.kind is not Kind.NUMBER:
        raise ConditionError(op.column, f"{op.text} compares numbers; a {left.kind} takes == or !=")
    for literal, spec in ((node.right, left), (node.left, right)):
        values = spec.values
        if isinstance(literal, _Literal) and values is not None and literal.constant not in values:
            allowed = ", ".join(repr(v) for v in sorted(values))
            raise ConditionError(
                op.column, f"{literal.constant!r} is not a value it takes ({allowed})"
            )
    return node


def _example(spec: NameSpec) -> str:
    if spec.kind is Kind.NUMBER:
        return "> 5"
    if spec.values:
        return f"== {sorted(spec.values)[0]!r}"
    return "== 'text'"
