"""Stage 4, commands: the PLC answers each command the supervisor sends, at low speed.

With the crane idle and healthy, in this order:

* **reset**: a latched PLC watchdog trip, if present, clears on a reset pulse (skipped when
  there is none: the watchdog stage trips one and resets it);
* **jog gantry, trolley, hoist, out and back**: each axis a few cm at a fraction of rated
  speed (:mod:`crane_ctrl.commission.jog`) the way it has room, then back, the drives enabled
  for the jogs only; skipped where the interlocks forbid the motion now (e.g. gantry travel
  below the safe travel height), and after a failed jog;
* **lock refused unless seated**: lock asked for with the spreader not on its landing pins;
  the supervisor must refuse it (NOT_LANDED) and no twistlock may turn;
* **PLC refuses a lock unless seated**: then the same lock past the supervisor (its NOT_LANDED
  bypassed for this check alone, journaled): the PLC or the spreader must refuse it on its own
  (the hardwired landed interlock every spreader has), with the refusal and its reason when the
  profile maps the lock as a request with ``refused``. A twistlock that turns fails the check
  and is unlocked again at once. Harmless by construction: the spreader hangs free and empty
  (not seated, every twistlock unlocked).

Every command goes through the supervisor's interlocks. Each check is skipped, with the reason,
when its preconditions do not hold (no trusted data, e-stop open, not in remote, a drive fault,
the crane moving).
"""

from __future__ import annotations

from dataclasses import dataclass

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.commission.context import StageContext, StageLog
from crane_ctrl.commission.jog import JogPlan, jog, plan_jog
from crane_ctrl.commission.outcome import Check, Status
from crane_ctrl.commission.preconditions import blockers, flag_text
from crane_ctrl.commission.watchdog import reset_trip
from crane_ctrl.interlocks.evaluate import Motion
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.signals import CORNERS
from crane_ctrl.snapshot import Snapshot

__all__ = ["check_commands"]

UNLOCK_AGAIN_MARGIN_S = 2.0
"""Twistlocks a failed lock check turned must be unlocked again within the crane's
``twistlock_confirm_timeout_s`` plus this, s (the check's own scans and the PLC's answer)."""


async def check_commands(ctx: StageContext) -> list[Check]:
    log = StageLog(ctx.progress)
    log.add(await _reset(ctx))
    await _jogs(ctx, log)
    refused = await _lock_refused(ctx)
    log.add(refused)
    log.add(await _plc_refuses_lock(ctx, refused))
    return log.checks


def _reads(snapshot: Snapshot, name: str, value: bool) -> bool:
    r = snapshot.reading(name)
    return r.good and r.value is value


async def _reset(ctx: StageContext) -> Check:
    session = ctx.session
    snapshot = session.view.snapshot
    if not snapshot.comms_ok:
        return Check("reset", Status.SKIP, f"no trusted data: {snapshot.comms_reason}")
    reading = snapshot.reading("plc.watchdog_trip")
    if not reading.good:
        return Check("reset", Status.FAIL, f"plc.watchdog_trip {reading.quality}: {reading.reason}")
    if reading.value is False:
        return Check(
            "reset",
            Status.SKIP,
            "no watchdog trip present to clear (the watchdog stage trips one and resets it)",
        )
    if not snapshot.flag("plc.estop_ok", unsafe=False):
        why = f"e-stop chain open ({flag_text(snapshot, 'plc.estop_ok')}): a reset cannot clear it"
        return Check("reset", Status.SKIP, why)
    took = await reset_trip(session, within_s=ctx.settings.reset_timeout_s)
    if took is None:
        why = f"plc.watchdog_trip still true {ctx.settings.reset_timeout_s:g} s after a reset pulse"
        return Check("reset", Status.FAIL, why)
    return Check(
        "reset",
        Status.PASS,
        f"the watchdog trip present cleared {took:.2f} s after a reset pulse",
        {"cleared_after_s": round(took, 3)},
    )


async def _jogs(ctx: StageContext, log: StageLog) -> None:
    session, s = ctx.session, ctx.settings
    names = [f"jog {axis} {leg}" for axis in AXES for leg in ("out", "back")]
    held = blockers(session.view.snapshot, standstill_mps=s.standstill_mps)
    if held:
        for name in names:
            log.add(Check(name, Status.SKIP, "; ".join(held)))
        return
    ready = tuple(f"{axis}.ready" for axis in AXES)
    try:
        session.propose(Commands(drives_enable=True))
        view = await session.until(
            lambda v: all(_reads(v.snapshot, n, True) for n in ready), within_s=s.ready_timeout_s
        )
        if view is None:
            now = ", ".join(flag_text(session.view.snapshot, n) for n in ready)
            for name in names:
                why = f"drives not ready {s.ready_timeout_s:g} s after drives.enable: {now}"
                log.add(Check(name, Status.SKIP, why))
            return
        failed = ""
        for axis in AXES:
            if failed:
                for leg in ("out", "back"):
                    log.add(
                        Check(f"jog {axis} {leg}", Status.SKIP, f"not tried after {failed} failed")
                    )
                continue
            failed = await _jog_axis(ctx, axis, log)
    finally:
        session.propose(Commands())
        await session.next_scan()


async def _jog_axis(ctx: StageContext, axis: str, log: StageLog) -> str:
    """Jog ``axis`` out the way it has room (:func:`~crane_ctrl.commission.jog.plan_jog`) and
    back, so both directions are seen and it ends about where it was; the name of the check that
    failed, or ""."""
    s, view = ctx.settings, ctx.session.view
    out, back = f"jog {axis} out", f"jog {axis} back"
    position = view.snapshot.number(f"{axis}.position")
    if position is None:
        log.add(Check(out, Status.FAIL, flag_text(view.snapshot, f"{axis}.position")))
        log.add(Check(back, Status.SKIP, "no position to jog from"))
        return out
    plan = plan_jog(
        axis, position, ctx.crane, fraction=s.jog_speed_fraction, distance_m=s.jog_distance_m,
        clearance_m=s.jog_clearance_m,
    )  # fmt: skip
    if isinstance(plan, str):
        log.add(Check(out, Status.SKIP, plan, {"start_m": round(position, 4)}))
        log.add(Check(back, Status.SKIP, "no jog out to come back from"))
        return ""
    for name, leg in ((out, plan), (back, plan.reversed())):
        check = log.add(await _jog_leg(ctx, leg, name))
        if check.status is Status.FAIL:
            return name
        if check.status is Status.SKIP and name == out:
            log.add(Check(back, Status.SKIP, "no jog out to come back from"))
            return ""
    return ""


async def _jog_leg(ctx: StageContext, plan: JogPlan, name: str) -> Check:
    view = ctx.session.view
    position = view.snapshot.number(f"{plan.axis}.position")
    if position is None:
        return Check(name, Status.FAIL, flag_text(view.snapshot, f"{plan.axis}.position"))
    if view.permits is None or not view.permits.allowed(plan.motion):
        trips = "; ".join(str(t) for t in view.permits.why_not(plan.motion)) if view.permits else ""
        return Check(
            name,
            Status.SKIP,
            f"{plan.motion} blocked by the interlocks now: {trips or 'not evaluated yet'}",
            {"start_m": round(position, 4)},
        )
    return await jog(ctx, plan, position, name)


@dataclass
class _LockWatch:
    """Notes the supervisor's refusal of the lock, and any twistlock that turns anyway."""

    refused_by: tuple[str, ...] = ()
    not_landed: str = ""
    """NOT_LANDED's reason, when it refused the lock."""
    turned: str = ""

    def __call__(self, view: SupervisorView) -> bool:
        for refusal in view.refusals:
            if refusal.motion is Motion.LOCK and not self.refused_by:
                self.refused_by = refusal.ids
                why = [t.reason for t in refusal.trips if t.id == "NOT_LANDED"]
                self.not_landed = why[0] if why else ""
        turned = _turned(view.snapshot)
        if turned:
            self.turned = turned
        return bool(turned)


async def _lock_refused(ctx: StageContext) -> Check:
    session, s = ctx.session, ctx.settings
    name = "lock refused unless seated"
    snapshot = session.view.snapshot
    held = blockers(snapshot, standstill_mps=s.standstill_mps)
    if held:
        return Check(name, Status.SKIP, "; ".join(held))
    pins = [f"spreader.landed_{c}" for c in CORNERS]
    if all(_reads(snapshot, p, True) for p in pins):
        return Check(
            name,
            Status.SKIP,
            "the spreader is seated (all four landing pins pressed): a lock would be allowed; "
            "test it with the spreader off its landing",
        )
    unlocked = [f"spreader.unlocked_{c}" for c in CORNERS]
    locked = [f"spreader.locked_{c}" for c in CORNERS]
    if not all(_reads(snapshot, u, True) for u in unlocked) or not all(
        _reads(snapshot, k, False) for k in locked
    ):
        states = ", ".join(flag_text(snapshot, n) for n in (*unlocked, *locked))
        return Check(name, Status.SKIP, f"the twistlocks are not all unlocked: {states}")
    watch = _LockWatch()
    try:
        session.propose(Commands(lock=True))
        await session.until(watch, within_s=s.lock_watch_s)
    finally:
        session.propose(Commands())
        await session.next_scan()
    pressed = ", ".join(flag_text(snapshot, p) for p in pins)
    measured = {"refused_by": ", ".join(watch.refused_by) or None, "watched_s": s.lock_watch_s}
    if watch.turned:
        why = f"twistlocks turned with the spreader not seated ({watch.turned}; {pressed})"
        return Check(name, Status.FAIL, why, measured)
    if not watch.not_landed:
        by = f" (refused only by {', '.join(watch.refused_by)})" if watch.refused_by else ""
        why = f"NOT_LANDED did not refuse the lock with the spreader not seated{by}: {pressed}"
        return Check(name, Status.FAIL, why, measured)
    others = [i for i in watch.refused_by if i != "NOT_LANDED"]
    also = f"; also refused by {', '.join(others)}" if others else ""
    return Check(
        name,
        Status.PASS,
        f"refused by NOT_LANDED ({watch.not_landed}){also}; no twistlock turned in "
        f"{s.lock_watch_s:g} s",
        measured,
    )


@dataclass
class _PlcLockWatch:
    """The PLC's answer to a lock that reached it: refused (with its reason) or turned."""

    refused: str = ""
    turned: str = ""
    blocked: tuple[str, ...] = ()
    """The supervisor's interlocks that still refused the lock (NOT_LANDED bypassed)."""

    def __call__(self, view: SupervisorView) -> bool:
        for refusal in view.refusals:
            if refusal.motion is Motion.LOCK:
                self.blocked = refusal.ids
        said = view.snapshot.refused.get("spreader.lock", "")
        if said.startswith("the PLC refused"):
            self.refused = said
        self.turned = _turned(view.snapshot)
        return bool(self.refused or self.turned)


def _turned(snapshot: Snapshot) -> str:
    return ", ".join(
        f"corner {c}" for c in CORNERS
        if not _reads(snapshot, f"spreader.unlocked_{c}", True)
        or not _reads(snapshot, f"spreader.locked_{c}", False)
    )  # fmt: skip


async def _plc_refuses_lock(ctx: StageContext, supervisor_check: Check) -> Check:
    name = "PLC refuses a lock unless seated"
    if supervisor_check.status is not Status.PASS:
        why = f"'{supervisor_check.id}' did not pass: the lock is not sent past the supervisor"
        return Check(name, Status.SKIP, why)
    session, s = ctx.session, ctx.settings
    watch = _PlcLockWatch()
    try:  # drives enabled, as for any spreader command in operation (DRIVE_FAULT otherwise)
        session.propose(Commands(drives_enable=True))
        if await session.until(_drives_ready, within_s=s.ready_timeout_s) is None:
            why = f"the drives did not report ready within {s.ready_timeout_s:g} s of the enable"
            return Check(name, Status.SKIP, why)
        _bypass_not_landed(ctx, s.lock_watch_s + 1.0, "does the PLC refuse an unseated lock?")
        session.propose(Commands(drives_enable=True, lock=True))
        await session.until(watch, within_s=s.lock_watch_s)
    finally:
        session.propose(Commands())
        session.supervisor.set_bypass(None)
        await session.next_scan()
    measured = {"refused": watch.refused or None, "watched_s": s.lock_watch_s}
    if watch.turned:
        undone = await _unlock_again(ctx)
        why = (f"the twistlocks turned ({watch.turned}) with the spreader not seated: the PLC "
               f"and the spreader have no landed interlock of their own; {undone}")  # fmt: skip
        return Check(name, Status.FAIL, why, measured)
    if watch.refused:
        return Check(name, Status.PASS, f"{watch.refused}; no twistlock turned", measured)
    if watch.blocked:
        why = f"the supervisor still refused the lock: {', '.join(watch.blocked)}"
        return Check(name, Status.SKIP, why, measured)
    return Check(
        name,
        Status.PASS,
        f"no twistlock turned in {s.lock_watch_s:g} s (the profile maps no refusal for "
        "spreader.lock, so the PLC's reason cannot be read)",
        measured,
    )


def _drives_ready(view: SupervisorView) -> bool:
    return all(_reads(view.snapshot, f"{axis}.ready", True) for axis in AXES)


def _bypass_not_landed(ctx: StageContext, seconds: float, why: str) -> None:
    supervisor = ctx.session.supervisor
    supervisor.set_bypass("NOT_LANDED", ctx.session.clock.now() + seconds)
    if supervisor.journal is not None:
        supervisor.journal.record(
            "operator", "bypass", user="commissioning", interlock="NOT_LANDED",
            reason=f"commissioning: {why}",
        )  # fmt: skip


async def _unlock_again(ctx: StageContext) -> str:
    """Unlock the twistlocks a failed check turned; what came of it."""
    session = ctx.session

    def unlocked(view: SupervisorView) -> bool:
        return not _turned(view.snapshot)

    within_s = ctx.crane.twistlock_confirm_timeout_s + UNLOCK_AGAIN_MARGIN_S
    _bypass_not_landed(ctx, within_s + 1.0, "unlock what the lock check turned")
    try:
        session.propose(Commands(drives_enable=True, unlock=True))
        done = await session.until(unlocked, within_s=within_s)
    finally:
        session.propose(Commands())
        session.supervisor.set_bypass(None)
        await session.next_scan()
    return "unlocked again" if done is not None else "NOT unlocked again: unlock them by hand"
