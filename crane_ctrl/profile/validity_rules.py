"""The rules for ``[validity.<block>]`` entries, each finding with its key path and the fix.

A block names exactly one proof: ``life_bit`` or ``life_counter`` with ``timeout_s``, or
``never_all_zero = true``. A life bit is a bool point or status signal of this profile, a life
counter an integer one. What it covers is written so it can be found: every name or glob under
``signals`` matches a status signal or point of this profile, every Modbus range is written
``"<table> <first>[..<last>]"`` and holds one, every OPC UA node is one a status signal or point
is mapped to. A never-all-zero block needs words to check: a signal or point with a place.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from fnmatch import fnmatchcase

from crane_ctrl.config.file import Finding
from crane_ctrl.config.messages import close_matches
from crane_ctrl.profile.derived import point_spec
from crane_ctrl.profile.model import (
    ModbusMapping,
    ModbusValidity,
    OpcUaMapping,
    OpcUaValidity,
    Profile,
    ValidityEntry,
    derived_text,
)
from crane_ctrl.profile.validity import (
    checked_places,
    direct_cover,
    readable,
    register_range,
)
from crane_ctrl.signals import SIGNALS, Kind

__all__ = ["check_validity"]

Path = tuple[str, ...]

_PROOFS = (
    'life_counter = "<an integer point or status signal the PLC program counts>" with '
    'timeout_s, life_bit = "<a bool point or status signal it toggles>" with timeout_s, or '
    "never_all_zero = true"
)
_KINDS = {"life_bit": Kind.BOOL, "life_counter": Kind.INT}


def check_validity(profile: Profile) -> Iterator[Finding]:
    """Every rule of every ``[validity.<block>]`` of ``profile``."""
    for name, entry in profile.validity.items():
        path = ("validity", name)
        yield from _proof_rules(path, entry)
        for key in ("life_bit", "life_counter"):
            source = getattr(entry, key)
            if source is not None:
                yield from _source_rules(profile, (*path, key), source, _KINDS[key])
        yield from _cover_rules(profile, path, entry)


def _proof_rules(path: Path, entry: ValidityEntry) -> Iterator[Finding]:
    given = [k for k in ("life_counter", "life_bit") if getattr(entry, k) is not None]
    given += ["never_all_zero"] if entry.never_all_zero else []
    if not given:
        yield Finding(path, f"name what proves this block alive: {_PROOFS}")
        return
    if len(given) > 1:
        yield Finding(
            (*path, given[1]),
            f"one proof per block, not {' and '.join(given)}; keep one, or split the block "
            "into two [validity.<name>] tables",
        )
        return
    if given[0] == "never_all_zero":
        if entry.timeout_s is not None:
            yield Finding(
                (*path, "timeout_s"),
                "never_all_zero is checked every scan and has no timeout: remove timeout_s",
            )
    elif entry.timeout_s is None:
        what = "toggle" if given[0] == "life_bit" else "change"
        yield Finding(
            (*path, given[0]),
            f"{given[0]} needs timeout_s: how long it may take to {what}, s; add e.g. "
            "timeout_s = 1.0 (at least twice the PLC's period for it, and more than the scan)",
        )


def _source_rules(profile: Profile, path: Path, source: str, kind: Kind) -> Iterator[Finding]:
    """A life bit or counter is a point or status signal of this profile, of the right kind."""
    candidates = readable(profile)
    if source not in candidates:
        spec = SIGNALS.get(source)
        if spec is not None and spec.is_command:
            why = f"{source} is a command the supervisor writes; it proves nothing of the PLC"
        else:
            close = close_matches(source, candidates, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            why = (
                f"{source!r} is no point or status signal of this profile; {hint}declare the "
                "PLC's life bit or counter under [points], or name a status signal it maps"
            )
        yield Finding(path, why)
        return
    m = candidates[source]
    actual = point_spec(source, m).kind if source in profile.points else SIGNALS[source].kind
    if actual is kind:
        return
    if kind is Kind.BOOL:
        fix = "a life bit is a bool (a bit, a coil, a bool type); for a number use life_counter"
    elif actual is Kind.BOOL:
        fix = "a life counter is a whole number; for a bool that toggles use life_bit"
    else:
        fix = "a life counter is a whole number: an integer type, not scaled, no bit field"
    yield Finding(path, f"{source} decodes as {_a(actual)}; {fix}")


def _a(kind: Kind) -> str:
    return {Kind.BOOL: "a bool", Kind.INT: "an integer", Kind.FLOAT: "a number"}[kind]


def _cover_rules(profile: Profile, path: Path, entry: ValidityEntry) -> Iterator[Finding]:
    candidates = readable(profile)
    for pattern in entry.signals:
        if any(fnmatchcase(name, pattern) for name in candidates):
            continue
        yield Finding((*path, "signals"), _no_match(pattern, candidates))
    if isinstance(entry, ModbusValidity):
        yield from _register_rules(profile, path, entry)
    elif isinstance(entry, OpcUaValidity):
        yield from _node_rules(profile, path, entry)
    if not entry.signals and not _places_given(entry):
        where = "registers" if isinstance(entry, ModbusValidity) else "nodes"
        yield Finding(
            path,
            f"say what this block covers: signals = [names or globs] and/or {where} = [...]",
        )
    elif (
        entry.never_all_zero and not checked_places(profile, entry) and direct_cover(profile, entry)
    ):
        yield Finding(
            (*path, "never_all_zero"),
            "never_all_zero checks the words of the signals and points the block covers, but "
            "it covers only derived signals; cover their points (by name, registers or nodes)",
        )


def _places_given(entry: ValidityEntry) -> bool:
    return bool(entry.registers if isinstance(entry, ModbusValidity) else entry.nodes)


def _no_match(pattern: str, candidates: Collection[str]) -> str:
    spec = SIGNALS.get(pattern)
    if spec is not None and spec.is_command:
        return f"{pattern} is a command the supervisor writes; cover status signals and points"
    close = close_matches(pattern, candidates, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return (
        f'"{pattern}" matches no status signal or point of this profile; {hint}'
        'write names or globs such as "gantry.limit_*_ok"'
    )


def _register_rules(profile: Profile, path: Path, entry: ModbusValidity) -> Iterator[Finding]:
    key = (*path, "registers")
    places = [
        m
        for m in readable(profile).values()
        if isinstance(m, ModbusMapping) and derived_text(m) is None
    ]
    for text in entry.registers:
        found = register_range(text)
        if found is None:
            yield Finding(
                key,
                f'"{text}" is not a register range; write "<table> <first>..<last>" or '
                '"<table> <address>", e.g. "holding 0..4" (table: coil, discrete_input, '
                "holding or input; zero-based addresses)",
            )
        elif found.first > found.last:
            yield Finding(key, f'"{text}" ends before it starts; write the lower address first')
        elif not any(found.holds(m) for m in places):
            yield Finding(
                key,
                f'"{text}" holds no status signal or point of this profile; give the range of '
                "the block's words (zero-based addresses)",
            )


def _node_rules(profile: Profile, path: Path, entry: OpcUaValidity) -> Iterator[Finding]:
    nodes = {
        m.node
        for m in readable(profile).values()
        if isinstance(m, OpcUaMapping) and derived_text(m) is None
    }
    for node in entry.nodes:
        if node not in nodes:
            close = close_matches(node, sorted(nodes), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            yield Finding(
                (*path, "nodes"),
                f"{node!r} is the node of no status signal or point of this profile; {hint}"
                "write the node identifier as the mappings do",
            )
