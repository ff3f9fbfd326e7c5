"""The telescopic spreader: length, four twistlocks and four landing pins.

Telescope: the spreader's length moves towards the commanded size at a constant rate (20 <-> 40
ft takes ``telescope_time_s``; 40 <-> 45 ft the length-proportional share). ``size_ft`` reads the
nominal size only when the length sits exactly on one, 0 while moving.

Twistlocks: each has a turn position from 0 (fully unlocked) to 1 (fully locked) and turns at
``1 / twistlock_turn_time_s`` per second while ``lock`` (towards 1) or ``unlock`` (towards 0) is
held, and stays where it is otherwise or when both are held. The locked sensor reads position 1,
the unlocked sensor position 0; both read False while turning. The PLC's hardwired interlock lets
the twistlocks turn only while all four landing pins *read* pressed (so a pin stuck pressed
defeats it, as on a real crane). A twistlock carrying weight does not turn at all (:attr:`loaded`):
the casting holds it by friction.

Landing pins: the plant decides whether each corner is physically pressed (:attr:`pins`); what
the sensor reads can be overridden per corner by a stuck-pin fault.

Fault hooks (plain attributes for the later fault layer): :attr:`jammed` corners whose twistlock
fails to turn, :attr:`stuck_pins` corners whose landing pin reads a fixed value,
:attr:`interlock_bypassed` the keyed maintenance bypass of the landed interlock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crane_ctrl.crane import CraneParams
from crane_ctrl.site import CONTAINER_LENGTH_M, container_length_m

__all__ = ["CORNERS", "Spreader"]

CORNERS = (1, 2, 3, 4)
"""Corner numbers, as in the per-corner canonical signals."""

_SIZE_BY_LENGTH = {length: size for size, length in CONTAINER_LENGTH_M.items()}
_STROKE_20_40_M = CONTAINER_LENGTH_M[40] - CONTAINER_LENGTH_M[20]


@dataclass(slots=True)
class Spreader:
    """A telescopic twin-twistlock spreader (state, commands applied by :meth:`step`)."""

    telescope_rate_mps: float
    """Rate of change of the spreader's length, m/s."""
    twistlock_rate_per_s: float
    """Twistlock turn per second as a fraction of a full turn."""
    length_m: float
    """Current length (distance between twistlock centres as a container length), m."""
    twistlocks: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])
    """Turn position per corner: 0 fully unlocked .. 1 fully locked."""
    pins: tuple[bool, bool, bool, bool] = (False, False, False, False)
    """Whether each corner's landing pin is physically pressed (set by the plant)."""
    jammed: set[int] = field(default_factory=set)
    """Fault hook: corners (1..4) whose twistlock fails to turn."""
    stuck_pins: dict[int, bool] = field(default_factory=dict)
    """Fault hook: corner (1..4) -> the value its landing pin sensor reads regardless."""
    interlock_bypassed: bool = False
    """Fault hook: maintenance bypass; twistlocks turn even when not all pins read pressed."""
    loaded: bool = False
    """The twistlocks carry a container's weight (set by the plant): a twistlock under load is
    held in its casting by friction and does not turn, bypass or not. With pins that stay
    pressed while a box hangs, this is what keeps a hanging box on."""

    @classmethod
    def from_params(cls, params: CraneParams, size_ft: int) -> Spreader:
        """A spreader telescoped to ``size_ft`` with all twistlocks unlocked."""
        return cls(
            telescope_rate_mps=_STROKE_20_40_M / params.telescope_time_s,
            twistlock_rate_per_s=1.0 / params.twistlock_turn_time_s,
            length_m=container_length_m(size_ft),
        )

    @property
    def size_ft(self) -> int:
        """Nominal size in feet when telescoped to one, 0 while telescoping."""
        return _SIZE_BY_LENGTH.get(self.length_m, 0)

    def landed_sensed(self) -> tuple[bool, bool, bool, bool]:
        """What the four landing-pin sensors read (physical state unless stuck)."""
        if not self.stuck_pins:
            return self.pins
        s = self.stuck_pins
        p = self.pins
        return (s.get(1, p[0]), s.get(2, p[1]), s.get(3, p[2]), s.get(4, p[3]))

    def locked(self) -> tuple[bool, bool, bool, bool]:
        """Locked sensors: twistlock fully locked."""
        t = self.twistlocks
        return (t[0] >= 1.0, t[1] >= 1.0, t[2] >= 1.0, t[3] >= 1.0)

    def unlocked(self) -> tuple[bool, bool, bool, bool]:
        """Unlocked sensors: twistlock fully unlocked."""
        t = self.twistlocks
        return (t[0] <= 0.0, t[1] <= 0.0, t[2] <= 0.0, t[3] <= 0.0)

    def all_locked(self) -> bool:
        """All four twistlocks fully locked: the container is safely held."""
        t = self.twistlocks
        return t[0] >= 1.0 and t[1] >= 1.0 and t[2] >= 1.0 and t[3] >= 1.0

    def all_free(self) -> bool:
        """All four twistlocks fully unlocked: nothing connects spreader and container."""
        t = self.twistlocks
        return t[0] <= 0.0 and t[1] <= 0.0 and t[2] <= 0.0 and t[3] <= 0.0

    def step(self, lock: bool, unlock: bool, size_ref_ft: int, dt: float) -> bool:
        """Telescope towards ``size_ref_ft`` and turn the twistlocks; True if the length moved.

        A ``size_ref_ft`` that is not 20, 40 or 45 holds the telescope where it is.
        """
        self._turn(lock, unlock, dt)
        target = CONTAINER_LENGTH_M.get(size_ref_ft)
        length = self.length_m
        if target is None or target == length:
            return False
        travel = self.telescope_rate_mps * dt
        if abs(target - length) <= travel:
            self.length_m = target
        else:
            self.length_m = length + (travel if target > length else -travel)
        return True

    def _turn(self, lock: bool, unlock: bool, dt: float) -> None:
        if lock == unlock or self.loaded:
            return
        if not self.interlock_bypassed and not all(self.landed_sensed()):
            return
        delta = self.twistlock_rate_per_s * dt * (1.0 if lock else -1.0)
        t = self.twistlocks
        for i in range(4):
            if i + 1 not in self.jammed:
                t[i] = min(1.0, max(0.0, t[i] + delta))
