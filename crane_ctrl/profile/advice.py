"""What a valid profile may still get wrong: warnings the validator prints, never errors. Pure.

A fail-safe signal (``*_ok``, ``plc.estop_ok``, ``plc.remote``: false is the unsafe state) must
read false when its source is dead. A PLC bit that means "at limit" or "e-stop active" needs
``invert`` to become ``*_ok``; then a status word that reads 0 because the card is off or the
PLC block stopped updating reads "no limit operated, chain closed": a dead word reads safe
(issue 15, finding 6). Unless something proves the word alive, that is a warning, with the fix:
derive the signal from the bit and a life bit or counter of the same block, or map the PLC's own
fail-safe bit (1 = ok, 0 = unsafe or dead).
"""

from __future__ import annotations

from crane_ctrl.profile.model import Profile
from crane_ctrl.signals import SIGNALS, Direction

__all__ = ["dead_word_reads_safe", "profile_warnings"]


def profile_warnings(profile: Profile) -> list[str]:
    """Every warning about ``profile``, one sentence each (empty: none)."""
    return dead_word_reads_safe(profile)


def dead_word_reads_safe(profile: Profile) -> list[str]:
    """Fail-safe status signals mapped to an inverted bit: a dead word would read safe."""
    out = []
    for name, m in profile.signals.items():
        spec = SIGNALS.get(name)
        if spec is None or spec.direction is not Direction.STATUS or spec.fail_safe is None:
            continue
        if getattr(m, "derived", None) is not None or not getattr(m, "invert", False):
            continue
        out.append(
            f"{name} is the inverted {m.place()}: if that word reads 0 (card off, PLC block "
            f"not updating) it reads {name} = true, safe, though nothing is known. Prove the "
            "word alive: map the bit and a life bit of the same word as [points] and derive "
            f'it, e.g. {{ derived = "not {_point(name)} and status_alive" }}, or map the '
            "PLC's own fail-safe bit (1 = ok)"
        )
    return out


def _point(name: str) -> str:
    """A point name for the raw bit behind ``name`` (``plc.estop_ok`` -> ``estop_active``)."""
    stem = name.split(".", 1)[1].removesuffix("_ok")
    return f"{stem}_active"
