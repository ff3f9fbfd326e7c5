"""The sequencer's vocabulary: its steps, how a job ends, its settings and shared margins. Pure.

A :class:`Step`'s value is the word the journal, the scenario files and the rig's vocabulary
use ("lower", "held", ...): it never changes. What each step does is in the step table
(:mod:`crane_ctrl.sequencer.steps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from crane_ctrl.operation.machine import ModeSettings

__all__ = [
    "APPROACH_M",
    "OVERSHOOT_M",
    "OVERTRAVEL_M",
    "SETTLE_MARGIN_M",
    "STILL_MPS",
    "TRIAL_CREEP_ON_M",
    "Outcome",
    "SequencerSettings",
    "Step",
]

APPROACH_M = 1.0
"""Where the operator lands, the hand-over height over the landing (twistlock plane over its
touchdown height), m."""

OVERTRAVEL_M = 0.3
"""Lowering aims this far below the landing height: the pins stop it, not the target."""

OVERSHOOT_M = 0.05
"""Aim this far above a raise goal so the hoist passes it rather than creeping up to it."""

STILL_MPS = 0.01
"""A hoist slower than this counts as stopped (the hand-over waits for it), m/s."""

SETTLE_MARGIN_M = 0.25
"""Damping sway where the crane stands moves it a little: the path-clear height it gives the
travel interlock covers the load's footprint grown by this, m."""

TRIAL_CREEP_ON_M = 0.05
"""The trial lift creeps on this far past its height while the weight settles, m: the rise
that follows then starts from a hoist already moving up instead of stopping and starting
again. An overweight box is still caught: the weight counts from lift-off, and the overload
interlock blocks hoisting up."""


class Step(StrEnum):
    IDLE = "idle"
    TELESCOPE = "telescope"
    """Not entered by the sequencer (the empty spreader telescopes during the leg); kept for
    the vocabulary."""
    RAISE = "raise"
    TRAVEL = "travel"
    LOWER = "lower"
    LOCK = "lock"
    TRIAL_LIFT = "trial lift"
    SET_BACK = "set back down"
    UNLOCK = "unlock"
    RAISE_CLEAR = "raise clear"
    SETTLE = "settle sway"
    WIND_SET_DOWN = "wind set down"
    """At the wind stop, the box lowered straight down onto a legal place below it."""
    WIND_RAISE = "wind raise clear"
    """At the wind stop, the load raised until its swing envelope clears every neighbour."""
    OPERATOR_LANDING = "operator landing"
    """SEMIAUTOMATIC: over the landing at the approach height, the operator jogs and confirms."""
    HELD = "held"


class Outcome(StrEnum):
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SequencerSettings:
    """Timeouts and tolerances of the automatic move (defaults from DOMAIN.md).

    The crane's own figures (its site file's ``[crane]``) are not repeated here: a field left
    ``None`` is the crane's (:class:`~crane_ctrl.sequencer.controller.CraneContext` reads it
    through), and a figure given here overrides the crane's for this sequencer alone (a test
    that wants a short time-out, say)."""

    position_tolerance_m: float = 0.02
    lock_timeout_s: float | None = None
    """Twistlocks confirm locked (or unlocked) within this of the request, s; ``None``: the
    crane's ``twistlock_confirm_timeout_s``."""
    landed_timeout_s: float | None = None
    """Landed confirms within this after creep starts (plus the creep time itself: 0.5 m at
    0.1 m/s), s; ``None``: the crane's ``landed_confirm_timeout_s``."""
    telescope_timeout_s: float | None = None
    """The empty spreader is the box's size within this of the job's start, s; ``None``: the
    crane's ``telescope_timeout_s``."""
    trial_lift_m: float = 0.10
    """Drum travel of the slow first lift, at least: beyond rope stretch and the truck-lift trip
    height (a crane whose ``rope_stretch_m + truck_lift_threshold_m`` is more lifts that far:
    :attr:`~crane_ctrl.sequencer.controller.CraneContext.trial_lift_m`)."""
    trial_lift_mps: float = 0.1
    """The slow first lift, m/s: creep speed. The weight counts only after ``settle_s`` off
    the support, and the truck-lift trip (0.05 m) comes within the lift's 0.10 m."""
    settle_s: float = 1.0
    """After lift-off, hold this long before the weight counts (rope stretch, load cell)."""
    sway_tolerance_m: float = 0.04
    """Swing allowed before a move goes on after a hold (sway sensors, if fitted), m."""
    landing_sway_tolerance_m: float = 0.01
    """Swing allowed before the last of a landing, m: with the crane within the position
    tolerance it keeps the box within 20 mm of its slot (sway sensors, if fitted)."""
    sway_damping_gain: float = 0.5
    """1/s: speed added per metre of sway while holding position (moves under the load)."""
    landing_height_tolerance_m: float = 0.15
    """Landed this far from the expected height means something else is under the spreader."""
    travel_timeout_factor: float = 2.0
    """A leg that takes this many times its planned time (plus the settle allowance) holds."""
    landing_patience_s: float = 20.0
    """After this long waiting over the landing for the strict tolerances, the looser ones
    (``sway_tolerance_m``, twice the position tolerance) will do, s."""
    landing_swing_limit_m: float = 0.3
    """A swing larger than this while landing goes back to settling first (the load hoisted
    clear of what is around it, damped where it hangs), m: beyond it the landing law's damping
    would ask for more than its share of the trolley's speed."""
    settle_timeout_s: float = 90.0
    """On top of the planned leg: fine positioning and damping sway (after a stop, say)."""
    hold_on_trip: bool = True
    jog_speed_factor: float = ModeSettings().manual_speed_factor
    """Operator jogs at this share of rated speed (``ModeSettings.manual_speed_factor``)."""
    jog_hold_s: float = 0.6
    """A jog stops this long after the operator last asked for it (dead-man), s."""
    approach_m: float = APPROACH_M
    """Where the operator lands, the sequencer hands over this far above the landing, m."""
    on_wind_stop: Literal["secure", "raise_clear"] | None = None
    """A wind stop with a load hanging: set it down below if it may stand there, else raise it
    clear of its neighbours (``secure``), or always raise it clear (``raise_clear``); then hold
    (see :mod:`crane_ctrl.sequencer.wind`). ``None``: the crane's ``wind_stop_reaction``."""
