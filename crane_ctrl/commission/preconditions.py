"""Whether the crane is in a state to be tested: healthy, idle, in remote. Pure.

Each stage that asks the PLC to act first asks :func:`blockers`; anything it returns is the
reason its checks are skipped (e-stop open, not in remote, a drive fault ...), in words with
the signal and its reading, so the report says what to put right.
"""

from __future__ import annotations

from crane_ctrl.commands import AXES
from crane_ctrl.snapshot import Quality, Snapshot

__all__ = ["blockers", "flag_text"]

_UNTRUSTED = (Quality.BAD, Quality.STALE)
"""Read but not usable (a signal the profile leaves out is MISSING, and that is allowed)."""


def flag_text(snapshot: Snapshot, name: str) -> str:
    """``name`` and its reading: ``plc.estop_ok false`` or ``plc.estop_ok stale (...)``."""
    r = snapshot.reading(name)
    if r.good:
        return f"{name} {str(r.value).lower()}"
    return f"{name} {r.quality} ({r.reason})" if r.reason else f"{name} {r.quality}"


def blockers(
    snapshot: Snapshot, *, standstill_mps: float, watchdog: bool = True, idle: bool = True
) -> list[str]:
    """Why the crane cannot be tested now (empty: it can).

    ``watchdog``: a tripped PLC watchdog blocks; ``idle``: an axis moving faster than
    ``standstill_mps`` blocks.
    """
    if not snapshot.comms_ok:
        return [f"no trusted data from the PLC: {snapshot.comms_reason}"]
    found: list[str] = []
    untrusted = [n for n, r in snapshot.readings.items() if r.quality in _UNTRUSTED]
    if untrusted:
        found.append(f"signals not good: {', '.join(untrusted)}")
    if not snapshot.flag("plc.estop_ok", unsafe=False):
        found.append(f"e-stop chain open ({flag_text(snapshot, 'plc.estop_ok')})")
    if not snapshot.flag("plc.remote", unsafe=False):
        found.append(f"PLC not in remote ({flag_text(snapshot, 'plc.remote')})")
    if watchdog and snapshot.flag("plc.watchdog_trip", unsafe=True):
        found.append(f"PLC watchdog tripped ({flag_text(snapshot, 'plc.watchdog_trip')})")
    for axis in AXES:
        if snapshot.flag(f"{axis}.fault", unsafe=True):
            found.append(f"{axis} drive fault ({flag_text(snapshot, f'{axis}.fault')})")
    if idle:
        for axis in AXES:
            speed = snapshot.number(f"{axis}.speed")
            if speed is not None and abs(speed) > standstill_mps:
                found.append(f"crane not idle: {axis} moving at {speed:+.3f} m/s")
    return found
