"""The job being executed: one object that holds where in it the move is. Pure.

Everything a job's steps read and write between scans lives on :class:`Run`: the step and since
when, the leg under way, the hold and what the crane measured at it, the sway watch, the hand-over,
the wind stop's set-down place. The sequencer keeps only what it last observed (the snapshot and
permits of the last scan) and the crane context (:mod:`crane_ctrl.sequencer.controller`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crane_ctrl.motion.leg import LegPlan
from crane_ctrl.operation.yard_model import YardModel
from crane_ctrl.sequencer.handover import OperatorLanding
from crane_ctrl.sequencer.leg_drive import LegDrive, LegRequest
from crane_ctrl.sequencer.model import Step
from crane_ctrl.sequencer.places import SetDownPlace
from crane_ctrl.sequencer.planning import PendingPlan
from crane_ctrl.sequencer.safety import HeldState
from crane_ctrl.sequencer.sway import SwayWatch
from crane_ctrl.sequencer.transfer import Transfer
from crane_ctrl.site import Slot

__all__ = ["BY_THE_OPERATOR", "LIFTED_UNWEIGHED_STEPS", "WIND_STOP", "Run"]

WIND_STOP = "wind stop"
"""``Run.set_down_cause`` of a set-down the wind stop makes."""
BY_THE_OPERATOR = "set down by the operator"
"""``Run.set_down_cause`` of the operator's SET DOWN."""


LIFTED_UNWEIGHED_STEPS = frozenset({Step.TRIAL_LIFT, Step.SET_BACK, Step.WIND_SET_DOWN})
"""The steps in which a box lifted at its trial lift and not weighed may hang off its pick place:
the trial lift, and setting it back there (its own failure's, or a wind stop's). After them it
was seen seated there (locking again, unlocking) or weighed (the rise, a wind stop's raise)."""


@dataclass
class Run:
    """The job being executed: where in it we are."""

    transfer: Transfer
    started: float = 0.0
    delivering: bool = False
    step: Step = Step.IDLE
    since: float = 0.0
    leg: LegDrive | None = None
    """The leg under way (raise, travel, lower); planned again after any hold."""
    planning: PendingPlan[LegRequest, LegPlan] | None = None
    """The leg's plan, asked for and not back yet: the crane waits with zero references."""
    target_z: float = 0.0
    creep_since: float | None = None
    mass_t: float | None = None
    """The box's mass as weighed at the trial lift, t."""
    trial_from_m: float | None = None
    """The hoist position the trial lift lifted the box from (seated on its pick place), m;
    ``None`` before the first trial lift. Until the box is weighed (``delivering``) and while it
    is not seated there again, what hangs on the ropes with it is not known
    (:func:`~crane_ctrl.sequencer.trial_lift.unanswered`)."""
    failure: str | None = None
    resume_step: Step | None = None
    hold_reason: str = ""
    held: HeldState | None = None
    """What the crane measured when it held: a resume checks against it."""
    interrupted: bool = False
    """Stopped or aborted by the operator (STOP, ABORT): resumed by START, not UNHOLD."""
    sway: SwayWatch = field(default_factory=SwayWatch)
    resettles: int = 0
    """Times this landing went back (planned again, settled a swing); reset by a resume."""
    stalled_since: float | None = None
    """Since when the hoist has stood still while setting the box back down."""
    taking_up_slack: bool = False
    """The landing found the spreader seated below its landing height with the ropes slack (the
    drum ran on past touchdown) and is hoisting at creep speed to take the slack up."""
    gated_since: float | None = None
    """Since when the landing waits above the creep zone (sway, position, telescope)."""
    released: bool = False
    """The landing found the load calm over its goal: it lands as it hangs, the crane still,
    until the swing grows past ``sway_tolerance_m`` (see
    :func:`crane_ctrl.sequencer.landing.ready_to_land`)."""
    operator_lands: Callable[[Slot], bool] | None = None
    handover: OperatorLanding | None = None
    wind_place: SetDownPlace | None = None
    """Where a wind stop (or the operator, after a stop) set or sets the box down."""
    set_down_cause: str = WIND_STOP
    """Why the box goes down there, for the job's failure."""
    operator_place: SetDownPlace | None = None
    """The place below the operator sent the box down to (SET DOWN). Their order stands until
    the box is down: a hold, STOP or a wind stop's raise on the way leaves it, and resumed, the
    box goes on down there, not to its destination."""
    wind_target_m: float = 0.0
    """Where a wind stop raises the load to: its swing envelope clears every neighbour, m."""
    wind_envelope_m: float = 0.0
    """How far the load may swing in that wind, as last predicted, m."""
    wind_secured: bool = False
    """A wind stop raised the hanging load clear of its neighbours and held it there: resumed,
    it would only hold again while the wind lasts."""
    secures_in_hold: bool = False
    """The securing under way (a wind set-down or raise) is the hold's own wind reaction
    (:func:`~crane_ctrl.sequencer.wind.secures_while_held`): the job is held, and the securing
    ends in a hold again."""
    sets_back_in_hold: bool = False
    """The hold's own trial-lift reaction is setting the unweighed box back down on its pick
    place (:func:`~crane_ctrl.sequencer.trial_lift.sets_back_while_held`): the job is held, and
    the set-back ends in a hold again."""
    set_back_waits: str = ""
    """Why the hold's trial-lift set-back waits for the operator's resume ("" while it may run):
    a stop trip came with the hold or since (bad data, the link, a drive fault, the e-stop, a
    person in the lane: after a trip nothing moves by itself), or it stalled, or the box hangs
    off its place."""
    hold_reaction_off: str = ""
    """Why the hold's wind reaction may not start by itself again until the operator resumes
    the move ("" while it may): the securing was held for a reason of its own (contact, a
    refused motion, a landing not confirmed, the operator's STOP or ABORT), or a trip that waits
    for an operator's reset (the e-stop, a person in the lane) came while it was held."""
    airborne: bool = False
    """The load (or the empty spreader) has hung free in this leg: contact from now on, but at
    the landing, is unexpected."""
    lift_waits: str = ""
    """Why the lift off the support waits (WIND_NO_LIFT: the wind rising to the stop limit, or
    its reading back from bad), "" while it does not: said once as it begins to wait in a
    step."""
    pull: tuple[float, float] | None = None
    """The trial lift's load cell reading, t, and hoist height, m, when the reading last grew
    (:func:`~crane_ctrl.sequencer.lift_swing.lifted_off`)."""
    lift_mass_t: float | None = None
    """The box's mass as weighed at a lift off its support that was set back down for the wind
    (:mod:`~crane_ctrl.sequencer.lift_swing`): the lift waits, knowing it, for the wind."""
    wind_set_back: str = ""
    """Why the lift was set back down for the wind ("" if it was not)."""
    telescope_given_up: str = ""
    """Why the job gave the telescope up before its deadline (the interlocks keep it from being
    asked for, and the crane must be at rest by then): it stops, then fails with this."""
    events: list[dict[str, object]] = field(default_factory=list)

    def drop_leg(self, *, keep_plan: bool = False) -> None:
        """Forget the leg and any plan for it still to come (``keep_plan``: but for the plan
        asked for ahead, which the rise takes if it still holds): the next is planned from
        where the crane then is."""
        self.leg = None
        if self.planning is not None and not keep_plan:
            self.planning.drop()
            self.planning = None

    @property
    def may_be_secured(self) -> bool:
        """The load has hung free in this leg, or was lifted off its pick place at the trial
        lift and not yet weighed (:attr:`lifted_unweighed`), and no wind stop has made it safe
        yet: a resume in wind is for making it safe, and the hold's own wind reaction may do it
        (:func:`~crane_ctrl.sequencer.safety.securing_trips`)."""
        return (self.airborne or self.lifted_unweighed) and not self.wind_secured

    @property
    def lifted_unweighed(self) -> bool:
        """The move is in (or held in) its trial lift or a set-back onto the pick place, with
        the box lifted there and not weighed (whether it still hangs, the readings say)."""
        if self.trial_from_m is None or self.delivering:
            return False
        step = self.resume_step if self.step is Step.HELD else self.step
        return step in LIFTED_UNWEIGHED_STEPS

    @property
    def carrying(self) -> bool:
        """A box hangs on (or is locked to) the spreader in this step."""
        return self.delivering and self.step not in (Step.UNLOCK, Step.RAISE_CLEAR)

    def goal_xy(self, yard: YardModel) -> tuple[float, float]:
        """Where the spreader must stand in this half of the job (collect, deliver)."""
        return self.transfer.goal_xy(yard, delivering=self.delivering)

    def landing_height_m(self, yard: YardModel) -> float:
        """The twistlock-plane height of this half's landing, m."""
        return self.transfer.landing_height_m(yard, delivering=self.delivering)

    @property
    def delivers_to(self) -> Slot:
        """Where the box the move carries goes down: the place below once a wind stop or the
        operator chose one (it is set down there, not at its destination), else the job's
        destination."""
        place = self.wind_place or self.operator_place
        return self.transfer.to if place is None else place.slot

    def delivery_height_m(self, yard: YardModel) -> float:
        """The twistlock-plane height of the landing at :attr:`delivers_to`, m."""
        place = self.wind_place or self.operator_place
        if place is not None:
            return place.landing_m
        return self.transfer.landing_height_m(yard, delivering=True)

    def operator_lands_here(self) -> bool:
        """The remote operator lands at this half's goal (SEMIAUTOMATIC)."""
        slot = self.transfer.to if self.delivering else self.transfer.box.slot
        return self.operator_lands is not None and self.operator_lands(slot)
