"""What swapping one PLC profile for another changes, signal by signal. Pure.

Link settings, then signals, then points, then the status blocks (``[validity]``): a block added,
removed or ``changed`` (its proof, timeout or what it covers): a removed proof is a dead word
that reads safe again; then the profile's own alarms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from crane_ctrl.profile.model import (
    ModbusMapping,
    ModbusValidity,
    Profile,
    SignalMapping,
    ValidityEntry,
    derived_text,
    method_of,
)
from crane_ctrl.profile.validity import proof_of
from crane_ctrl.signals import SIGNALS

__all__ = ["Change", "ChangeKind", "diff_profiles", "scaling_text", "type_text", "validity_text"]


class ChangeKind(StrEnum):
    LINK = "link"
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    RETYPED = "retyped"
    RESCALED = "rescaled"
    CHANGED = "changed"
    """A status block's proof or what it covers; a profile alarm's condition, priority, text or
    delays."""


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: its kind, the signal or link setting, and before -> after in words."""

    kind: ChangeKind
    subject: str
    before: str
    after: str

    def __str__(self) -> str:
        if self.kind is ChangeKind.ADDED:
            return f"{self.kind:<9} {self.subject:<22} {self.after}"
        if self.kind is ChangeKind.REMOVED:
            return f"{self.kind:<9} {self.subject:<22} {self.before}"
        return f"{self.kind:<9} {self.subject:<22} {self.before} -> {self.after}"


def type_text(m: SignalMapping) -> str:
    """The raw type as a person reads it: ``float32 CDAB``, ``Double``, ``bool``; ``derived``."""
    if derived_text(m) is not None:
        return "derived"
    if method_of(m) is not None:
        return "method"
    if isinstance(m, ModbusMapping):
        if m.is_bit_table or m.bit is not None or m.register_count == 1:
            return m.raw_type
        return f"{m.raw_type} {m.word_order}"
    return m.type


def scaling_text(m: SignalMapping) -> str:
    """Scaling in words: ``x0.001 +0.5``, ``invert``, ``map 1=20 2=40``, or ``-`` for none."""
    if m.codes is not None:
        pairs = " ".join(f"{code}={_show(v)}" for code, v in sorted(m.codes.items()))
        return f"map {pairs}"
    parts = []
    if m.scale != 1.0:
        parts.append(f"x{m.scale:g}")
    if m.offset != 0.0:
        parts.append(f"{m.offset:+g}")
    if m.invert:
        parts.append("invert")
    return " ".join(parts) or "-"


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _place(profile: Profile, m: SignalMapping) -> str:
    if derived_text(m) is not None or method_of(m) is not None:
        return m.place()
    place = m.place()
    if not isinstance(m, ModbusMapping) and m.access == "read_write":
        place += " (rw)"
    return f"{profile.protocol} {place}"


def diff_profiles(old: Profile, new: Profile) -> list[Change]:
    """Every change from ``old`` to ``new``: link settings, then signals in catalogue order, then
    points (``points.<name>``) and status blocks (``validity.<name>``) by name, then the
    profile's alarms (``alarms.<ID>``)."""
    return [
        *_link_changes(old, new),
        *_signal_changes(old, new),
        *_point_changes(old, new),
        *_validity_changes(old, new),
        *_alarm_changes(old, new),
    ]


def _link_changes(old: Profile, new: Profile) -> Iterator[Change]:
    before = old.link.model_dump()
    after = new.link.model_dump()
    for key in dict.fromkeys([*before, *after]):
        if before.get(key) != after.get(key):
            yield Change(ChangeKind.LINK, key, _setting(before.get(key)), _setting(after.get(key)))


def _setting(value: object) -> str:
    return "(unset)" if value is None else str(value)


def _signal_changes(old: Profile, new: Profile) -> Iterator[Change]:
    order = [*SIGNALS, *sorted((set(old.signals) | set(new.signals)) - set(SIGNALS))]
    for name in order:
        a = old.signals.get(name)
        b = new.signals.get(name)
        if a is None and b is not None:
            yield Change(ChangeKind.ADDED, name, "", f"{_place(new, b)} {type_text(b)}")
        elif b is None and a is not None:
            yield Change(ChangeKind.REMOVED, name, f"{_place(old, a)} {type_text(a)}", "")
        elif a is not None and b is not None:
            yield from _mapping_changes(name, old, a, new, b)


def _point_changes(old: Profile, new: Profile) -> Iterator[Change]:
    a_points: dict[str, SignalMapping] = dict(old.points)
    b_points: dict[str, SignalMapping] = dict(new.points)
    for name in sorted(set(a_points) | set(b_points)):
        a, b, subject = a_points.get(name), b_points.get(name), f"points.{name}"
        if a is None and b is not None:
            yield Change(ChangeKind.ADDED, subject, "", f"{_place(new, b)} {type_text(b)}")
        elif b is None and a is not None:
            yield Change(ChangeKind.REMOVED, subject, f"{_place(old, a)} {type_text(a)}", "")
        elif a is not None and b is not None:
            yield from _mapping_changes(subject, old, a, new, b)


def _mapping_changes(
    name: str, old: Profile, a: SignalMapping, new: Profile, b: SignalMapping
) -> Iterator[Change]:
    if _place(old, a) != _place(new, b):
        yield Change(ChangeKind.MOVED, name, _place(old, a), _place(new, b))
    if type_text(a) != type_text(b):
        yield Change(ChangeKind.RETYPED, name, type_text(a), type_text(b))
    if scaling_text(a) != scaling_text(b):
        yield Change(ChangeKind.RESCALED, name, scaling_text(a), scaling_text(b))


def validity_text(entry: ValidityEntry) -> str:
    """A status block in words: ``life counter plc.heartbeat 1 s over holding 0..4``."""
    proof = proof_of(entry)
    how = "no proof" if proof is None else f"{proof[0]} {proof[1]}".rstrip()
    if entry.timeout_s is not None:
        how += f" {entry.timeout_s:g} s"
    places = entry.registers if isinstance(entry, ModbusValidity) else entry.nodes
    return f"{how} over {', '.join([*places, *entry.signals])}"


def _validity_changes(old: Profile, new: Profile) -> Iterator[Change]:
    a = {name: validity_text(e) for name, e in old.validity.items()}
    b = {name: validity_text(e) for name, e in new.validity.items()}
    for name in sorted(set(a) | set(b)):
        subject = f"validity.{name}"
        if name not in a:
            yield Change(ChangeKind.ADDED, subject, "", b[name])
        elif name not in b:
            yield Change(ChangeKind.REMOVED, subject, a[name], "")
        elif a[name] != b[name]:
            yield Change(ChangeKind.CHANGED, subject, a[name], b[name])


def _alarm_changes(old: Profile, new: Profile) -> Iterator[Change]:
    for alarm_id in sorted(set(old.alarms) | set(new.alarms)):
        a, b, subject = old.alarms.get(alarm_id), new.alarms.get(alarm_id), f"alarms.{alarm_id}"
        if a is None and b is not None:
            yield Change(ChangeKind.ADDED, subject, "", f"{b.priority}: {b.condition}")
        elif b is None and a is not None:
            yield Change(ChangeKind.REMOVED, subject, f"{a.priority}: {a.condition}", "")
        elif a is not None and b is not None:
            before, after = a.model_dump(), b.model_dump()
            for key in before:
                if before[key] != after[key]:
                    yield Change(ChangeKind.CHANGED, f"{subject}.{key}", str(before[key]),
                                 str(after[key]))  # fmt: skip
