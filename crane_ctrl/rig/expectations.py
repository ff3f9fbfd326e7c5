"""Judge a scenario's expectations on what a run observed. Pure: no I/O, no clock.

Each expectation becomes a :class:`Verdict`: passed, failed (with the values seen) or skipped
(what it needs cannot be observed, e.g. the yard behind an external PLC). The order is the
report's: safety first (invariants, model faults, stops), then trips, alarms, jobs, containers,
conditions, and last whether every fault, clearing and operator action of the script happened.

=====================  ===========================================================================
``[expect]``           what passes
=====================  ===========================================================================
invariants = true      no scan wrote a command that breaks a safety invariant (default on)
no_model_fault = true  the simulator recorded nothing dropped, damaged or collided (default on)
[[expect.stops]]       from ``within_s`` after the trigger (``after_fault = N`` or ``after =
                       "<condition>"``) for ``for_s`` (2 s), every speed reference written is 0,
                       and (``at_plc``, default) every one the PLC holds
[[expect.trips]]       interlock ``id`` was active at some scan (``tripped = false``: never)
[[expect.alarms]]      alarm ``id`` activated and was journaled (``raised = false``: never)
[[expect.jobs]]        job ``id`` is in state ``ends`` at the end; ``reason_contains`` (any case)
[[expect.containers]]  container ``id`` stands at slot ``at`` at the end
[[expect.conditions]]  ``holds`` at the ``end`` (default), ``always``, ``ever``, ``never``, or
                       at the first scan at or after ``at_s``
=====================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from crane_ctrl.rig.conditions import Condition
from crane_ctrl.rig.scenario import (
    AlarmExpect,
    ConditionExpect,
    ContainerExpect,
    FaultEntry,
    JobExpect,
    ScenarioFile,
    StopExpect,
    TripExpect,
)
from crane_ctrl.rig.timeline import Firing, Observed, Sample, shown
from crane_ctrl.site import parse_slot, slot_text

__all__ = ["SPEED_REFS", "Verdict", "judge", "slot_text"]

SPEED_REFS = ("gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref")
_EPS = 1e-9
Conditions = Mapping[tuple[str, ...], Condition]


@dataclass(frozen=True, slots=True)
class Verdict:
    what: str
    """The expectation, in words."""
    passed: bool | None
    """``None``: skipped, it cannot be observed in this run."""
    seen: str = ""
    """What was seen: the evidence, or the first value that broke it."""

    @property
    def failed(self) -> bool:
        return self.passed is False

    def __str__(self) -> str:
        mark = {True: "ok", False: "FAILED", None: "skipped"}[self.passed]
        return f"{mark}: {self.what}" + (f" ({self.seen})" if self.seen else "")


def judge(spec: ScenarioFile, conditions: Conditions, observed: Observed) -> list[Verdict]:
    """Every expectation of ``spec`` on ``observed``, in report order."""
    e = spec.expect
    verdicts: list[Verdict] = []
    if e.invariants:
        verdicts.append(_invariants(observed.samples))
    if e.no_model_fault:
        verdicts.append(_model_faults(observed.model_faults))
    verdicts += [_stop(s, i, spec.faults, conditions, observed) for i, s in enumerate(e.stops)]
    verdicts += [_trip(t, observed) for t in e.trips]
    verdicts += [_alarm(a, observed) for a in e.alarms]
    verdicts += [_job(j, observed) for j in e.jobs]
    verdicts += [_container(c, observed) for c in e.containers]
    verdicts += [
        _condition(c, conditions[("expect", "conditions", str(i), "holds")], observed.samples)
        for i, c in enumerate(e.conditions)
    ]
    firings = [*observed.faults, *observed.clears, *observed.actions]
    verdicts += [_fired(f) for f in firings]
    return verdicts


# --- safety -------------------------------------------------------------------------------------


def _invariants(samples: Sequence[Sample]) -> Verdict:
    what = "no safety invariant broken at any scan"
    broken = [s for s in samples if s.broken]
    if not broken:
        return Verdict(what, True, f"{len(samples)} scans checked")
    first = broken[0]
    return Verdict(
        what,
        False,
        f"at {first.time_s:.2f} s: {'; '.join(first.broken)} ({len(broken)} scans broke one)",
    )


def _model_faults(faults: Sequence[tuple[float, str]] | None) -> Verdict:
    what = "no model fault (nothing dropped, damaged or collided)"
    if faults is None:
        return Verdict(what, None, "the simulator cannot be seen from here")
    if not faults:
        return Verdict(what, True)
    time, text = faults[0]
    return Verdict(what, False, f"at {time:.2f} s: {text}")


def _stop(
    stop: StopExpect,
    index: int,
    faults: Sequence[FaultEntry],
    conditions: Conditions,
    observed: Observed,
) -> Verdict:
    if stop.after_fault is not None:
        n = stop.after_fault
        trigger = f"fault {n} ({faults[n - 1].fault})"
        firing = observed.faults[n - 1]
        t0, missing = firing.time_s, firing.note or "never injected"
    else:
        condition = conditions[("expect", "stops", str(index), "after")]
        trigger = repr(condition.text)
        t0 = _first(observed.samples, lambda s: condition.holds(s.value))
        missing = "the condition never held"
    at_plc = stop.at_plc and any(s.plc_refs is not None for s in observed.samples)
    where = "written" + (" and at the PLC" if at_plc else "")
    what = (
        f"within {stop.within_s:g} s after {trigger} every speed reference is 0 ({where}) "
        f"for {stop.for_s:g} s"
    )
    if t0 is None:
        return Verdict(what, None if missing.startswith("skipped") else False, missing)
    begin, end = t0 + stop.within_s - _EPS, t0 + stop.within_s + stop.for_s + _EPS
    window = [s for s in observed.samples if begin <= s.time_s <= end]
    if not window:
        return Verdict(
            what, False, f"no scan from {begin:.2f} s (run ended at {observed.end_s:.2f} s)"
        )
    for s in window:
        moving = _moving(s, stop.at_plc)
        if moving:
            return Verdict(
                what,
                False,
                f"at {s.time_s:.2f} s ({s.time_s - t0:.2f} s after the "
                f"trigger at {t0:.2f} s) {moving}",
            )
    return Verdict(what, True, f"trigger at {t0:.2f} s; {len(window)} scans all 0")


def _moving(sample: Sample, at_plc: bool) -> str:
    """What is not zero in ``sample`` (empty: every reference is 0)."""
    written = [(n, sample.values.get(n)) for n in SPEED_REFS]
    parts = [f"{n} written {v:.3f} m/s" for n, v in written if isinstance(v, float) and v != 0.0]
    if at_plc and sample.plc_refs is not None:
        held = zip(SPEED_REFS, sample.plc_refs, strict=True)
        parts += [f"the PLC holds {n} = {v:.3f} m/s" for n, v in held if v != 0.0]
    return ", ".join(parts)


# --- what happened ------------------------------------------------------------------------------


def _trip(expect: TripExpect, observed: Observed) -> Verdict:
    what = f"interlock {expect.id} " + ("trips" if expect.tripped else "never trips")
    t = _first(observed.samples, lambda s: expect.id in s.trips)
    if t is None:
        seen = sorted(set().union(*(s.trips for s in observed.samples)))
        evidence = f"never active; active trips seen: {', '.join(seen) or 'none'}"
        return Verdict(what, not expect.tripped, evidence)
    reasons = [
        e.values.get("reason")
        for e in observed.journal
        if e.kind == "trip" and e.subject == expect.id
    ]
    why = f": {reasons[0]}" if reasons else ""
    return Verdict(what, expect.tripped, f"active from {t:.2f} s{why}")


def _alarm(expect: AlarmExpect, observed: Observed) -> Verdict:
    what = f"alarm {expect.id} " + ("raised and journaled" if expect.raised else "never raised")
    raised = [
        e for e in observed.journal if e.kind == "alarm" and e.values.get("event") == "activated"
    ]
    mine = [e for e in raised if e.subject == expect.id]
    if mine:
        return Verdict(what, expect.raised, f"journaled at {mine[0].time_s:.2f} s")
    others = ", ".join(dict.fromkeys(e.subject for e in raised)) or "none"
    return Verdict(what, not expect.raised, f"never journaled; alarms raised: {others}")


def _job(expect: JobExpect, observed: Observed) -> Verdict:
    words = expect.reason_contains
    what = f"job {expect.id} ends {expect.ends}" + (f" (reason with {words!r})" if words else "")
    state, reason = observed.jobs.get(expect.id, ("unknown", ""))
    seen = f"{state}" + (f": {reason!r}" if reason else "")
    ok = state == expect.ends and (words is None or words.lower() in reason.lower())
    return Verdict(what, ok, seen)


def _container(expect: ContainerExpect, observed: Observed) -> Verdict:
    want = slot_text(parse_slot(expect.at))
    what = f"container {expect.id} ends at {want}"
    if observed.containers is None:
        return Verdict(what, None, "the yard cannot be seen from here")
    at = observed.containers.get(expect.id, "nowhere")
    return Verdict(what, at == want, f"at {at}")


def _condition(expect: ConditionExpect, condition: Condition, samples: Sequence[Sample]) -> Verdict:
    when = f"at {expect.at_s:g} s" if expect.at_s is not None else expect.at or "end"
    phrase = {
        "end": "at the end",
        "always": "at every scan",
        "ever": "at some scan",
        "never": "at no scan",
    }.get(when, when)
    what = f"{condition.text!r} holds {phrase}"
    if not samples:
        return Verdict(what, False, "no scan was made")
    if when in ("always", "never"):
        want = when == "always"
        bad = next((s for s in samples if condition.holds(s.value) is not want), None)
        seen = "" if bad is None else f"at {bad.time_s:.2f} s: {_values(condition, bad)}"
        return Verdict(what, bad is None, seen)
    if when == "ever":
        t = _first(samples, lambda s: condition.holds(s.value))
        return Verdict(what, t is not None, "never" if t is None else f"first at {t:.2f} s")
    at = samples[-1] if expect.at_s is None else _at(samples, expect.at_s)
    if at is None:
        return Verdict(what, False, f"the run ended at {samples[-1].time_s:.2f} s")
    return Verdict(
        what, condition.holds(at.value), f"at {at.time_s:.2f} s: {_values(condition, at)}"
    )


def _fired(firing: Firing) -> Verdict:
    what = f"{firing.what} happened"
    if firing.time_s is None:
        return Verdict(what, None if firing.skipped else False, firing.note or "never")
    return Verdict(
        what, True, f"at {firing.time_s:.2f} s" + (f"; {firing.note}" if firing.note else "")
    )


# --- helpers ------------------------------------------------------------------------------------


def _first(samples: Iterable[Sample], test: Callable[[Sample], bool]) -> float | None:
    return next((s.time_s for s in samples if test(s)), None)


def _at(samples: Sequence[Sample], time_s: float) -> Sample | None:
    return next((s for s in samples if s.time_s >= time_s - _EPS), None)


def _values(condition: Condition, sample: Sample) -> str:
    return ", ".join(f"{n} = {shown(sample.value(n))}" for n in condition.names())
