"""A profile's status blocks: what each ``[validity.<block>]`` covers and what proves it alive.

Pure. A block covers, directly:

* the status signals and ``[points]`` that ``signals`` names, by name or glob (``gantry.*_ok``);
* Modbus: every status signal and point whose place lies (even partly) in one of ``registers``,
  ranges of one table written ``"holding 0..4"`` or ``"input 12"``;
* OPC UA: every status signal and point in one of ``nodes``, node identifiers as the mappings
  write them;

and every derived signal that reads a covered signal or point (after those it reads). Commands
are never covered: the supervisor writes them. :func:`status_blocks` gives the
:class:`~crane_ctrl.validity.StatusBlock` of each entry for the
:class:`~crane_ctrl.validity.ValidityTracker`; the codecs give each read's proof values
(:func:`life_proofs`, and whether the words of a never-all-zero block, :func:`checked_places`,
are all zero). The rules in :mod:`crane_ctrl.profile.validity_rules` check the entries first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from crane_ctrl.profile.derived import derived_signals
from crane_ctrl.profile.model import (
    ModbusMapping,
    ModbusValidity,
    OpcUaMapping,
    OpcUaValidity,
    Profile,
    SignalMapping,
    ValidityEntry,
    derived_text,
    method_of,
)
from crane_ctrl.signals import SIGNALS, Value
from crane_ctrl.validity import Proof, StatusBlock

__all__ = [
    "RegisterRange",
    "checked_places",
    "direct_cover",
    "life_proofs",
    "proof_of",
    "readable",
    "register_range",
    "status_blocks",
]

_RANGE = re.compile(r"^(coil|discrete_input|holding|input) ([0-9]+)(?:\.\.([0-9]+))?$")


@dataclass(frozen=True, slots=True)
class RegisterRange:
    """Addresses ``first .. last`` of one Modbus table."""

    table: str
    first: int
    last: int

    def holds(self, m: ModbusMapping) -> bool:
        """Whether ``m``'s place lies (even partly) in this range."""
        end = m.address + m.register_count - 1
        return m.table == self.table and m.address <= self.last and end >= self.first

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.table} {self.first}"
        return f"{self.table} {self.first}..{self.last}"


def register_range(text: str) -> RegisterRange | None:
    """``"holding 0..4"`` or ``"input 12"`` as a range; ``None`` if it is not written so."""
    found = _RANGE.match(text)
    if found is None:
        return None
    first = int(found[2])
    last = first if found[3] is None else int(found[3])
    return RegisterRange(found[1], first, last)


def readable(profile: Profile) -> dict[str, SignalMapping]:
    """Every status signal (derived ones too) and every point: what a block may cover."""
    names = {
        name: m
        for name, m in profile.signals.items()
        if name in SIGNALS and not SIGNALS[name].is_command and method_of(m) is None
    }
    return {**names, **profile.points}


def direct_cover(profile: Profile, entry: ValidityEntry) -> dict[str, SignalMapping]:
    """The status signals and points ``entry`` names, or whose place lies in its registers or
    nodes, by name (derived signals that read them are not included)."""
    candidates = readable(profile)
    covered = {
        name: m
        for pattern in entry.signals
        for name, m in candidates.items()
        if fnmatchcase(name, pattern)
    }
    for name, m in candidates.items():
        if derived_text(m) is None and _in_places(entry, m):
            covered[name] = m
    return covered


def _in_places(entry: ValidityEntry, m: SignalMapping) -> bool:
    if isinstance(entry, ModbusValidity) and isinstance(m, ModbusMapping):
        ranges = (register_range(text) for text in entry.registers)
        return any(r is not None and r.holds(m) for r in ranges)
    if isinstance(entry, OpcUaValidity) and isinstance(m, OpcUaMapping):
        return m.node in entry.nodes
    return False


def checked_places(profile: Profile, entry: ValidityEntry) -> list[SignalMapping]:
    """The places whose whole words (registers, node values) a never-all-zero block checks:
    those of the signals and points it covers directly (derived ones have none)."""
    return [m for m in direct_cover(profile, entry).values() if derived_text(m) is None]


def proof_of(entry: ValidityEntry) -> tuple[Proof, str] | None:
    """The entry's proof and its source (empty for never all zero); ``None`` when it names
    none (the rules refuse that)."""
    if entry.life_counter is not None:
        return Proof.LIFE_COUNTER, entry.life_counter
    if entry.life_bit is not None:
        return Proof.LIFE_BIT, entry.life_bit
    if entry.never_all_zero:
        return Proof.NEVER_ALL_ZERO, ""
    return None


def status_blocks(profile: Profile) -> list[StatusBlock]:
    """The status blocks of ``profile`` (one the loader accepted), in file order."""
    derived = derived_signals(profile) if profile.validity else []
    blocks = []
    for name, entry in profile.validity.items():
        proof = proof_of(entry)
        if proof is None:
            raise ValueError(f"validity.{name} names no proof; load the profile with the loader")
        covered = set(direct_cover(profile, entry))
        for d in derived:
            if d.expression.names & covered:
                covered.add(d.name)
        blocks.append(
            StatusBlock(
                name,
                proof[0],
                frozenset(covered & set(profile.signals)),
                source=proof[1],
                timeout_s=entry.timeout_s or 0.0,
                words=words_text(checked_places(profile, entry)),
            )
        )
    return blocks


def words_text(places: Iterable[SignalMapping]) -> str:
    """The whole words of ``places`` in words: ``holding 0..2, input 7`` or node identifiers."""
    nodes: list[str] = []
    registers: dict[str, set[int]] = {}
    for m in places:
        if isinstance(m, ModbusMapping):
            span = range(m.address, m.address + m.register_count)
            registers.setdefault(m.table, set()).update(span)
        elif m.node not in nodes:
            nodes.append(m.node)
    runs = [str(r) for table, used in registers.items() for r in _runs(table, sorted(used))]
    return ", ".join(runs + nodes)


def _runs(table: str, addresses: list[int]) -> Iterator[RegisterRange]:
    start = previous = addresses[0]
    for address in addresses[1:]:
        if address != previous + 1:
            yield RegisterRange(table, start, previous)
            start = address
        previous = address
    yield RegisterRange(table, start, previous)


def life_proofs(
    blocks: Iterable[StatusBlock], values: Mapping[str, Value], points: Mapping[str, Value]
) -> dict[str, Value]:
    """Each life-bit or life-counter block's source value in this read, if it decoded."""
    out: dict[str, Value] = {}
    for block in blocks:
        if block.proof is Proof.NEVER_ALL_ZERO:
            continue
        if block.source in points:
            out[block.name] = points[block.source]
        elif block.source in values:
            out[block.name] = values[block.source]
    return out
