"""The rules for ``[points]`` names and derived signals, each finding with its key path and fix.

A derived signal must be a status signal, set nothing but ``derived``, parse (every name a point
or a status signal this profile maps), give the kind its signal has (a bool for a bool signal, a
number for a number) and not read itself through other derived signals. A problem inside an
expression names its column in the file when the loader can tell where the text starts
(:data:`ExpressionStart`), else its column in the expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from crane_ctrl.config.file import Finding
from crane_ctrl.profile.derived import POINT_NAME, expression_kind, input_kinds, reading_order
from crane_ctrl.profile.expression import Expression, ExpressionProblem, check
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.model import Profile, SignalMapping, derived_text
from crane_ctrl.signals import SIGNALS, SignalSpec

__all__ = [
    "ExpressionStart",
    "check_derived",
    "check_points",
    "declare_hint",
    "expression_column",
    "known_names",
    "unmapped_inputs",
]

Path = tuple[str, ...]
ExpressionStart = Callable[[Path], int | None]
"""The 1-based column in the file where the expression at a key path starts, if it is known."""

_WORDS = frozenset({"and", "or", "not", "true", "false"})
_POINT_NAMES = (
    "letters, digits and _ (first a letter or _), in parts joined by '.', e.g. sway_angle_deg "
    "or rope.length_m; not and, or, not, true or false"
)


def check_points(profile: Profile) -> Iterator[Finding]:
    """Point names an expression can read, and that are no canonical signal."""
    for name in profile.points:
        path = ("points", name)
        if name in SIGNALS:
            yield Finding(
                path,
                f"{name} is a canonical signal; map it under [signals] and read it by that name, "
                "or give the point a name of its own",
            )
        elif not POINT_NAME.match(name) or name in _WORDS:
            yield Finding(path, f"a point name is what expressions read: {_POINT_NAMES}")


def check_derived(profile: Profile, start: ExpressionStart | None = None) -> Iterator[Finding]:
    """Every rule of every derived signal of ``profile``, then circles between them."""
    mapped = input_kinds(profile)
    known = known_names(mapped)
    reads: dict[str, frozenset[str]] = {}
    for name, m in profile.signals.items():
        text = derived_text(m)
        spec = SIGNALS.get(name)
        if text is None or spec is None:
            continue
        parsed = check(text, known)
        found = list(_check_one(spec, m, parsed, mapped, start))
        yield from found
        if not found and isinstance(parsed, Expression):
            reads[name] = parsed.names
    yield from _circles(reads)


def known_names(mapped: Mapping[str, ExpressionKind]) -> dict[str, ExpressionKind]:
    """What an expression may name: the points and mapped status signals (``mapped``), and every
    other canonical signal too, so that reading one is told apart from a misspelt point."""
    return {**mapped, **{n: expression_kind(s.kind) for n, s in SIGNALS.items() if n not in mapped}}


def _check_one(
    spec: SignalSpec,
    m: SignalMapping,
    parsed: Expression | ExpressionProblem,
    mapped: Mapping[str, ExpressionKind],
    start: ExpressionStart | None,
) -> Iterator[Finding]:
    path = ("signals", spec.name, "derived")
    if spec.is_command:
        yield Finding(
            path,
            "only status signals can be derived; a command is written to the PLC, so map it to "
            "a place (table and address, or node)",
            spec.name,
        )
        return
    for key in sorted(m.model_fields_set - {"derived"}, key=list(type(m).model_fields).index):
        yield Finding(
            ("signals", spec.name, key),
            f"a derived signal is computed, it has no place: remove `{key}` (or remove "
            "`derived` to read the signal from a place)",
            spec.name,
        )
    if isinstance(parsed, ExpressionProblem):
        where = expression_column(start, path, parsed.column)
        yield Finding(path, f"{where}: {parsed.message}{declare_hint(parsed)}", spec.name)
        return
    yield from unmapped_inputs(parsed, mapped, start, path, spec.name)
    if parsed.kind is not expression_kind(spec.kind):
        where = expression_column(start, path, 1)
        yield Finding(path, f"{where}: {_kind_mismatch(spec, parsed)}", spec.name)


def unmapped_inputs(
    parsed: Expression,
    mapped: Mapping[str, ExpressionKind],
    start: ExpressionStart | None,
    path: Path,
    signal: str | None = None,
) -> Iterator[Finding]:
    """Canonical names the expression at ``path`` reads that this profile cannot give it."""
    for name in parsed.inputs:
        if name in mapped:
            continue
        where = expression_column(start, path, _first_use(parsed.text, name))
        if SIGNALS[name].is_command:
            why = f"{name!r} is a command; expressions read points and status signals"
        else:
            why = (
                f"{name!r} is not mapped by this profile; map it under [signals], or declare "
                "the raw value under [points] and read that"
            )
        yield Finding(path, f"{where}: {why}", signal)


def _first_use(text: str, name: str) -> int:
    found = re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", text)
    return found.start() + 1 if found else 1


def expression_column(start: ExpressionStart | None, path: Path, column: int) -> str:
    """``column 42`` (in the file) for ``column`` of the expression at ``path``, when the file
    tells where it starts; else ``column 7 of the expression``."""
    first = start(path) if start is not None else None
    return f"column {column} of the expression" if first is None else f"column {first + column - 1}"


def declare_hint(problem: ExpressionProblem) -> str:
    """How to fix an unknown name: declare a point, or map the signal."""
    if problem.message.startswith("unknown point"):
        return " (declare it under [points], or use a status signal this profile maps)"
    return ""


def _kind_mismatch(spec: SignalSpec, parsed: Expression) -> str:
    unit = f" in {spec.unit}" if spec.unit else ""
    wrong = f"{spec.name} is a {spec.kind.value}{unit}, but the expression gives a {parsed.kind}"
    if parsed.kind is ExpressionKind.BOOL:
        return f"{wrong}; for a number write if({parsed.text}, 1, 0), or compute the number"
    return f"{wrong}; for a bool compare it, e.g. ({parsed.text}) != 0"


def _circles(reads: Mapping[str, frozenset[str]]) -> Iterator[Finding]:
    _, cycles = reading_order(reads)
    seen: set[frozenset[str]] = set()
    for cycle in cycles:
        members = frozenset(cycle)
        if members in seen:
            continue
        seen.add(members)
        first = cycle[0]
        yield Finding(
            ("signals", first, "derived"),
            f"derived signals read each other in a circle ({' -> '.join(cycle)}); compute one "
            "of them from points and mapped signals only",
            first,
        )
