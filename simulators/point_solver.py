"""The points behind derived signals, worked back from what each signal must read.

The simulated PLC program knows canonical values (``spreader.locked_1`` false,
``spreader.unlocked_1`` true), a profile may read them through points and expressions
(``twl_1 == 2``, ``twl_1 == 1``). :class:`PointSolver` finds point values that make every derived
signal read what the PLC program holds:

* A length times the sine of an angle, ``rope_length_m * sin(radians(sway_angle_deg))`` (degrees
  or radians, the length in any unit the expression scales): the length point serves the rope
  length the plant has (sheaves less ``hoist.position``); the angle is then the one unknown.
* All signals that read a point are solved **together**, and points read together by one signal
  (``a and b``) with them. Each point's candidates: what each signal alone needs (the secant
  method for a number, the first fitting candidate for a bool), those bits or'ed together (bits
  of one status word), then 0 and 1 (false and true), the codes its ``texts`` or value map names,
  the numbers the expressions write and their neighbours (``x > 5``: 6), and each single bit.
  The first combination every signal reads right is served.
* When none is, the combination most signals read right is served, and :class:`Conflict` says
  which signals then read what (the server logs it once as a warning): a status these
  expressions cannot show (locked and unlocked at once through one enumeration) is never served
  silently wrong. A single signal whose points cannot be worked back is ``failed``: its points
  serve 0.

A number signal counts as read right when it is within one count of an integer point it reads
(a sway angle in 0.01 degree cannot serve every sway).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from crane_ctrl.profile.derived import DerivedSignal
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.expression import Undefined
from crane_ctrl.signals import Kind as SignalKind
from crane_ctrl.signals import SignalSpec, Value

__all__ = ["Conflict", "PointSolver", "Solution"]

Number = bool | int | float
_PROBES = ((7.0, 3.0), (13.0, 11.0), (21.0, -5.0))
"""(length, angle) pairs on which an expression of two points is tried, to tell a length times
the sine of an angle (and the factor between the length point's unit and the result's)."""
_SINES: tuple[Callable[[float], float], ...] = (lambda a: math.sin(math.radians(a)), math.sin)
"""The sine of an angle in degrees, and in radians."""
_CLOSE = 1e-9
"""Relative tolerance: what counts as the same value when an answer is checked."""
_SECANT_STEPS = 60
_STARTS = ((0.0, 1.0), (1.0, 2.0))
_WORDS = tuple(1 << bit for bit in range(32))
"""Single bits, tried for an integer point (a status word a bool signal reads a bit of)."""
REMEMBERED = 256
"""The most group outcomes kept (then forgotten all at once): a crane's bool states repeat."""
MOST_TRIES = 4096
"""The most combinations of candidate values tried for the points read together (two points of
about 60 candidates each fit; three rarely need more than the first few)."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """Signals reading the same points that no candidate values make all read what they must."""

    wanted: Mapping[str, Value]
    """Each signal of the group, with the value the PLC program holds for it."""
    served: Mapping[str, Value]
    """The points' values served: those most of the signals read right with."""
    misread: Mapping[str, Value | None]
    """Each signal that reads otherwise, with what it reads (``None``: no value)."""
    tried: int

    def __str__(self) -> str:
        points = " and ".join(self.served)
        wanted = " and ".join(f"{s} read {_text(v)}" for s, v in self.wanted.items())
        served = ", ".join(f"{p} = {_text(v)}" for p, v in self.served.items())
        misread = " and ".join(f"{s} reads {_text(v)}" for s, v in self.misread.items())
        tries = "values" if len(self.served) == 1 else "combinations"
        return (
            f"no value of {points} makes {wanted} at once (tried {self.tried} {tries}); serving "
            f"{served}, so {misread}: a status these derived signals cannot show"
        )


def _text(value: Value | None) -> str:
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(slots=True)
class Solution:
    """What :meth:`PointSolver.solve` found."""

    values: dict[str, Value]
    """The points' values (the known ones as given); a point left out serves 0."""
    failed: list[str] = field(default_factory=list)
    """Derived signals whose points could not be worked back (left out)."""
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Group:
    """Points read together and the signals that read them."""

    points: list[str]
    signals: list[DerivedSignal]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What was found for one group."""

    values: dict[str, Value]
    failed: list[str] = field(default_factory=list)
    conflict: Conflict | None = None

    def apply(self, solution: Solution) -> None:
        solution.values.update(self.values)
        solution.failed += self.failed
        if self.conflict is not None:
            solution.conflicts.append(self.conflict)


class PointSolver:
    """The point values that make each derived signal read what the PLC program holds (see the
    module docstring).

    ``codes``: per point, the values it names (the keys of its ``texts``, the meanings of its
    value map), tried before other numbers.
    """

    def __init__(
        self,
        derived: Sequence[DerivedSignal],
        points: Mapping[str, SignalSpec],
        *,
        suspension_height_m: float,
        codes: Mapping[str, Iterable[Value]] | None = None,
    ) -> None:
        self._derived = derived
        self._points = points
        self._suspension_m = suspension_height_m
        """Height of the rope sheaves: the rope length is this less ``hoist.position``."""
        self._shapes: dict[str, tuple[str, float] | None] = {}
        """Per derived signal: its length point and the factor to metres, or ``None``."""
        self._base = {name: self._base_values(name, (codes or {}).get(name, ())) for name in points}
        """Per point: the values tried after what the signals alone need."""
        self._grouped: dict[tuple[object, ...], list[_Group]] = {}
        """The groups, by the signals wanted and the points known."""
        self._remembered: dict[tuple[object, ...], _Outcome] = {}
        """What groups of signals were found to need, by their points, values and inputs."""

    def solve(
        self, status: Mapping[str, Value], known: Mapping[str, Value] | None = None
    ) -> Solution:
        """The points' values for ``status`` (with the ``known`` ones as they are)."""
        solution = Solution(dict(known or {}))
        wanted = self._wanted(status, solution)
        self._lengths(wanted, status, solution.values)
        for group in self._groups(wanted, solution.values):
            inputs = {d.name: self._known(d, status, solution.values) for d in group.signals}
            self._outcome(group, wanted, inputs).apply(solution)
        return solution

    def rope_m(self, status: Mapping[str, Value]) -> float:
        """The rope length the plant has: sheaves to twistlock plane, m."""
        rope = self._suspension_m - float(status.get("hoist.position", 0.0))
        return rope if math.isfinite(rope) and rope > 0.0 else self._suspension_m

    # --- which signals, which points ------------------------------------------------------------

    def _wanted(self, status: Mapping[str, Value], solution: Solution) -> dict[str, Value]:
        """Each derived signal the PLC program gives, with its value; one that reads an input
        nobody gives is ``failed``."""
        wanted: dict[str, Value] = {}
        for d in self._derived:
            target = status.get(d.name)
            if target is None:
                continue  # the PLC program does not give it: its points serve 0
            inputs = d.expression.inputs
            if all(n in solution.values or n in self._points or n in status for n in inputs):
                wanted[d.name] = target
            else:
                solution.failed.append(d.name)
        return wanted

    def _unknown(self, d: DerivedSignal, assigned: Mapping[str, Value]) -> list[str]:
        return [n for n in d.expression.inputs if n in self._points and n not in assigned]

    def _lengths(
        self, wanted: Mapping[str, Value], status: Mapping[str, Value], assigned: dict[str, Value]
    ) -> None:
        """The rope length point of each length-times-sine signal: the plant's rope length."""
        for d in self._signals(wanted):
            unknown = self._unknown(d, assigned)
            if len(unknown) == 2 and (shape := self._shape(d, status, assigned, unknown)):
                length, per_metre = shape
                assigned[length] = self._quantized(length, self.rope_m(status) / per_metre)

    def _signals(self, wanted: Mapping[str, Value]) -> Iterator[DerivedSignal]:
        return (d for d in self._derived if d.name in wanted)

    def _groups(self, wanted: Mapping[str, Value], assigned: Mapping[str, Value]) -> list[_Group]:
        """The points still unknown, in groups read together, each with the signals reading it
        (the same scan after scan: kept by which signals are wanted and which points known)."""
        key = (tuple(wanted), tuple(assigned))
        groups = self._grouped.get(key)
        if groups is None:
            if len(self._grouped) >= REMEMBERED:
                self._grouped.clear()
            groups = self._grouped[key] = self._group(wanted, assigned)
        return groups

    def _group(self, wanted: Mapping[str, Value], assigned: Mapping[str, Value]) -> list[_Group]:
        groups: list[_Group] = []
        owner: dict[str, _Group] = {}
        for d in self._signals(wanted):
            unknown = self._unknown(d, assigned)
            if not unknown:
                continue
            joined = list({id(owner[p]): owner[p] for p in unknown if p in owner}.values())
            group = joined[0] if joined else _Group([], [])
            if not joined:
                groups.append(group)
            for other in joined[1:]:
                group.points += other.points
                group.signals += other.signals
                groups.remove(other)
            group.points += [p for p in unknown if p not in group.points]
            group.signals.append(d)
            owner.update(dict.fromkeys(group.points, group))
        return groups

    # --- solving a group ------------------------------------------------------------------------

    def _outcome(
        self,
        group: _Group,
        wanted: Mapping[str, Value],
        known: Mapping[str, Mapping[str, Number]],
    ) -> _Outcome:
        """The group's point values: at once for one signal of one point, else searched (and
        remembered: the same status is served scan after scan)."""
        if len(group.points) == 1 and len(group.signals) == 1:
            [name], [d] = group.points, group.signals
            found = self._one(d, known[d.name], name, wanted[d.name])
            return _Outcome({}, [d.name]) if found is None else _Outcome({name: found})
        key = (
            tuple(group.points),
            tuple((d.name, wanted[d.name], tuple(known[d.name].items())) for d in group.signals),
        )
        outcome = self._remembered.get(key)
        if outcome is None:
            if len(self._remembered) >= REMEMBERED:
                self._remembered.clear()
            outcome = self._remembered[key] = self._search(group, wanted, known)
        return outcome

    def _search(
        self,
        group: _Group,
        wanted: Mapping[str, Value],
        known: Mapping[str, Mapping[str, Number]],
    ) -> _Outcome:
        """The first combination of candidates every signal reads right with; else the one
        most do, as a :class:`Conflict` (one signal alone: ``failed``)."""
        candidates = [list(self._candidates(p, group, wanted, known)) for p in group.points]
        best: tuple[int, tuple[Value, ...]] | None = None
        tried = 0
        for combination in itertools.islice(itertools.product(*candidates), MOST_TRIES):
            tried += 1
            trial = dict(zip(group.points, combination, strict=True))
            right = sum(self._reads(d, known[d.name], trial, wanted[d.name]) for d in group.signals)
            if right == len(group.signals):
                return _Outcome(trial)
            if best is None or right > best[0]:
                best = (right, combination)
        if best is None or len(group.signals) == 1:
            return _Outcome({}, [d.name for d in group.signals])
        served = dict(zip(group.points, best[1], strict=True))
        return _Outcome(served, conflict=self._conflict(group, wanted, known, served, tried))

    def _conflict(
        self,
        group: _Group,
        wanted: Mapping[str, Value],
        known: Mapping[str, Mapping[str, Number]],
        served: dict[str, Value],
        tried: int,
    ) -> Conflict:
        misread: dict[str, Value | None] = {}
        for d in group.signals:
            if not self._reads(d, known[d.name], served, wanted[d.name]):
                outcome = _evaluate(d, {**known[d.name], **_inputs(d, served)})
                misread[d.name] = None if outcome is None else d.value(outcome)
        signals = {d.name: wanted[d.name] for d in group.signals}
        return Conflict(signals, served, misread, tried)

    def _known(
        self, d: DerivedSignal, status: Mapping[str, Value], assigned: Mapping[str, Value]
    ) -> dict[str, Number]:
        """The inputs of ``d`` that are not unknown points: assigned points, then status."""
        known: dict[str, Number] = {}
        for name, kind in d.expression.inputs.items():
            if name in assigned:
                known[name] = _as_kind(assigned[name], kind)
            elif name not in self._points and name in status:
                known[name] = _as_kind(status[name], kind)
        return known

    def _reads(
        self,
        d: DerivedSignal,
        known: Mapping[str, Number],
        trial: Mapping[str, Value],
        target: Value,
    ) -> bool:
        """Whether ``d`` reads ``target`` with the points of ``trial`` (a number within a count
        of an integer point it reads)."""
        values = {**known, **_inputs(d, trial)}
        if _matches(_evaluate(d, values), target):
            return True
        if isinstance(target, bool):
            return False
        return any(
            _between(d, values, name, float(target))
            for name in _inputs(d, trial)
            if self._points[name].kind is SignalKind.INT
        )

    # --- candidates -----------------------------------------------------------------------------

    def _candidates(
        self,
        name: str,
        group: _Group,
        wanted: Mapping[str, Value],
        known: Mapping[str, Mapping[str, Number]],
    ) -> Iterator[Value]:
        """The values tried for point ``name``, in order, each once."""
        alone: list[Value] = []
        for d in group.signals:
            if self._unknown(d, known[d.name]) == [name]:
                found = self._one(d, known[d.name], name, wanted[d.name])
                if found is not None:
                    alone.append(found)
        ints = [v for v in alone if isinstance(v, int) and not isinstance(v, bool)]
        merged: list[Value] = [_or(ints)] if len(set(ints)) > 1 else []
        return _once(itertools.chain(merged, alone, self._base[name]))

    def _base_values(self, name: str, codes: Iterable[Value]) -> list[Value]:
        """What point ``name`` is tried with after what each signal alone needs."""
        kind = self._points[name].kind
        if kind is SignalKind.BOOL:
            return [False, True]
        numbers = [n for d in self._derived if name in d.expression.inputs
                   for n in d.expression.numbers]  # fmt: skip
        whole = kind is SignalKind.INT
        near = [v for n in numbers for v in _near(n, whole=whole)]
        return list(_once([0, 1, *codes, *near, *(_WORDS if whole else ())]))

    def _one(
        self, d: DerivedSignal, known: Mapping[str, Number], name: str, target: Value
    ) -> Value | None:
        """The value of point ``name`` that gives ``target`` alone, checked; ``None`` if none."""

        def f(x: Number) -> float | bool | None:
            return _evaluate(d, {**known, name: x})

        if isinstance(target, bool) or self._points[name].kind is SignalKind.BOOL:
            return next((x for x in self._base[name] if _matches(f(_number(x)), target)), None)
        x = _secant(f, float(target))
        if x is None:
            return None
        value = self._quantized(name, x)
        exact = self._points[name].kind is SignalKind.INT or _matches(f(value), target)
        return value if exact else None

    def _quantized(self, name: str, x: float) -> Value:
        """``x`` as the point decodes: an integer point reads whole numbers."""
        return round(x) if self._points[name].kind is SignalKind.INT else x

    # --- a length times the sine of an angle ----------------------------------------------------

    def _shape(
        self,
        d: DerivedSignal,
        status: Mapping[str, Value],
        assigned: Mapping[str, Value],
        unknown: list[str],
    ) -> tuple[str, float] | None:
        """Which point is a length that the expression multiplies by the sine of the other, and
        by how much (``rope_mm / 1000 * ...``: 0.001); found once per signal."""
        if d.name not in self._shapes:
            known = self._known(d, status, assigned)
            self._shapes[d.name] = next(
                (
                    (length, factor)
                    for length, angle in (unknown, unknown[::-1])
                    for sine in _SINES
                    if (factor := _length_factor(d, known, length, angle, sine)) is not None
                ),
                None,
            )
        return self._shapes[d.name]


def _inputs(d: DerivedSignal, values: Mapping[str, Value]) -> dict[str, Number]:
    """The values of ``values`` that ``d`` reads, as the expression takes them."""
    inputs = d.expression.inputs
    return {name: _as_kind(v, inputs[name]) for name, v in values.items() if name in inputs}


def _between(d: DerivedSignal, values: Mapping[str, Number], name: str, target: float) -> bool:
    """Whether ``target`` lies between what ``d`` reads with integer point ``name`` a count
    below and a count above its value: the nearest the point can serve."""
    x = values[name]
    low = _evaluate(d, {**values, name: x - 1})
    high = _evaluate(d, {**values, name: x + 1})
    if not isinstance(low, float) or not isinstance(high, float):
        return False
    return min(low, high) <= target <= max(low, high)


def _near(number: float, *, whole: bool) -> list[Value]:
    """Values near a number an expression writes, and its negative: a comparison's edges."""
    if whole:
        return [v for n in (number, -number) for v in range(math.floor(n) - 1, math.ceil(n) + 2)]
    return [n + step for n in (number, -number) for step in (0.0, 1.0, -1.0, 0.5, -0.5)]


def _once(values: Iterable[Value]) -> Iterator[Value]:
    """``values`` in order, each once (``1``, ``1.0`` and ``True`` are not the same here)."""
    seen: set[tuple[type, Value]] = set()
    for value in values:
        if (type(value), value) not in seen:
            seen.add((type(value), value))
            yield value


def _or(words: Sequence[int]) -> int:
    merged = 0
    for word in words:
        merged |= word
    return merged


def _number(value: Value) -> Number:
    return value if isinstance(value, bool | int | float) else float(value)


def _length_factor(
    d: DerivedSignal,
    known: Mapping[str, Number],
    length: str,
    angle: str,
    sine: Callable[[float], float],
) -> float | None:
    """``k`` when ``d`` is ``k * length * sine(angle)`` on every probe, else ``None``."""
    ratios = []
    for n, a in _PROBES:
        outcome = _evaluate(d, {**known, length: n, angle: a})
        if not isinstance(outcome, float):
            return None
        ratios.append(outcome / (n * sine(a)))
    same = ratios[0] != 0.0 and all(_close(r, ratios[0]) for r in ratios)
    return ratios[0] if same else None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _CLOSE * max(1.0, abs(a), abs(b))


def _as_kind(value: Value, kind: ExpressionKind) -> Number:
    if kind is ExpressionKind.BOOL:
        return bool(value)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else float(value)


def _evaluate(d: DerivedSignal, values: Mapping[str, Number]) -> float | bool | None:
    """The expression's value, or ``None`` where it has none (or a value has the wrong kind)."""
    try:
        outcome = d.expression.evaluate(values)
    except (KeyError, TypeError, OverflowError):
        return None
    return None if isinstance(outcome, Undefined) else outcome


def _matches(outcome: float | bool | None, target: Value) -> bool:
    if outcome is None or isinstance(outcome, bool) != isinstance(target, bool):
        return False
    return outcome == target if isinstance(target, bool) else _close(float(outcome), float(target))


def _secant(f: Callable[[float], float | bool | None], target: float) -> float | None:
    """An ``x`` with ``f(x)`` = ``target``, by the secant method from 0 and 1 (or from 1 and 2
    where ``f`` has no value at 0); ``None`` when it does not converge (no answer, or an
    expression that is flat or undefined there)."""
    if not math.isfinite(target):
        return None
    for x0, x1 in _STARTS:
        y0, y1 = f(x0), f(x1)
        for _ in range(_SECANT_STEPS):
            if not isinstance(y0, float) or not isinstance(y1, float):
                break
            if _close(y1, target):
                return x1
            if y1 == y0:
                return None
            x0, x1 = x1, x1 - (y1 - target) * (x1 - x0) / (y1 - y0)
            if not math.isfinite(x1):
                return None
            y0, y1 = y1, f(x1)
        else:
            return None
    return None
