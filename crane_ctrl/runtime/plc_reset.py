"""When the supervisor writes ``plc.reset``, and for how long. Pure: the scan's snapshot in, the
bit to write out.

PLCs act on the reset bit in their own way: most on its rising edge, many only if it stays high
for a minimum time (one manual asks for at least 100 ms; a 20 Hz scan is 50 ms). So a reset is
a **pulse**: high for ``pulse_s`` (at least one scan), then low for at least one scan before the
next one can start, whoever asks for it (:class:`ResetPulse`).

Who asks:

- the operator's interlock reset (:meth:`~crane_ctrl.runtime.supervisor.Supervisor.request_reset`);
- the machine's RESET, when the PLC reports a fault a reset may clear (the sequencer hook sets
  ``Commands.reset``);
- :class:`WatchdogRecovery`: a PLC whose watchdog latched while no supervisor was there (it
  stopped, restarted, or lost the link) is reset once, automatically, as soon as the link has
  been healthy for :data:`HEALTHY_SCANS` scans after a start or a reconnect, **only** when the
  watchdog is the PLC's only fault: its e-stop chain closed and no drive faulted. Anything else
  waits for an operator. It does it once per start or reconnect, and says so (the caller
  journals it).

Whoever asked, :class:`ResetEffect` then checks that the PLC acted on it: a fault it meant to clear
that is still there :data:`RESET_ANSWER_S` after the pulse, with nothing else cleared either, means
the PLC did not see the reset (a pulse shorter than its manual's minimum is the usual cause) and
the supervisor says so, rather than leaving the operator pressing RESET in vain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from crane_ctrl.commands import AXES
from crane_ctrl.snapshot import Quality, Snapshot

__all__ = [
    "HEALTHY_SCANS",
    "RESET_ANSWER_S",
    "ResetEffect",
    "ResetPulse",
    "RestartHold",
    "WatchdogRecovery",
]

HEALTHY_SCANS = 5
"""Scans of trusted data (the heartbeat running again) before an automatic watchdog reset."""

RESET_ANSWER_S = 2.0
"""How long after a reset pulse a PLC has to clear the faults it may clear, s: a cycle or two
for most, an on-delay and a restart sequence for some."""


@dataclass
class ResetPulse:
    """``plc.reset`` as a pulse of ``scans`` scans, re-armed by a scan low."""

    scans: int = 1
    _left: int = 0
    _high: bool = False

    @classmethod
    def of(cls, pulse_s: float, scan_period_s: float) -> ResetPulse:
        """A pulse at least ``pulse_s`` long (at least one scan) at this scan period."""
        return cls(max(1, math.ceil(pulse_s / scan_period_s - 1e-9)))

    def step(self, wanted: bool) -> bool:
        """This scan's bit: a wanted reset starts a pulse if the bit was low last scan; a pulse
        under way runs to its end whatever is wanted meanwhile."""
        if self._left == 0 and wanted and not self._high:
            self._left = self.scans
        self._high = self._left > 0
        self._left = max(0, self._left - 1)
        return self._high


@dataclass
class WatchdogRecovery:
    """Whether to reset the PLC's latched watchdog now (see the module docstring)."""

    enabled: bool = True
    _healthy: int = 0
    _armed: bool = True

    def due(self, snapshot: Snapshot) -> str:
        """Why to reset it now ("" if not): at most once per start or reconnect."""
        if not snapshot.comms_ok:
            self._healthy, self._armed = 0, True
            return ""
        self._healthy += 1
        if not (self.enabled and self._armed) or self._healthy < HEALTHY_SCANS:
            return ""
        self._armed = False  # looked once: whatever it finds, not again until a reconnect
        if not snapshot.flag("plc.watchdog_trip", unsafe=False):
            return ""
        if not snapshot.flag("plc.estop_ok", unsafe=False):
            return ""
        if any(snapshot.flag(f"{axis}.fault", unsafe=True) for axis in AXES):
            return ""
        return (
            "the PLC's watchdog latched while no supervisor was writing its heartbeat; the "
            "link is healthy again and the watchdog is its only fault: reset once"
        )


@dataclass
class RestartHold:
    """After a reset, the speed references stay zero until the PLC reports ready again.

    A PLC takes a cycle or more to act on a reset, and many run a restart sequence (brake test,
    drive re-enable) with a *restart inhibit* meanwhile; until then its ready bits may still be
    those of before the reset. So from the reset pulse on, :meth:`holding` is true until a scan
    read after the pulse ended shows every axis ready and, if the PLC has it, its restart
    inhibit off. Drives stay enabled as asked; only the references are held.
    """

    _waiting: bool = False
    _low_scans: int = 0

    def holding(self, reset_written: bool, snapshot: Snapshot) -> bool:
        """Whether to hold the references at zero this scan; ``reset_written`` is this scan's
        ``plc.reset`` (true while a pulse is high)."""
        if reset_written:
            self._waiting, self._low_scans = True, 0
            return True
        if not self._waiting:
            return False
        self._low_scans += 1
        if self._low_scans < 2:  # this scan's read came before the falling edge was written
            return True
        ready = all(snapshot.flag(f"{axis}.ready", unsafe=False) for axis in AXES)
        mapped = snapshot.reading("plc.restart_inhibit").quality is not Quality.MISSING
        inhibited = mapped and snapshot.flag("plc.restart_inhibit", unsafe=True)
        if ready and not inhibited:
            self._waiting = False
        return self._waiting


def resettable_faults(snapshot: Snapshot) -> tuple[str, ...]:
    """The faults a PLC reset may clear that this snapshot reads set (good readings only)."""
    found = [f"{axis}.fault" for axis in AXES if snapshot.flag(f"{axis}.fault", unsafe=False)]
    if snapshot.flag("plc.watchdog_trip", unsafe=False):
        found.insert(0, "plc.watchdog_trip")
    code = snapshot.number("plc.fault_code")
    if code:
        found.append(f"plc.fault_code {code:g}")
    return tuple(found)


@dataclass
class ResetEffect:
    """Whether the PLC acted on the last reset pulse (see the module docstring).

    :meth:`observe` follows every scan's ``plc.reset``. At a pulse's rising edge it notes the
    resettable faults set (:func:`resettable_faults`); :data:`RESET_ANSWER_S` after its falling
    edge it compares. If not one of them fell, :attr:`ignored` says so until they fall or another
    reset starts; if some fell and others stayed, the verdict names both (their cause is still
    there) but is no alarm. With the link down at the time of judging there is nothing to judge.
    """

    pulse_s: float
    answer_s: float = RESET_ANSWER_S
    ignored: str = ""
    """The standing diagnosis "the PLC did not act on the reset", or ""."""
    _before: tuple[str, ...] = ()
    _fell_at: float | None = None
    _high: bool = False

    def observe(self, reset_written: bool, snapshot: Snapshot) -> str:
        """This scan's ``plc.reset`` and reading; the verdict reached this scan (for the
        journal), else ""."""
        now = snapshot.time_s
        if reset_written and not self._high:
            self._before, self._fell_at, self.ignored = resettable_faults(snapshot), None, ""
        elif self._high and not reset_written:
            self._fell_at = now
        self._high = reset_written
        if not self.ignored and self._fell_at is None:
            return ""  # no reset to judge, no verdict standing: nothing to read this scan
        faults = resettable_faults(snapshot)
        if self.ignored and not set(self._before) & set(faults):
            self.ignored = ""
        if self._fell_at is None or now - self._fell_at < self.answer_s:
            return ""
        self._fell_at = None
        if not snapshot.comms_ok or not self._before:
            return ""
        return self._judge([f for f in self._before if f in faults])

    def _judge(self, still: list[str]) -> str:
        if not still:
            return ""
        fell = [f for f in self._before if f not in still]
        if fell:
            return (f"the reset cleared {', '.join(fell)}; {', '.join(still)} remain: "
                    "their cause is still there")  # fmt: skip
        self.ignored = (
            f"the PLC did not act on the reset: {', '.join(still)} still set "
            f"{self.answer_s:g} s after a {self.pulse_s:g} s pulse: either their cause is "
            "still there or the PLC did not see the pulse; if its manual asks for a longer "
            "reset, set [plc] reset_pulse_s in the profile to at least its minimum"
        )
        return self.ignored
