"""The simulated PLC's own timing (not the crane's): how it counts and how patient it is; and
the fault numbers it reports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PlcParams"]


@dataclass(frozen=True, slots=True)
class PlcParams:
    """The PLC's own timing (not the crane's): how it counts and how patient its watchdog is;
    and its fault numbers (``plc.fault_code``, 0 for none), as its manual gives them."""

    heartbeat_period_s: float = 0.1
    """The PLC increments ``plc.heartbeat`` at its own pace, often slower than the scan."""
    heartbeat_modulus: int = 32768
    """The counter wraps here (fits any 16-bit word, signed or not)."""
    watchdog_s: float = 1.0
    """``sup.heartbeat`` unchanged this long trips the watchdog."""
    restart_delay_s: float = 0.0
    """After a reset, the PLC inhibits a restart this long (a restart sequence: brake test,
    drive re-enable); ``plc.restart_inhibit`` is also true while any trip is latched."""
    fault_code_estop: int = 10
    """``plc.fault_code`` while the e-stop is latched (the first fault by priority)."""
    fault_code_gantry_drive: int = 20
    """``plc.fault_code`` for a latched gantry drive fault (next by priority)."""
    fault_code_trolley_drive: int = 21
    """... a trolley drive fault."""
    fault_code_hoist_drive: int = 22
    """... a hoist drive fault."""
    fault_code_watchdog: int = 30
    """``plc.fault_code`` while the watchdog trip is latched (last by priority)."""

    def drive_fault_code(self, axis: str) -> int:
        """``plc.fault_code`` for a drive fault of ``axis`` (gantry, trolley or hoist)."""
        codes = {
            "gantry": self.fault_code_gantry_drive,
            "trolley": self.fault_code_trolley_drive,
            "hoist": self.fault_code_hoist_drive,
        }
        return codes[axis]
