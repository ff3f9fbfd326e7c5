"""Which TOS order goes to which crane of a block, and what the TOS is told. Pure.

:class:`Dispatcher` holds every order it was given (:class:`Tracked`, immutable) and answers
three things, each with the time as an argument and no I/O:

* :meth:`Dispatcher.receive`: a message from the TOS (an order, a cancel, a refusal of one);
* :meth:`Dispatcher.observe`: the fleet now (a :class:`FleetView`): what the cranes report of
  the jobs they were given (``Job/Id``, ``Job/State``, ``Job/Ended``), and cranes gone offline;
* :meth:`Dispatcher.assign`: the waiting orders to cranes, by one rule: a crane of the block
  that is online and in an automatic mode (the pinned one only, for a pinned order), the least
  loaded (its queue and job, or the orders it was given and has not ended, whichever is more),
  then the nearest (gantry position to the order's pick-up slot, when the block's site is
  known), then by name; the most urgent order first, then the oldest.

Each returns the :class:`Event` s to publish and the :class:`Action` s (``job.add`` and
``job.cancel`` at a station) to carry out; the service reports back with :meth:`sent`. A crane
that goes offline: its orders not started wait for another crane (the job it held is cancelled
there when it comes back); a started one fails ``interrupted`` and is never run again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from crane_ctrl.fleet.fleet_view import CraneView, FleetView
from crane_ctrl.fleet.tos_orders import TIC_STEP, Cancel, Order, Refusal
from crane_ctrl.site import SiteLayout, parse_slot

__all__ = ["Action", "Dispatcher", "Event", "Phase", "Tracked"]

AUTOMATIC = frozenset({"fullautomatic", "semiautomatic"})
"""Modes in which a crane takes jobs (``Operation/Mode``)."""
JOB_ID, JOB_STATE, JOB_ENDED, QUEUED = "Job/Id", "Job/State", "Job/Ended", "Job/Queued"
MODE, GANTRY = "Operation/Mode", "Gantry/Position"


class Phase(StrEnum):
    WAITING = "waiting"
    """Valid, no crane yet (none can take it now)."""
    SENDING = "sending"
    """``job.add`` sent to :attr:`Tracked.crane`, its answer not in."""
    QUEUED = "queued"
    """In the crane's queue, not started."""
    STARTED = "started"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL = frozenset({Phase.DONE, Phase.FAILED, Phase.CANCELLED})
AT_CRANE = frozenset({Phase.SENDING, Phase.QUEUED, Phase.STARTED})


@dataclass(frozen=True, slots=True)
class Tracked:
    """One order and where it stands."""

    order: Order
    phase: Phase
    received_ms: int
    crane: str | None = None
    job: str | None = None
    """The station's job id of the present attempt (the order id, ``~N`` from the second)."""
    attempt: int = 0
    state: str | None = None
    """The station's job state last reported (``moving_to_collect`` ...)."""
    reason: str = ""
    cancelling: bool = False
    """The TOS cancelled it while it sat in a crane's queue: ``job.cancel`` goes there."""
    left: tuple[tuple[str, str], ...] = ()
    """(crane, job) of earlier attempts on cranes that went offline: cancelled when back."""

    def to_json(self) -> str:
        doc = {"order": self.order.content(), "phase": str(self.phase), "received_ms":
               self.received_ms, "crane": self.crane, "job": self.job, "attempt": self.attempt,
               "state": self.state, "reason": self.reason, "cancelling": self.cancelling,
               "left": [list(x) for x in self.left]}  # fmt: skip
        return json.dumps(doc)

    @classmethod
    def from_json(cls, text: str) -> Tracked:
        d = json.loads(text)
        return cls(Order.of(d["order"]), Phase(d["phase"]), d["received_ms"], d["crane"],
                   d["job"], d["attempt"], d["state"], d["reason"], d["cancelling"],
                   tuple((c, j) for c, j in d["left"]))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    """What the TOS is told (``docs/tos-event.schema.json``)."""

    event: str
    order: str | None
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Action:
    """A command for a station: ``job.add`` (``args``) or ``job.cancel``."""

    order: str
    crane: str
    cmd: str
    args: Mapping[str, Any]


Out = tuple[list[Event], list[Action]]


class Dispatcher:
    """The orders of one block (group) and the rule that gives them to its cranes."""

    def __init__(self, block: str, orders: Iterable[Tracked] = (),
                 site: SiteLayout | None = None) -> None:  # fmt: skip
        self.block, self.site = block, site
        self.orders: dict[str, Tracked] = {t.order.id: t for t in orders}
        self.changed: set[str] = set()
        """Order ids changed since the caller last cleared this (what to store)."""

    def _put(self, tracked: Tracked) -> Tracked:
        self.orders[tracked.order.id] = tracked
        self.changed.add(tracked.order.id)
        return tracked

    # --- from the TOS

    def receive(self, message: Order | Cancel | Refusal, now_ms: int) -> Out:
        if isinstance(message, Refusal):
            return [_refused(message.order, message.field, message.reason)], []
        if isinstance(message, Cancel):
            return self._cancel(message.id, now_ms)
        known = self.orders.get(message.id)
        if known is None:
            self._put(Tracked(message, Phase.WAITING, now_ms))
            return [], []
        if known.order != message:
            return [_refused(message.id, "order", "this order id was given before with other "
                             "content: an order id names one order")], []  # fmt: skip
        return [self._status(known)], []  # the same order again: say where it stands

    def _cancel(self, order_id: str, now_ms: int) -> Out:
        t = self.orders.get(order_id)
        if t is None:
            return [_refused(order_id, "order", "no such order to cancel")], []
        if t.phase in FINAL:
            return [self._status(t)], []
        if t.phase is Phase.STARTED:
            return [_refused(order_id, "type", f"started on {t.crane}: a started job is "
                             "stopped by the crane's operator, not cancelled")], []  # fmt: skip
        if t.phase is Phase.WAITING:
            self._put(replace(t, phase=Phase.CANCELLED, reason="cancelled by the TOS"))
            return [Event("cancelled", order_id, {"reason": "cancelled by the TOS"})], []
        self._put(replace(t, cancelling=True))
        assert t.crane is not None
        assert t.job is not None
        return [], [Action(order_id, t.crane, "job.cancel", {"job": t.job})]

    def _status(self, t: Tracked) -> Event:
        fields: dict[str, Any] = {"phase": str(t.phase), "crane": t.crane}
        if t.reason:
            fields["reason"] = t.reason
        return Event("status", t.order.id, fields)

    # --- from the cranes

    def observe(self, view: FleetView, now_ms: int) -> Out:
        """What the cranes of the block report of the orders' jobs."""
        events: list[Event] = []
        actions: list[Action] = []
        cranes = {c.key.node: c for c in view.cranes if c.key.group == self.block}
        for t in list(self.orders.values()):
            if t.phase in AT_CRANE and t.crane is not None:
                crane = cranes.get(t.crane)
                events += self._follow(t, crane) if crane is not None else []
            actions += self._left_behind(self.orders[t.order.id], cranes)
        return events, actions

    def _follow(self, t: Tracked, crane: CraneView) -> list[Event]:
        if not crane.online:
            return self._lost(t, crane)
        ended = _ended(crane)
        if ended is not None and ended.get("job") == t.job:
            return self._ended(t, str(ended.get("state")), str(ended.get("reason", "")))
        if t.phase is not Phase.SENDING and crane.text(JOB_ID) == t.job:
            state = crane.text(JOB_STATE)
            if state is not None and state != t.state:
                self._put(replace(t, phase=Phase.STARTED, state=state))
                return [self._progress(t, s) for s in _steps(t.state, state)]
        return []

    def _progress(self, t: Tracked, state: str) -> Event:
        return Event("progress", t.order.id, {"crane": t.crane, "step": TIC_STEP.get(state, state),
                                              "state": state})  # fmt: skip

    def _lost(self, t: Tracked, crane: CraneView) -> list[Event]:
        why = f"{crane.key.node} went offline ({crane.why or 'no reason given'})"
        if t.phase is Phase.STARTED:
            reason = (f"interrupted: {why} during the job ({t.state}); not run again: check "
                      "where the container is")  # fmt: skip
            self._put(replace(t, phase=Phase.FAILED, reason=reason))
            return [Event("failed", t.order.id, {"crane": t.crane, "reason": reason})]
        assert t.crane is not None
        assert t.job is not None
        left = (*t.left, (t.crane, t.job))
        if t.cancelling:
            self._put(replace(t, phase=Phase.CANCELLED, reason="cancelled by the TOS", left=left))
            return [Event("cancelled", t.order.id, {"reason": "cancelled by the TOS"})]
        reason = f"{why} before starting it: to be dispatched again"
        self._put(replace(t, phase=Phase.WAITING, crane=None, job=None, state=None,
                          reason=reason, left=left))  # fmt: skip
        return [Event("waiting", t.order.id, {"reason": reason})]

    def _ended(self, t: Tracked, state: str, reason: str) -> list[Event]:
        phase = {"done": Phase.DONE, "cancelled": Phase.CANCELLED}.get(state, Phase.FAILED)
        reason = "cancelled by the TOS" if t.cancelling and phase is Phase.CANCELLED else reason
        self._put(replace(t, phase=phase, state=state, reason=reason))
        fields = {"crane": t.crane} | ({"reason": reason} if phase is not Phase.DONE else {})
        skipped = _steps(t.state, "done")[:-1] if phase is Phase.DONE else []
        return [*(self._progress(t, s) for s in skipped), Event(str(phase), t.order.id, fields)]

    def _left_behind(self, t: Tracked, cranes: Mapping[str, CraneView]) -> list[Action]:
        """``job.cancel`` for a job an earlier attempt left on a crane now back online."""
        return [Action(t.order.id, crane, "job.cancel", {"job": job}) for crane, job in t.left
                if (c := cranes.get(crane)) is not None and c.online]  # fmt: skip

    # --- assigning

    def assign(self, view: FleetView, now_ms: int) -> Out:
        """The waiting orders, most urgent first, to the cranes that can take them."""
        cranes = [c for c in view.cranes if c.key.group == self.block]
        loads = {c.key.node: self._load(c) for c in cranes}
        events: list[Event] = []
        actions: list[Action] = []
        waiting = sorted((t for t in self.orders.values() if t.phase is Phase.WAITING),
                         key=lambda t: (t.order.priority, t.received_ms, t.order.id))  # fmt: skip
        for t in waiting:
            crane, why = self._choose(t.order, cranes, loads)
            if crane is None:
                if why != t.reason:
                    self._put(replace(t, reason=why))
                    events.append(Event("waiting", t.order.id, {"reason": why}))
                continue
            loads[crane] += 1
            actions.append(self._send(t, crane))
        return events, actions

    def _send(self, t: Tracked, crane: str) -> Action:
        attempt = t.attempt + 1
        job = t.order.id if attempt == 1 else f"{t.order.id}~{attempt}"
        self._put(replace(t, phase=Phase.SENDING, crane=crane, job=job, attempt=attempt,
                          reason=""))  # fmt: skip
        o = t.order
        args: dict[str, Any] = {"from": o.from_slot, "to": o.to_slot, "size_ft": o.size_ft,
                                "container": o.container, "job": job}  # fmt: skip
        if o.declared_mass_t is not None:
            args["declared_mass_t"] = o.declared_mass_t
        return Action(o.id, crane, "job.add", args)

    def _load(self, crane: CraneView) -> int:
        queued = crane.value(QUEUED)
        station = (queued if isinstance(queued, int) else 0) + (crane.value(JOB_ID) is not None)
        ours = sum(1 for t in self.orders.values()
                   if t.crane == crane.key.node and t.phase in AT_CRANE)  # fmt: skip
        return max(int(station), ours)

    def _choose(self, order: Order, cranes: list[CraneView], loads: Mapping[str, int]
                ) -> tuple[str | None, str]:  # fmt: skip
        """The crane for ``order``, or ``None`` and why none."""
        pinned = [c for c in cranes if c.key.node == order.crane] if order.crane else cranes
        if order.crane and not pinned:
            return None, f"pinned to {order.crane}, which is not a crane of {self.block} seen"
        able = [c for c in pinned if c.online and c.text(MODE) in AUTOMATIC]
        if not able:
            return None, (f"{order.crane} is not online in an automatic mode" if order.crane
                          else f"no crane of {self.block} online in an automatic mode")  # fmt: skip
        x = self._pick_x(order)
        best = min(able, key=lambda c: (loads[c.key.node], _distance(c, x), c.key.node))
        return best.key.node, ""

    def _pick_x(self, order: Order) -> float | None:
        if self.site is None:
            return None
        try:
            return self.site.slot_centre(parse_slot(order.from_slot), order.size_ft)[0]
        except (ValueError, KeyError):
            return None

    # --- the service's report

    def sent(self, action: Action, *, done: bool, why: str, values: Mapping[str, Any],
             now_ms: int) -> list[Event]:  # fmt: skip
        """The station's answer to ``action`` (``done`` false and ``why`` "" : no answer)."""
        t = self.orders.get(action.order)
        if t is None:
            return []
        if action.cmd == "job.cancel":
            return self._cancel_answer(t, action, done=done, why=why)
        if t.phase is not Phase.SENDING or t.job != action.args.get("job"):
            return []
        if done or "in use" in why:  # a retry of an add the station had taken
            self._put(replace(t, phase=Phase.QUEUED))
            return [Event("accepted", t.order.id, {"crane": action.crane, "job": t.job})]
        if not why:  # no answer: the next assign sends it again (the same job id)
            self._put(replace(t, phase=Phase.WAITING, attempt=t.attempt - 1))
            return []
        reason = f"{action.crane} refused the job: {why}"
        self._put(replace(t, phase=Phase.FAILED, reason=reason))
        return [_refused(t.order.id, "station", reason)]

    def _cancel_answer(self, t: Tracked, action: Action, *, done: bool, why: str) -> list[Event]:
        job = str(action.args.get("job"))
        if (action.crane, job) in t.left and (done or "no job" in why or "cancelled" in why):
            self._put(replace(t, left=tuple(x for x in t.left if x != (action.crane, job))))
            return []
        if job == t.job and not done and why:
            self._put(replace(t, cancelling=False))
            return [_refused(t.order.id, "type", f"{action.crane} did not cancel it: {why}")]
        return []  # done: Job/Ended says cancelled, and observe tells the TOS


_SEQUENCE = ("moving_to_collect", "ready_to_collect", "moving_to_deliver", "ready_to_deliver",
             "done")  # fmt: skip
"""A job's states in the one order the station allows (``JOB_TRANSITIONS``)."""


def _steps(last: str | None, now: str) -> list[str]:
    """The states from ``last`` (excluded) to ``now``: a step too short to be seen between
    two looks at the fleet (a lock takes a second) still happened, and is reported, in order."""
    if now not in _SEQUENCE or (last is not None and last not in _SEQUENCE):
        return [now]
    start = 0 if last is None else _SEQUENCE.index(last) + 1
    return list(_SEQUENCE[start : _SEQUENCE.index(now) + 1]) or [now]


def _refused(order: str | None, field_name: str, reason: str) -> Event:
    return Event("refused", order, {"field": field_name, "reason": reason})


def _ended(crane: CraneView) -> dict[str, Any] | None:
    text = crane.text(JOB_ENDED)
    try:
        doc = json.loads(text) if text else None
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _distance(crane: CraneView, x: float | None) -> float:
    gantry = crane.number(GANTRY)
    return 0.0 if x is None or gantry is None else abs(gantry - x)
