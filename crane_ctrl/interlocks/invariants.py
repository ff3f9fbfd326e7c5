"""The safety invariants of the supervisor, as oracles: what was written, against what was read.

Written from the rules (DOMAIN.md, "Interlocks"), sharing no code with the interlocks they
check, so a test or a test rig can hold the interlocks to account scan by scan:

- no lock or unlock unless all four landing pins read landed (good quality);
- no unlock while the load cell says the twistlocks may carry a load;
- no hoist up with a mixed (or unknown) twistlock state, nor above the overload trip (110 % SWL);
- nothing moves with a comms fault, the e-stop chain open, the PLC not in remote, its watchdog
  tripped, a drive faulted or not ready, or the wind unknown;
- at the wind stop limit, and at the storm limit above it, no travel, locking or telescoping, and
  nothing lifted off its support (a landing pin pressed or unknown, and the ropes not carrying a
  box: the load cell under the twistlock load, or unknown, or the ropes slack); lowering,
  unlocking and raising a hanging load only (as the interlock settings allow): a storm can come
  in one gust, and a load left hanging low in it swings into its neighbours;
- no motion with any signal's data bad (undecodable or implausible);
- no motion toward an operated limit;
- the PLC's commands change only to what the supervisor wrote (:func:`plc_mismatch`).

Pure: a snapshot, the written commands and the thresholds in, sentences out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.interlocks.catalogue import InterlockSettings
from crane_ctrl.signals import CORNERS, Value
from crane_ctrl.snapshot import Quality, Snapshot

__all__ = [
    "LIMITS",
    "REF_TOLERANCE",
    "WRITTEN",
    "all_landed",
    "broken_invariants",
    "is_false",
    "is_true",
    "lock_state_clean",
    "number",
    "plc_mismatch",
]

LIMITS = (
    ("gantry", "gantry.limit_fwd_ok", "gantry.limit_rev_ok"),
    ("trolley", "trolley.limit_fwd_ok", "trolley.limit_rev_ok"),
    ("hoist", "hoist.limit_up_ok", "hoist.limit_down_ok"),
)
"""Each axis with its forward (upper) and reverse (lower) limit signal."""
WRITTEN = ("gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref", "spreader.lock",
           "spreader.unlock", "drives.enable")  # fmt: skip
"""The command signals :func:`plc_mismatch` compares."""
REF_TOLERANCE = 1e-6
"""OPC UA Doubles carry a reference exactly; the tolerance only absorbs float noise."""


def is_true(s: Snapshot, name: str) -> bool:
    r = s.reading(name)
    return r.quality is Quality.GOOD and r.value is True


def is_false(s: Snapshot, name: str) -> bool:
    r = s.reading(name)
    return r.quality is Quality.GOOD and r.value is False


def number(s: Snapshot, name: str) -> float | None:
    """A good, finite numeric reading, else ``None``."""
    r = s.reading(name)
    v = r.value
    if r.quality is not Quality.GOOD or isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v) if math.isfinite(v) else None


def all_landed(s: Snapshot) -> bool:
    return all(is_true(s, f"spreader.landed_{c}") for c in CORNERS)


def lock_state_clean(s: Snapshot) -> bool:
    """All four locked and none unlocked, or the other way round (good readings only)."""
    locked = [f"spreader.locked_{c}" for c in CORNERS]
    unlocked = [f"spreader.unlocked_{c}" for c in CORNERS]
    all_locked = all(is_true(s, n) for n in locked) and all(is_false(s, n) for n in unlocked)
    all_unlocked = all(is_true(s, n) for n in unlocked) and all(is_false(s, n) for n in locked)
    return all_locked or all_unlocked


def broken_invariants(s: Snapshot, c: Commands, limits: InterlockSettings) -> list[str]:
    """Every supervisor-issue invariant the written ``c`` breaks, given snapshot ``s``."""
    speeds = {axis: c.speed(axis) for axis in AXES}
    moving = any(v != 0.0 for v in speeds.values())
    if not (moving or c.lock or c.unlock or c.size_ref is not None):
        return []
    broken = _twistlock_and_hoist(s, c, speeds, limits)
    broken += [f"motion written with {why}" for why in _stops(s, limits)]
    broken += _wind_stop(s, c, speeds, moving, limits)
    for axis, forward_ok, reverse_ok in LIMITS:
        if speeds[axis] > 0.0 and not is_true(s, forward_ok):
            broken.append(f"{axis} written toward its operated forward/upper limit")
        if speeds[axis] < 0.0 and not is_true(s, reverse_ok):
            broken.append(f"{axis} written toward its operated reverse/lower limit")
    return broken


def _twistlock_and_hoist(
    s: Snapshot, c: Commands, speeds: Mapping[str, float], limits: InterlockSettings
) -> list[str]:
    broken: list[str] = []
    if (c.lock or c.unlock) and not all_landed(s):
        broken.append("lock/unlock written without all four corners landed")
    load = number(s, "hoist.load")
    if c.unlock and (load is None or load >= limits.twistlock_load_t):
        broken.append(f"unlock written with the twistlocks carrying {load} t")
    if speeds["hoist"] > 0.0:
        if not lock_state_clean(s):
            broken.append("hoist up written with a mixed or unknown twistlock state")
        if load is None or load > limits.overload_trip_t:
            broken.append(f"hoist up written with the load at {load} t (> 110 % SWL or unknown)")
    return broken


def _stops(s: Snapshot, limits: InterlockSettings) -> list[str]:
    """Why nothing may move now (empty when motion is allowed)."""
    wind = number(s, "env.wind")
    stops = {
        "a comms fault": not s.comms_ok,
        "the e-stop chain open": not is_true(s, "plc.estop_ok"),
        "the PLC not in remote": not is_true(s, "plc.remote"),
        "the PLC watchdog tripped": not is_false(s, "plc.watchdog_trip"),
        "a drive faulted or not ready": not all(
            is_false(s, f"{a}.fault") and is_true(s, f"{a}.ready") for a in AXES
        ),
        "the wind unknown": wind is None,
        "bad data": any(r.quality is Quality.BAD for r in s.readings.values()),
    }
    return [why for why, on in stops.items() if on]


def _wind_stop(
    s: Snapshot,
    c: Commands,
    speeds: Mapping[str, float],
    moving: bool,
    limits: InterlockSettings,
) -> list[str]:
    wind = number(s, "env.wind")
    if wind is not None and wind < limits.wind_stop_mps:
        return []
    broken: list[str] = []
    if speeds["gantry"] or speeds["trolley"] or c.lock:
        broken.append(f"travel or lock written with the wind at {wind} m/s")
    pressed = any(not is_false(s, f"spreader.landed_{c}") for c in CORNERS)
    load = number(s, "hoist.load")
    hangs = load is not None and load >= limits.twistlock_load_t  # (a box's roof may press
    hangs = hangs and not is_true(s, "hoist.slack_rope")  # the pins as it hangs)
    if speeds["hoist"] > 0.0 and pressed and not hangs:
        broken.append(f"a load lifted off its support with the wind at {wind} m/s")
    allowed = limits.wind_stop_allows_lowering
    if c.size_ref is not None or (not allowed and (moving or c.unlock)):
        broken.append(f"motion written with the wind at {wind} m/s")
    return broken


def plc_mismatch(
    plc: Mapping[str, Value], written: Commands, resolution: Mapping[str, float] | None = None
) -> str | None:
    """Why the PLC's commands are not ``written`` (None when they are). ``resolution``: per
    speed reference, how far the PLC's value may be from the written one (one count of a scaled
    integer register); default :data:`REF_TOLERANCE`."""
    tolerance = resolution or {}
    want: dict[str, bool | float] = {
        "gantry.speed_ref": written.gantry_speed_ref,
        "trolley.speed_ref": written.trolley_speed_ref,
        "hoist.speed_ref": written.hoist_speed_ref,
        "spreader.lock": written.lock,
        "spreader.unlock": written.unlock,
        "drives.enable": written.drives_enable,
    }
    for name, value in want.items():
        got = plc[name]
        if isinstance(value, bool):
            same = bool(got) is value
        else:
            assert isinstance(got, int | float)
            same = got * value >= 0 and abs(got - value) <= tolerance.get(name, REF_TOLERANCE)
        if not same:
            return f"the PLC has {name}={got!r}, the supervisor wrote {value!r}"
    return None
