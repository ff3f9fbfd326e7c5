"""Whether each status block of the PLC is proven alive, scan by scan. Pure: time comes in.

A PLC reports many fail-safe signals as inverted "at limit" or "e-stop active" bits, so a status
word that reads 0 (I/O card off, block no longer written by the PLC program) reads safe. A
profile's ``[validity.<block>]`` names what proves a block alive
(:mod:`crane_ctrl.profile.validity` turns it into a :class:`StatusBlock`):

* a **life counter**: a point or signal the PLC program changes; unchanged for ``timeout_s``:
  dead;
* a **life bit**: a point or signal the PLC program toggles; not toggled for ``timeout_s``: dead;
* **never all zero**: words that always have some bit set while alive; all zero: dead at once.

A life bit or counter must be seen to change once before its block counts as alive: after a start
(or a new profile) every such block is unproven, fail safe. A proof that could not be read this
scan proves nothing. The :class:`ValidityTracker` keeps what it needs between scans and says,
for each read, which status signals are not proven alive and why; the snapshot builder
(:class:`~crane_ctrl.quality.SnapshotBuilder`) marks them BAD, and SIGNAL_QUALITY stops motion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from crane_ctrl.signals import Value

__all__ = ["Proof", "StatusBlock", "ValidityTracker"]


class Proof(StrEnum):
    """What proves a status block alive."""

    LIFE_BIT = "life bit"
    LIFE_COUNTER = "life counter"
    NEVER_ALL_ZERO = "never all zero"


@dataclass(frozen=True, slots=True)
class StatusBlock:
    """One block of status data and what proves it alive."""

    name: str
    """The block's name in the profile (``[validity.<name>]``)."""
    proof: Proof
    covers: frozenset[str]
    """The status signals that are trusted only while the block is proven alive."""
    source: str = ""
    """The life bit's or life counter's point or signal (empty for never all zero)."""
    timeout_s: float = 0.0
    """How long the life bit or counter may stay unchanged, s (0 for never all zero)."""
    words: str = ""
    """Never all zero: the places checked, in words (``holding 0..1``)."""

    def describe(self) -> str:
        """The proof in words: ``life counter plc.heartbeat (timeout 1 s)``."""
        if self.proof is Proof.NEVER_ALL_ZERO:
            return f"never all zero ({self.words})"
        return f"{self.proof} {self.source} (timeout {self.timeout_s:g} s)"


@dataclass(slots=True)
class _Life:
    """What a life bit or counter was last seen at, and when it last changed."""

    value: Value | None = None
    changed_s: float | None = None


class ValidityTracker:
    """Keeps each block's life bit or counter between reads; says which signals are dead."""

    def __init__(self, blocks: Iterable[StatusBlock]) -> None:
        self.blocks = tuple(blocks)
        self._life = {b.name: _Life() for b in self.blocks if b.proof is not Proof.NEVER_ALL_ZERO}

    def update(self, proofs: Mapping[str, Value], now: float) -> dict[str, str]:
        """The status signals not proven alive by this read, each with why (the block and the
        proof that failed; shared by every signal of the block).

        ``proofs``: per block name, what this read showed of its proof: the life bit's or
        counter's value; for never all zero, whether any of its words is not zero. A block
        missing from ``proofs`` could not be read. Call once per successful read.
        """
        dead: dict[str, str] = {}
        for block in self.blocks:
            why = self._why_dead(block, proofs.get(block.name), now)
            if why is None:
                continue
            reason = f'status block "{block.name}" is not proven alive: {why}'
            for name in sorted(block.covers):
                dead[name] = f"{dead[name]}; {reason}" if name in dead else reason
        return dead

    def _why_dead(self, block: StatusBlock, seen: Value | None, now: float) -> str | None:
        if block.proof is Proof.NEVER_ALL_ZERO:
            if seen is None:
                return f"its words ({block.words}) could not be read"
            return None if seen else f"{block.words} reads all zero"
        life = self._life[block.name]
        if seen is None:
            return f"its {block.proof} {block.source} could not be read"
        if life.value is not None and seen != life.value:
            life.changed_s = now
        life.value = seen
        verb = "toggled" if block.proof is Proof.LIFE_BIT else "changed"
        if life.changed_s is None:
            return f"its {block.proof} {block.source} has not {verb} yet (at {seen!r})"
        unchanged_s = now - life.changed_s
        if unchanged_s > block.timeout_s:
            return (
                f"its {block.proof} {block.source} has not {verb} for {unchanged_s:.1f} s "
                f"(at {seen!r}; timeout {block.timeout_s:g} s)"
            )
        return None
