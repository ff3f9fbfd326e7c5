"""What a valid profile may still get wrong: warnings the validator prints, never errors. Pure.

A fail-safe signal (``*_ok``, ``plc.estop_ok``, ``plc.remote``: false is the unsafe state) must
read false when its source is dead. A PLC bit that means "at limit" or "e-stop active" needs
``invert`` to become ``*_ok``; then a status word that reads 0 because the card is off or the
PLC block stopped updating reads "no limit operated, chain closed": a dead word reads safe
(issue 15, finding 6). Unless a ``[validity.<block>]`` proves the word alive (a life bit or
counter, or never all zero: :mod:`crane_ctrl.validity`), that is a warning, with the TOML that
adds one; or map the PLC's own fail-safe bit (1 = ok, 0 = unsafe or dead).
"""

from __future__ import annotations

import json
import re

from crane_ctrl.profile.derived import derived_signals
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.model import ModbusMapping, Profile, SignalMapping
from crane_ctrl.profile.validity import status_blocks
from crane_ctrl.signals import SIGNALS, Direction

__all__ = ["dead_word_reads_safe", "profile_warnings", "reference_numbers", "validity_toml"]

LIFE_TIMEOUT_S = 1.0
"""The timeout the suggested life counter gets: the supervisor's own PLC heartbeat timeout."""


def profile_warnings(profile: Profile) -> list[str]:
    """Every warning about ``profile``, each a sentence (with the TOML to add on lines of its
    own, indented; empty: none)."""
    return dead_word_reads_safe(profile) + reference_numbers(profile)


_REFERENCE_BASE = {"holding": 40001, "input": 30001}
"""Modicon reference numbers: a manual's "40101" is holding register address 100."""


def reference_numbers(profile: Profile) -> list[str]:
    """Register addresses that look copied from a manual's Modicon reference numbers (holding
    40001..49999, input 30001..39999) rather than zero-based PDU addresses: almost always a
    slip that reads another register, silently. A warning, since a large PLC may really have
    registers there."""
    out = []
    tables = [("signals", profile.signals), ("points", profile.points)]
    for section, table in tables:
        for name, m in table.items():
            if not isinstance(m, ModbusMapping) or m.table not in _REFERENCE_BASE:
                continue
            base = _REFERENCE_BASE[m.table]
            if base <= m.address < base + 9999:
                out.append(
                    f"[{section}] {name}: {m.table} address {m.address} looks like the Modicon "
                    f"reference number of {m.table} register {m.address - base}; addresses are "
                    f"zero-based (address_base = 0): if the manual numbers it so, write "
                    f"address = {m.address - base}"
                )
    return out


def dead_word_reads_safe(profile: Profile) -> list[str]:
    """Fail-safe status signals mapped to an inverted bit of a word that no status block proves
    alive: a dead word would read safe."""
    proven = {name for block in status_blocks(profile) for name in block.covers}
    out = []
    for name, m in profile.signals.items():
        spec = SIGNALS.get(name)
        if spec is None or spec.direction is not Direction.STATUS or spec.fail_safe is None:
            continue
        if name in proven:
            continue
        if getattr(m, "derived", None) is not None:
            out += _derived_reads_safe(profile, name)
            continue
        if not m.invert:
            continue
        out.append(
            f"{name} is the inverted {m.place()}: if that word reads 0 (card off, PLC block "
            f"not updating) it reads {name} = true, safe, though nothing is known. Prove the "
            "word alive with a [validity] block, e.g. (if the PLC program writes this word "
            "in the cycle that counts plc.heartbeat):\n"
            + _indented(validity_toml(m))
            + '\nor with life_bit = "<a point of that word the PLC toggles>" and timeout_s, '
            "or never_all_zero = true if the word always has a bit set while alive; or map the "
            "PLC's own fail-safe bit (1 = ok) instead"
        )
    return out


def _derived_reads_safe(profile: Profile, name: str) -> list[str]:
    """A derived fail-safe signal that computes true (safe) when every input reads 0 or false,
    as a dead word does: ``not bit(limits_word, 3)``."""
    found = next((d for d in derived_signals(profile) if d.name == name), None)
    if found is None:
        return []
    expression = found.expression
    dead = {n: False if k is ExpressionKind.BOOL else 0.0 for n, k in expression.inputs.items()}
    if expression.evaluate(dead) is not True:
        return []
    inputs = ", ".join(f'"{n}"' for n in expression.inputs)
    return [
        f"{name} = {expression.text} reads true, safe, when its inputs read 0 (card off, PLC "
        "block not updating), though nothing is known. Prove them alive with a [validity] "
        "block, e.g. (if the PLC program writes them in the cycle that counts plc.heartbeat):\n"
        + _indented(
            f"[validity.{name.replace('.', '_')}_inputs]\nsignals = [{inputs}]\n"
            f'life_counter = "plc.heartbeat"\ntimeout_s = {LIFE_TIMEOUT_S}'
        )
        + "\nor compute it from the PLC's own fail-safe bits (1 = ok)"
    ]


def validity_toml(m: SignalMapping) -> str:
    """A ``[validity.<block>]`` table that proves the word of ``m`` alive by the PLC's
    heartbeat, ready to paste."""
    if isinstance(m, ModbusMapping):
        name = f"{m.table}_{m.address}"
        covers = f'registers = ["{m.table} {m.address}"]'
    else:
        name = re.sub(r"[^a-z0-9]+", "_", m.node.split("=", 1)[-1].lower()).strip("_") or "word"
        node = f"'{m.node}'" if "'" not in m.node else json.dumps(m.node)
        covers = f"nodes = [{node}]"
    return "\n".join(
        (
            f"[validity.{name}]",
            covers,
            'life_counter = "plc.heartbeat"',
            f"timeout_s = {LIFE_TIMEOUT_S}",
        )
    )


def _indented(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
