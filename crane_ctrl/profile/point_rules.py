"""The rules for what a point says of itself (``unit``, ``text``, ``texts``, ``journal``,
``deadband``), each finding with its key path and the fix.

They follow from what the point decodes as (:func:`~crane_ctrl.profile.derived.point_spec`):

* ``texts`` name whole values, so a point that decodes as a number with a fraction has none; a
  bool's codes are 0 and 1; an integer's fit what it can read (the place's range, or the values
  of its ``map``);
* a bool has no unit (say in ``text`` what true means);
* when a change is journaled (:class:`JournalRule`): a bool or a code (a point with ``texts``)
  on every change unless ``journal = false``; a number only with a ``deadband``, so that a noisy
  analog point never floods the journal: ``journal = true`` alone asks for one.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from crane_ctrl.config.file import Finding
from crane_ctrl.profile.derived import point_spec
from crane_ctrl.profile.model import PointMapping, Profile
from crane_ctrl.profile.rawtypes import field_range
from crane_ctrl.signals import Kind

__all__ = ["JournalRule", "check_point_info", "journal_rule"]


class JournalRule(StrEnum):
    """When a point's changes go into the journal."""

    EVERY_CHANGE = "every change"
    """Bools and codes (points with ``texts``), unless ``journal = false``."""
    DEADBAND = "deadband"
    """Numbers with a ``deadband``: a move of more than it from the value last journaled."""
    NEVER = "never"
    """Numbers without a deadband, and any point with ``journal = false``."""


def journal_rule(name: str, m: PointMapping) -> JournalRule:
    """When the changes of point ``name`` are journaled (for a point the rules accepted)."""
    if m.journal is False:
        return JournalRule.NEVER
    if point_spec(name, m).kind is Kind.BOOL or m.texts is not None:
        return JournalRule.EVERY_CHANGE
    return JournalRule.NEVER if m.deadband is None else JournalRule.DEADBAND


def check_point_info(profile: Profile) -> Iterator[Finding]:
    """Every point's ``unit``, ``texts``, ``journal`` and ``deadband`` against its kind."""
    for name, m in profile.points.items():
        for keys, message in _point_rules(name, m):
            yield Finding(("points", name, *keys), message)


Keys = tuple[str, ...]


def _point_rules(name: str, m: PointMapping) -> Iterator[tuple[Keys, str]]:
    kind = point_spec(name, m).kind
    if kind is Kind.BOOL and m.unit:
        yield ("unit",), "a bool has no unit; remove `unit` and say in `text` what true means"
    if m.texts is not None:
        yield from _texts_rules(name, m, kind)
    is_code = m.texts is not None and kind is Kind.INT
    if m.deadband is not None:
        if kind is Kind.BOOL or is_code:
            what = "a bool" if kind is Kind.BOOL else "a code (it has texts)"
            yield ("deadband",), f"{name} is {what}, journaled on every change; remove `deadband`"
        elif m.journal is False:
            yield (
                ("deadband",),
                "`journal = false` says never and `deadband` says when: remove one of them",
            )
    elif m.journal is True and kind is not Kind.BOOL and not is_code:
        unit = f" (in {m.unit})" if m.unit else ""
        yield (
            ("journal",),
            f"a number is journaled when it moves more than `deadband` from the value "
            f"journaled last; add deadband = ...{unit}, or deadband = 0 for every change",
        )


def _texts_rules(name: str, m: PointMapping, kind: Kind) -> Iterator[tuple[Keys, str]]:
    assert m.texts is not None
    if kind is Kind.FLOAT:
        yield (
            ("texts",),
            f"texts name whole values, but {name} decodes as a number with a fraction (it is "
            "scaled, or a float); read the code unscaled from an integer type, or remove `texts`",
        )
        return
    if kind is Kind.BOOL:
        low, high, known = 0, 1, "0 (false) and 1 (true)"
    else:
        low, high = field_range(m.raw_type, m.bit_width)
        known = f"{low}..{high}, what {m.place()} holds"
    mapped = None
    if m.codes is not None and kind is not Kind.BOOL:
        mapped = {v for v in m.codes.values() if not isinstance(v, bool)}
    if mapped is not None:
        known = "the values of its map: " + ", ".join(str(c) for c in sorted(mapped))
    for code in m.texts:
        reads = code in mapped if mapped is not None else low <= code <= high
        if not reads:
            yield ("texts", str(code)), f"{name} never reads {code}; its codes are {known}"
