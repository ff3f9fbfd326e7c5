"""A scenario's script: its faults and operator actions, each fired once it falls due.

A fault falls due at ``at_s`` or at the first scan its ``when`` condition holds, and is cleared at
``clear_at_s``, ``clear_after_s`` after it fired, or when ``clear_when`` holds. An action falls due
at ``at_s``, or once its ``when`` has held for ``delay_s`` (again each ``repeat_s`` while it
holds). Conditions are judged on the last scan's sample. The rig's own ``supervisor_freeze``
sets :attr:`Script.frozen_until`; the others go through the :class:`~.injection.Injector`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crane_ctrl.rig.conditions import Condition
from crane_ctrl.rig.injection import Injector
from crane_ctrl.rig.loading import Scenario
from crane_ctrl.rig.scenario import RIG_FAULTS, ActionEntry, FaultEntry
from crane_ctrl.rig.timeline import EventLog, Firing, Sample
from simulators.faults import FaultError

__all__ = ["Script"]

_EPS = 1e-9
Act = Callable[[ActionEntry, float], str]
"""Take an operator action at a crane time; returns why it was refused ("" if it was not)."""


@dataclass
class _Item:
    """A fault or an action of the script and how far it got."""

    index: int
    fired_s: float | None = None
    key: str | None = None
    cleared_s: float | None = None
    note: str = ""
    """Why it did not fire (or its clearing failed)."""
    pending_s: float | None = None
    """Since when an action's condition has held."""


class Script:
    """Fires the scenario's faults and actions as they fall due (:meth:`play`, every scan)."""

    def __init__(self, scenario: Scenario, injector: Injector, journal: EventLog, act: Act) -> None:
        self.scenario = scenario
        self.injector = injector
        self.journal = journal
        self.act = act
        self.frozen_until = -1.0
        """Crane time until which the supervisor is frozen (``supervisor_freeze``)."""
        self._faults = [_Item(i) for i in range(len(scenario.spec.faults))]
        self._actions = [_Item(i) for i in range(len(scenario.spec.actions))]

    async def play(self, now: float, last: Sample | None) -> None:
        for item, fault in zip(self._faults, self.scenario.spec.faults, strict=True):
            await self._fault(item, fault, now, last)
        for item, action in zip(self._actions, self.scenario.spec.actions, strict=True):
            self._action(item, action, now, last)

    def firings(self) -> tuple[list[Firing], list[Firing], list[Firing]]:
        """What happened to each fault, each clearing and each action (or why not)."""
        faults = list(zip(self.scenario.spec.faults, self._faults, strict=True))
        injected = [_firing(f"fault {s.index + 1} ({f.fault})", s, "injected") for f, s in faults]
        clears = [
            Firing(f"clearing of fault {s.index + 1} ({f.fault})", s.cleared_s, _clear_note(s))
            for f, s in faults
            if f.clear_at_s or f.clear_after_s or f.clear_when
        ]
        actions = zip(self.scenario.spec.actions, self._actions, strict=True)
        acted = [_firing(f"action {s.index + 1} ({_label(a)})", s, "acted") for a, s in actions]
        return injected, clears, acted

    # --- faults

    async def _fault(self, item: _Item, fault: FaultEntry, now: float, last: Sample | None) -> None:
        if item.fired_s is None:
            if _due(fault.at_s, self._when("faults", item.index, "when"), now, last):
                await self._inject(item, fault, now)
            return
        if item.cleared_s is not None or item.key is None:
            return
        clear_at = fault.clear_at_s
        if fault.clear_after_s is not None:
            clear_at = item.fired_s + fault.clear_after_s
        if _due(clear_at, self._when("faults", item.index, "clear_when"), now, last):
            item.cleared_s = now
            try:
                await self.injector.clear(item.key)
            except FaultError as exc:
                item.note = f"clearing failed: {exc}"

    async def _inject(self, item: _Item, fault: FaultEntry, now: float) -> None:
        item.fired_s = now
        if fault.fault in RIG_FAULTS:
            self.frozen_until = now + float(fault.params["seconds"])
            return
        if self.injector.skipped:
            item.fired_s, item.note = None, self.injector.skipped
            return
        try:
            item.key = await self.injector.inject(fault.fault, fault.params)
        except FaultError as exc:
            item.fired_s, item.note = None, f"failed: {exc}"
        else:
            self.journal.record("rig", "fault", fault=fault.fault, params=dict(fault.params))

    # --- actions

    def _action(self, item: _Item, action: ActionEntry, now: float, last: Sample | None) -> None:
        if item.fired_s is not None and action.repeat_s is None:
            return
        if action.at_s is not None:
            due = now >= action.at_s - _EPS
        else:
            again = item.fired_s is None or now - item.fired_s >= (action.repeat_s or 0.0) - _EPS
            due = self._held_for(item, action.delay_s, now, last) and again
        if not due:
            return
        item.fired_s, item.pending_s = now, None
        refused = self.act(action, now)
        self.journal.record(
            "operator", action.action, user="rig", refused=refused, **_params(action)
        )

    def _held_for(self, item: _Item, delay_s: float, now: float, last: Sample | None) -> bool:
        """Whether the action's condition has held (on the last sample) for ``delay_s``."""
        when = self._when("actions", item.index, "when")
        if when is None or last is None or not when.holds(last.value):
            item.pending_s = None
            return False
        item.pending_s = now if item.pending_s is None else item.pending_s
        return now - item.pending_s >= delay_s - _EPS

    def _when(self, *key: str | int) -> Condition | None:
        return self.scenario.conditions.get(tuple(str(k) for k in key))


def _params(action: ActionEntry) -> dict[str, str]:
    """What an action names besides itself (its mode, its job), for the journal."""
    given = {"mode": action.mode, "job": action.job}
    return {name: value for name, value in given.items() if value is not None}


def _label(action: ActionEntry) -> str:
    """``stop``, ``mode manual``, ``cancel J2``."""
    return " ".join([action.action, *_params(action).values()])


def _firing(what: str, item: _Item, verb: str) -> Firing:
    note = item.note
    if item.fired_s is None and not note:
        note = f"never {verb}: its time or condition never came"
    return Firing(what, item.fired_s, note)


def _clear_note(item: _Item) -> str:
    if item.cleared_s is not None:
        return item.note
    if item.note.startswith("skipped"):
        return "skipped: the fault was not injected"
    return "its time or condition never came"


def _due(at_s: float | None, when: Condition | None, now: float, last: Sample | None) -> bool:
    if at_s is not None:
        return now >= at_s - _EPS
    return when is not None and last is not None and when.holds(last.value)
