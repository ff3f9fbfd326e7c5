"""Derived signals at work: the raw points they read, the order they are computed in, and
computing them from one scan's decoded values. Pure: both codecs use it after decoding.

A profile's ``[points]`` are raw PLC points that are no canonical signal; each decodes exactly as
a signal mapped to the same place would (:func:`point_spec` says as what: a bool, an integer or a
float). A derived signal (``"sway.trolley" = { derived = "..." }``) is computed from points and
from the status signals the profile maps, derived ones included, by an expression
(:mod:`crane_ctrl.profile.expression`)::

    decode status signals and points  ->  evaluate derived signals, each after those it reads

Quality: a derived signal is good only when every input it reads was decoded this scan; else it
is BAD with the reason of :func:`~crane_ctrl.profile.expression.derived_quality` and each input's
own problem. An expression that has no value for the inputs (division by zero, ``asin`` outside
-1..1, NaN) is BAD too, with the expression and why, exactly as an undecodable raw value is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from crane_ctrl.profile.expression import Expression, Undefined, derived_quality, parse
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.model import Profile, SignalMapping, derived_text
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.signals import SIGNALS, Direction, Kind, SignalSpec, Value
from crane_ctrl.snapshot import Quality

__all__ = [
    "POINT_NAME",
    "DerivedSignal",
    "derived_signals",
    "evaluate",
    "expression_kind",
    "input_kinds",
    "point_spec",
    "reading_order",
]

POINT_NAME = re.compile(r"^[A-Za-z_]\w*(?:\.\w+)*$", re.ASCII)
"""What an expression can read as one name: ``sway_angle_deg``, ``rope.length_m``."""


def point_spec(name: str, m: SignalMapping) -> SignalSpec:
    """How point ``name`` decodes: a bool from a coil, a discrete input, a single bit, a bool
    type or a map to bools; an integer from a whole integer read as it is (so ``bit()`` sees
    every bit); a float from everything else (floats, scaled integers, bit fields that are
    scaled)."""
    raw = RAW_TYPES[m.raw_type]
    codes = m.codes
    if codes is not None and codes:
        values = list(codes.values())
        if all(isinstance(v, bool) for v in values):
            kind = Kind.BOOL
        else:
            kind = Kind.INT if all(isinstance(v, int) for v in values) else Kind.FLOAT
    elif raw.is_bool or m.bit_width == 1:
        kind = Kind.BOOL
    elif raw.is_int and not m.scaled:
        kind = Kind.INT
    else:
        kind = Kind.FLOAT
    meaning = f"raw point {name} at {m.place()}"
    return SignalSpec(
        name, Direction.STATUS, kind, "", False, meaning, minimum=-math.inf, maximum=math.inf
    )


def expression_kind(kind: Kind) -> ExpressionKind:
    """What an expression sees of a value of ``kind``: a bool or a number."""
    return ExpressionKind.BOOL if kind is Kind.BOOL else ExpressionKind.NUMBER


def input_kinds(profile: Profile) -> dict[str, ExpressionKind]:
    """Every name an expression of ``profile`` may read, with its kind: its points, then the
    status signals it maps (derived ones included)."""
    kinds = {name: expression_kind(point_spec(name, m).kind) for name, m in profile.points.items()}
    for name in profile.signals:
        spec = SIGNALS.get(name)
        if spec is not None and not spec.is_command:
            kinds.setdefault(name, expression_kind(spec.kind))
    return kinds


@dataclass(frozen=True, slots=True)
class DerivedSignal:
    """One derived status signal, parsed."""

    name: str
    spec: SignalSpec
    expression: Expression

    def value(self, outcome: float | bool) -> Value:
        """The signal's engineering value for an expression's result (kinds checked at load)."""
        if self.spec.kind is Kind.BOOL:
            return bool(outcome)
        if self.spec.kind is Kind.INT:
            return round(outcome)
        return float(outcome)


def derived_signals(profile: Profile) -> list[DerivedSignal]:
    """The derived signals of ``profile`` (one the loader accepted), each after the derived
    signals it reads. :class:`~crane_ctrl.errors.ConditionError` or ``ValueError`` if the profile
    was not checked (a bad expression, a cycle)."""
    kinds = input_kinds(profile)
    parsed = {
        name: DerivedSignal(name, SIGNALS[name], parse(text, kinds))
        for name, m in profile.signals.items()
        if (text := derived_text(m)) is not None
    }
    order, cycles = reading_order({n: d.expression.names for n, d in parsed.items()})
    if cycles:
        raise ValueError(f"derived signals read each other in a circle: {cycles[0]}")
    return [parsed[name] for name in order]


def reading_order(reads: Mapping[str, Collection[str]]) -> tuple[list[str], list[list[str]]]:
    """The names of ``reads`` (derived signal -> the names it reads) with every one after the
    others it reads, and every circle found (``[a, b, a]``: a reads b, b reads a)."""
    order: list[str] = []
    cycles: list[list[str]] = []
    state: dict[str, bool] = {}
    """False while a name's inputs are being visited, True once it is placed."""

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) is True:
            return
        if state.get(name) is False:
            cycles.append([*path[path.index(name) :], name])
            return
        state[name] = False
        for other in sorted(reads[name]):
            if other in reads:
                visit(other, [*path, name])
        state[name] = True
        order.append(name)

    for name in reads:
        visit(name, [])
    return order, cycles


def evaluate(
    derived: Sequence[DerivedSignal],
    *,
    values: dict[str, Value],
    problems: dict[str, str],
    points: Mapping[str, Value],
    point_problems: Mapping[str, str],
) -> None:
    """Compute ``derived`` (in reading order) into ``values``, or say why not in ``problems``.

    ``values`` and ``problems``: the status signals decoded this scan (derived ones are added);
    ``points`` and ``point_problems``: the points decoded this scan.
    """
    for d in derived:
        known = {**points, **values}
        why = {**point_problems, **problems}
        inputs = {name: _quality(name, known, why) for name in d.expression.inputs}
        quality = derived_quality(inputs)
        where = f'derived "{d.expression.text}"'
        if quality.quality is not Quality.GOOD:
            details = "; ".join(f"{n}: {why[n]}" for n in inputs if n in why)
            problems[d.name] = f"{where}: {quality.reason}" + (f" ({details})" if details else "")
            continue
        outcome = d.expression.evaluate({name: known[name] for name in inputs})
        if isinstance(outcome, Undefined):
            problems[d.name] = f"{where}: {outcome.reason}"
        else:
            values[d.name] = d.value(outcome)


def _quality(name: str, known: Mapping[str, Value], why: Mapping[str, str]) -> Quality:
    if name in known:
        return Quality.GOOD
    return Quality.BAD if name in why else Quality.MISSING
