"""The simulated PLC's own timing (not the crane's): how it counts and how patient it is."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PlcParams"]


@dataclass(frozen=True, slots=True)
class PlcParams:
    """The PLC's own timing (not the crane's): how it counts and how patient its watchdog is."""

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
    fault_code_drive: int = 20
    fault_code_watchdog: int = 30
