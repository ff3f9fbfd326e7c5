"""Which of crane-ctrl's files a TOML file is, told by its top-level tables and keys.

Every kind of file has keys no other kind has at its top (a PLC profile's ``[link]`` and
``[signals]``, a site file's ``[crane]`` and ``[site]``, a scenario's ``duration_s`` and
``[[jobs]]``). When a file fails to load as one kind but is plainly another, the loader says so
in one line, with the command that checks the file it is, instead of listing every table the
expected kind misses (``profile validate site.toml`` used to ask for a ``[link]`` table and 46
more things)::

    site.toml: this is a site file ([crane], [site], [start], [[containers]]), not a PLC
    profile; check it with crane-ctrl site validate site.toml

Pure: it looks at the parsed TOML only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from crane_ctrl.errors import Problem

__all__ = [
    "FAULT_SCHEDULE",
    "KINDS",
    "PERSONALITY",
    "PROFILE",
    "ROLES",
    "SCENARIO",
    "SITE",
    "FileKind",
    "kind_of",
    "wrong_kind",
]

_TABLE, _TABLES, _TEXT, _NUMBER, _FLAG = dict, list, str, (int, float), bool
_SHOWN = 4
"""The most keys a message names to show what kind a file is."""


@dataclass(frozen=True, slots=True, eq=False)
class FileKind:
    """One kind of file: what it is called, its keys, and the command that checks it (each kind
    is one of :data:`KINDS`, equal only to itself)."""

    name: str
    """With its article, for a sentence: ``a site file``."""
    marks: Mapping[str, type | tuple[type, ...]]
    """Top-level keys the kind has, each with the TOML type it has there (a table is a dict,
    an array of tables a list)."""
    check: str
    """What to do with such a file, ``{path}`` standing for it: ``check it with ...``."""

    def found(self, data: Mapping[str, Any]) -> list[str]:
        """The keys of ``data`` that are this kind's, as TOML writes them: ``[site]``."""
        return [_shown(k, v) for k, v in data.items() if isinstance(v, self.marks.get(k, ()))]

    def rank(self, data: Mapping[str, Any]) -> tuple[int, float]:
        """How plainly ``data`` is of this kind: its keys found, then the share of the kind's."""
        found = len(self.found(data))
        return found, found / len(self.marks)


def _shown(key: str, value: object) -> str:
    if isinstance(value, dict):
        return f"[{key}]"
    return f"[[{key}]]" if isinstance(value, list) and value else key


def _kind(name: str, check: str, **marks: type | tuple[type, ...]) -> FileKind:
    return FileKind(name, MappingProxyType(marks), check)


PROFILE = _kind(
    "a PLC profile", "check it with crane-ctrl profile validate {path}",
    profile=_TABLE, link=_TABLE, signals=_TABLE, points=_TABLE, validity=_TABLE, plc=_TABLE,
    alarms=_TABLE,
)  # fmt: skip
SITE = _kind(
    "a site file", "check it with crane-ctrl site validate {path}",
    crane=_TABLE, site=_TABLE, start=_TABLE, containers=_TABLES, vehicles=_TABLES,
)  # fmt: skip
SCENARIO = _kind(
    "a rig scenario", "run it with crane-ctrl rig run {path} (which checks it before it runs)",
    profile=_TEXT, personality=_TEXT, site=_TEXT, start=_TABLE, containers=_TABLES,
    vehicles=_TABLES, remove=_TABLES, mode=_TEXT, duration_s=_NUMBER, stop_when=_TEXT,
    tail_s=_NUMBER, jobs=_TABLES, faults=_TABLES, actions=_TABLES, expect=_TABLE,
)  # fmt: skip
PERSONALITY = _kind(
    "a simulator personality file",
    "the simulator takes it: crane-ctrl sim --profile PROFILE --personality {path}",
    based_on=_TEXT, edge_triggered=_FLAG, telescope_start=_FLAG, clears_requests=_FLAG,
    answers_kept=_FLAG, direction_bits=_FLAG, heartbeat_echo=_FLAG, min_reset_pulse_s=_NUMBER,
    life_bit=_TEXT, life_bit_period_s=_NUMBER, unlock_refused_above_t=_NUMBER,
    twistlock_run_limit_s=_NUMBER, watchdog_s=_NUMBER, restart_delay_s=_NUMBER, codes=_TABLE,
    fault_codes=_TABLE, requests=_TABLE,
)  # fmt: skip
FAULT_SCHEDULE = _kind(
    "a fault schedule", "the simulator takes it: crane-ctrl sim --profile PROFILE --faults {path}",
    faults=_TABLES,
)  # fmt: skip
ROLES = _kind(
    "a roles file", "check it with crane-ctrl roles list {path}",
    roles=_TABLE, users=_TABLE, login=_TABLE,
)  # fmt: skip
KINDS: tuple[FileKind, ...] = (PROFILE, SITE, SCENARIO, PERSONALITY, FAULT_SCHEDULE, ROLES)
"""Every kind of TOML file crane-ctrl reads."""


def kind_of(data: Mapping[str, Any]) -> FileKind | None:
    """The kind ``data`` plainly is: the one that finds most of its keys (then the largest
    share of the kind's own); ``None`` when none finds any, or two rank alike."""
    ranked = sorted(((kind.rank(data), kind) for kind in KINDS), key=lambda r: r[0], reverse=True)
    (best, kind), (second, _) = ranked[0], ranked[1]
    return kind if best[0] > 0 and best > second else None


def wrong_kind(data: Mapping[str, Any], source: str, expected: FileKind) -> Problem | None:
    """The problem to report when ``data``, which failed to load as ``expected``, is plainly a
    file of another kind: what it is, and what to do with it; else ``None``."""
    kind = kind_of(data)
    if kind is None or kind is expected:
        return None
    found = kind.found(data)
    shown = ", ".join(found[:_SHOWN]) + (", ..." if len(found) > _SHOWN else "")
    what = f"this is {kind.name} ({shown}), not {expected.name}"
    return Problem(source, None, "", f"{what}; {kind.check.format(path=source)}")
