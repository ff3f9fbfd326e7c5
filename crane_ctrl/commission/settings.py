"""How patient and how gentle commissioning is: every timeout, speed and distance it uses.

Each value is named here with why it is what it is; the stages use nothing else. The defaults
suit a crane PLC on a local network and the supervisor's 20 Hz scan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

__all__ = ["MAX_JOG_SPEED_FRACTION", "CommissionSettings"]

MAX_JOG_SPEED_FRACTION = 0.25
"""Commissioning never jogs faster than this fraction of rated speed (the manual mode's speed)."""


@dataclass(frozen=True, slots=True)
class CommissionSettings:
    """Timeouts, speeds and distances of the commissioning stages."""

    connect_timeout_s: float = 5.0
    """How long the link may take to come up before the link stage fails, s."""
    heartbeat_timeout_s: float = 3.0
    """How long to wait for the PLC's life counter to be seen changing (the supervisor then
    trusts the data), s: several of its periods on any PLC."""
    io_sample_s: float = 1.5
    """How long the I/O check reads every status signal, s (30 scans at 20 Hz): long enough
    to see a life counter count and an intermittent bad value."""
    jog_speed_fraction: float = 0.1
    """Jog speed as a fraction of the axis's rated speed (10 %)."""
    jog_distance_m: float = 0.05
    """How far each jog goes before its reference returns to zero, m: a few cm, visible on the
    position and harmless anywhere the axis has room."""
    jog_clearance_m: float = 0.5
    """Room a jog must leave between its end and the axis's end of travel, m."""
    jog_timeout_s: float = 5.0
    """A jog that has not covered its distance in this time fails, s (10 % of rated covers
    5 cm in well under 2 s, acceleration included)."""
    wrong_way_m: float = 0.01
    """A jog that moves this far against its reference is stopped and fails, m (above encoder
    noise and sway at standstill)."""
    standstill_mps: float = 0.01
    """An axis slower than this counts as stopped, m/s."""
    stop_timeout_s: float = 3.0
    """After the reference goes to zero the axis must stop within this, s."""
    ready_timeout_s: float = 2.0
    """Drives must report ready within this of ``drives.enable``, and not ready within this of
    its removal, s."""
    lock_watch_s: float = 1.0
    """How long a refused lock is watched for twistlocks turning anyway, s: a turning twistlock
    leaves its unlocked sensor within a scan or two (a full turn takes 1.5 s on the default
    crane)."""
    reset_timeout_s: float = 2.0
    """A PLC fault reset must show within this of the reset pulse, s."""
    plc_watchdog_s: float | None = None
    """The PLC's watchdog time (from its manual): how long ``sup.heartbeat`` may stay unchanged
    before the PLC trips, s; ``None``: the profile's ``[plc] watchdog_s`` (``--plc-watchdog``
    overrides it: :func:`crane_ctrl.commission.watchdog.watchdog_time`)."""
    watchdog_margin_s: float = 2.0
    """How long past the watchdog time the trip may take to show, s (PLC cycle and reads)."""
    operate_timeout_s: float = 60.0
    """How long the engineer has to operate a fail-safe device, and again to restore it, s."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.name == "plc_watchdog_s":
                continue  # the profile's
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"`{f.name}` must be positive and finite, not {value!r}")
        if self.jog_speed_fraction > MAX_JOG_SPEED_FRACTION:
            raise ValueError(
                f"`jog_speed_fraction` must be at most {MAX_JOG_SPEED_FRACTION} (commissioning "
                f"jogs slowly), not {self.jog_speed_fraction}"
            )
