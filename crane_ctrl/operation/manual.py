"""Operator control in MANUAL and MAINTENANCE: jogging the axes and working the spreader by hand.

Pure: time comes in as an argument. The operator's HMI calls :meth:`ManualControl.jog` while a
jog key is held (terminal key repeat calls it again and again); a jog lasts
:attr:`ManualSettings.deadman_s` after the last call and then stops by itself, so a lost key-up,
a frozen HMI or a dropped network never leaves an axis running. Lock, unlock and telescope are
held until the spreader confirms them or their timeout runs out. Whatever comes out still
passes the interlock filter: a jog into a blocked motion is refused with the interlock's
sentence, which the HMI shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.crane import CraneParams
from crane_ctrl.motion.planner import clearance_height_m
from crane_ctrl.operation.machine import CommandRefused
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.site import CONTAINER_HEIGHT_HC_M, CONTAINER_WIDTH_M, container_length_m
from crane_ctrl.snapshot import Snapshot

__all__ = ["Jog", "ManualControl", "ManualSettings", "SpreaderAction"]

_CORNERS = (1, 2, 3, 4)
_SWING_MARGIN_M = 2.0
"""Added to a jog's reach: its stopping distance and the load swinging on past the trolley
(a 0.2 m/s^2 stop on 15 m of rope throws it about 0.6 m; the rest is margin)."""
_SWING_UNSEEN_M = 0.05
"""How far the load may hang off plumb, either way, where no good sway reading says: a jog's
path clears it sideways by that much too (with a reading, by the offset read), m."""
_EMPTY_T = 1.0
"""Below this on the load cell nothing hangs under the spreader (an empty one is tared out)."""


@dataclass(frozen=True, slots=True)
class ManualSettings:
    deadman_s: float = 0.6
    """A jog stops this long after the operator last asked for it (key repeat renews it)."""


@dataclass(frozen=True, slots=True)
class Jog:
    axis: str
    direction: int
    """+1 (increasing coordinate: forward, up) or -1."""
    until_s: float


@dataclass(frozen=True, slots=True)
class SpreaderAction:
    """Lock, unlock or telescope, held until confirmed or timed out."""

    what: str
    """"lock", "unlock" or "telescope"."""
    size_ft: int | None
    until_s: float


class ManualControl:
    """What the operator asks by hand, turned into commands each scan."""

    def __init__(self, params: CraneParams, settings: ManualSettings | None = None) -> None:
        self.params = params
        self.settings = settings or ManualSettings()
        self.jogging: Jog | None = None
        self.spreader: SpreaderAction | None = None

    def jog(self, axis: str, direction: int, now: float) -> None:
        """Move ``axis`` in ``direction`` for the dead-man time; 0 stops it."""
        if axis not in AXES:
            raise CommandRefused(f"no axis {axis!r} to jog: gantry, trolley or hoist")
        if direction not in (-1, 0, 1):
            raise CommandRefused(f"a jog direction is -1, 0 or +1, not {direction!r}")
        if direction == 0:
            self.jogging = None
            return
        self.jogging = Jog(axis, direction, now + self.settings.deadman_s)

    def stop(self) -> None:
        """Stop every jog and spreader action now."""
        self.jogging = None
        self.spreader = None

    def lock(self, now: float) -> None:
        self.spreader = SpreaderAction("lock", None, now + self.params.twistlock_confirm_timeout_s)

    def unlock(self, now: float) -> None:
        until = now + self.params.twistlock_confirm_timeout_s
        self.spreader = SpreaderAction("unlock", None, until)

    def telescope(self, size_ft: int, now: float) -> None:
        if size_ft not in (20, 40, 45):
            raise CommandRefused(f"the spreader telescopes to 20, 40 or 45 ft, not {size_ft!r}")
        until = now + self.params.telescope_timeout_s
        self.spreader = SpreaderAction("telescope", size_ft, until)

    def commands(self, snapshot: Snapshot, now: float, speed_factor: float) -> Commands:
        """This scan's commands: the jog at ``speed_factor`` of rated, the spreader action."""
        self._expire(snapshot, now)
        out = Commands(drives_enable=True)
        jog = self.jogging
        if jog is not None:
            out = out.with_speed(jog.axis, jog.direction * self._rated(jog.axis) * speed_factor)
        action = self.spreader
        if action is not None:
            if action.what == "lock":
                out = replace(out, lock=True)
            elif action.what == "unlock":
                out = replace(out, unlock=True)
            else:
                out = replace(out, size_ref=action.size_ft)
        return out

    def clear_below_m(
        self, snapshot: Snapshot, yard: YardModel, speed_factor: float
    ) -> float | None:
        """The lowest hoist height at which the jog's path ahead is clear of the yard, or
        ``None`` (no travel jog, or position unknown: the interlock's safe travel height holds).

        The path runs from the spreader's position in the jog's direction as far as the jog can
        carry it (its speed over the dead-man time and a second more, plus
        :data:`_SWING_MARGIN_M` for the stop and the swing it throws forward), with
        the spreader's footprint (45 ft when the size is unknown) grown by how far the load hangs
        off plumb (the sway read now; :data:`_SWING_UNSEEN_M` without a good reading) and, when
        the load cell says something hangs on it, a high-cube container's height under it. The
        same rule as automatic travel: the travel-height interlock then lets a low jog through
        where nothing stands in the way, and stops it short of anything that does.
        """
        jog = self.jogging
        x, y = snapshot.number("gantry.position"), snapshot.number("trolley.position")
        if jog is None or jog.axis == "hoist" or x is None or y is None:
            return None
        reach = jog.direction * (self._rated(jog.axis) * speed_factor
                                 * (self.settings.deadman_s + 1.0) + _SWING_MARGIN_M)  # fmt: skip
        end = (x + reach, y) if jog.axis == "gantry" else (x, y + reach)
        size = snapshot.number("spreader.size")
        length = container_length_m(int(size) if size in (20, 40, 45) else 45)
        load = snapshot.number("hoist.load")
        carrying = CONTAINER_HEIGHT_HC_M if load is None or load > _EMPTY_T else 0.0
        sway = snapshot.number("sway.gantry"), snapshot.number("sway.trolley")
        aside = _SWING_UNSEEN_M if None in sway else max(abs(v or 0.0) for v in sway)
        return clearance_height_m(
            ((x, y), end), list(yard.obstacles()), carrying_height_m=carrying,
            clearance_m=self.params.safe_clearance_m,
            half_size_m=(length / 2, CONTAINER_WIDTH_M / 2), margin_m=aside,
        )  # fmt: skip

    @property
    def active(self) -> bool:
        return self.jogging is not None or self.spreader is not None

    def _expire(self, snapshot: Snapshot, now: float) -> None:
        if self.jogging is not None and now >= self.jogging.until_s:
            self.jogging = None
        action = self.spreader
        if action is not None and (now >= action.until_s or _confirmed(action, snapshot)):
            self.spreader = None

    def _rated(self, axis: str) -> float:
        p = self.params
        if axis == "gantry":
            return p.gantry_speed_loaded_mps
        if axis == "trolley":
            return p.trolley_speed_mps
        return p.hoist_speed_loaded_mps


def _confirmed(action: SpreaderAction, snapshot: Snapshot) -> bool:
    if action.what == "telescope":
        return snapshot.number("spreader.size") == action.size_ft
    name = "locked" if action.what == "lock" else "unlocked"
    return all(snapshot.flag(f"spreader.{name}_{c}", unsafe=False) for c in _CORNERS)
