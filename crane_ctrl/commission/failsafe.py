"""Stage 3, fail-safe sense: every fail-safe input reads false when operated, true when not.

For each :data:`~crane_ctrl.commission.safety_inputs.SAFETY_INPUTS` input the profile maps:

* it must read true (safe) and good before anything is operated, else ``fail``;
* with an engineer: the engineer is asked to operate it; it must read false within
  ``operate_timeout_s`` (other fail-safe inputs that went false instead are named: swapped
  wiring or mapping), then true again once restored; the supervisor's interlocks and the PLC are
  then reset (an e-stop latches). ``pass``, with both times;
* with ``--yes`` (a test rig): the current healthy reading is accepted, ``assumed (--yes)``.

The drives' ``*.ready`` are checked by switching ``drives.enable`` at standstill (zero
references, through the interlocks): ready must follow it, true when enabled and false when not.
A drive that stays ready with its enable off (a "ready to switch on" bit) is operated by the
engineer (safe torque off), or assumed under ``--yes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crane_ctrl.commands import AXES, Commands
from crane_ctrl.commission.context import StageContext, StageLog
from crane_ctrl.commission.outcome import Check, Measured, Status
from crane_ctrl.commission.preconditions import blockers, flag_text
from crane_ctrl.commission.safety_inputs import SAFETY_INPUTS, SafetyInput
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.signals import SIGNALS
from crane_ctrl.snapshot import Snapshot

__all__ = ["check_failsafe"]


async def check_failsafe(ctx: StageContext) -> list[Check]:
    log = StageLog(ctx.progress)
    for device in SAFETY_INPUTS:
        log.add(await _check_input(ctx, device))
    for check in await _check_ready(ctx):
        log.add(check)
    return log.checks


def _reads_false(snapshot: Snapshot, name: str) -> bool:
    r = snapshot.reading(name)
    return r.good and r.value is False


def _reads_true(snapshot: Snapshot, name: str) -> bool:
    r = snapshot.reading(name)
    return r.good and r.value is True


async def _check_input(ctx: StageContext, device: SafetyInput) -> Check:
    name = device.signal
    if not ctx.mapped(name):
        if SIGNALS[name].required:
            return Check(name, Status.FAIL, "not mapped (required)")
        return Check(name, Status.SKIP, "not mapped (optional)")
    snapshot = ctx.session.view.snapshot
    reading = snapshot.reading(name)
    if not reading.good:
        why = f": {reading.reason}" if reading.reason else ""
        return Check(name, Status.FAIL, f"reads {reading.quality}{why}; its sense cannot be seen")
    if reading.value is not True:
        return Check(
            name,
            Status.FAIL,
            f"reads false before anything is operated ({device.false_means}): put it right, or "
            "check the profile's invert, and commission again",
            {"value": reading.value},
        )
    if ctx.engineer is None:
        return Check(
            name,
            Status.ASSUMED,
            f"(--yes) reads true (safe) now; not operated: {device.operate} on the crane to "
            "prove it reads false",
            {"value": True},
        )
    return await _operated(ctx, device)


@dataclass
class _Operated:
    """Waits for ``signal`` to read false; notes the other fail-safe inputs that did instead."""

    signal: str
    others: tuple[str, ...]
    went_false: list[str] = field(default_factory=list)

    def __call__(self, view: SupervisorView) -> bool:
        for other in self.others:
            if other not in self.went_false and _reads_false(view.snapshot, other):
                self.went_false.append(other)
        return _reads_false(view.snapshot, self.signal)


async def _operated(ctx: StageContext, device: SafetyInput) -> Check:
    """The engineer operates ``device`` and puts it back; both must show on its signal."""
    assert ctx.engineer is not None
    session, timeout, name = ctx.session, ctx.settings.operate_timeout_s, device.signal
    if not await ctx.engineer.operate(device):
        return Check(name, Status.SKIP, "skipped by the engineer")
    snapshot = session.view.snapshot
    others = tuple(
        d.signal for d in SAFETY_INPUTS if d.signal != name and _reads_true(snapshot, d.signal)
    )
    watch = _Operated(name, others)
    session.propose(Commands())
    started = session.clock.now()
    operated = await session.until(watch, within_s=timeout)
    measured: dict[str, Measured] = {"others_false": ", ".join(watch.went_false) or None}
    if operated is None:
        why = f"did not read false within {timeout:g} s of the prompt"
        if watch.went_false:
            why += f"; {', '.join(watch.went_false)} read false instead: swapped wiring or mapping?"
        return Check(name, Status.FAIL, why, measured)
    operated_s = operated.snapshot.time_s - started
    await ctx.engineer.restore(device)
    restored = await session.until(lambda v: _reads_true(v.snapshot, name), within_s=timeout)
    measured["operated_after_s"] = round(operated_s, 2)
    if restored is None:
        now = flag_text(session.view.snapshot, name)
        why = f"read false when operated, but not true again within {timeout:g} s ({now})"
        return Check(name, Status.FAIL, why, measured)
    restored_s = restored.snapshot.time_s - operated.snapshot.time_s
    measured["restored_after_s"] = round(restored_s, 2)
    session.request_reset()  # an e-stop or a lane trip latches, in the PLC and the interlocks
    await session.next_scan()
    return Check(
        name,
        Status.PASS,
        f"read false {operated_s:.1f} s after the prompt and true again {restored_s:.1f} s "
        "after it",
        measured,
    )


@dataclass
class _FirstTime:
    """Notes when each signal first reads ``value``; done when all have."""

    signals: tuple[str, ...]
    value: bool
    started: float
    after_s: dict[str, float] = field(default_factory=dict)

    def __call__(self, view: SupervisorView) -> bool:
        for name in self.signals:
            r = view.snapshot.reading(name)
            if name not in self.after_s and r.good and r.value is self.value:
                self.after_s[name] = view.snapshot.time_s - self.started
        return len(self.after_s) == len(self.signals)


async def _check_ready(ctx: StageContext) -> list[Check]:
    session, timeout = ctx.session, ctx.settings.ready_timeout_s
    names = tuple(f"{axis}.ready" for axis in AXES)
    session.propose(Commands())
    view = await session.next_scan()
    snapshot = (view or session.view).snapshot
    held = blockers(
        snapshot, standstill_mps=ctx.settings.standstill_mps, watchdog=False, idle=False
    )
    if held:
        why = f"the drives cannot be made ready: {'; '.join(held)}"
        return [Check(name, Status.SKIP, why) for name in names]
    enabled = _FirstTime(names, True, session.clock.now())
    try:
        session.propose(Commands(drives_enable=True))  # zero references: nothing moves
        await session.until(enabled, within_s=timeout)
    finally:
        session.propose(Commands())
    disabled = _FirstTime(names, False, session.clock.now())
    await session.until(disabled, within_s=timeout)
    checks = []
    for axis, name in zip(AXES, names, strict=True):
        checks.append(await _ready_check(ctx, axis, name, enabled, disabled))
    return checks


async def _ready_check(
    ctx: StageContext, axis: str, name: str, enabled: _FirstTime, disabled: _FirstTime
) -> Check:
    timeout = ctx.settings.ready_timeout_s
    on_s, off_s = enabled.after_s.get(name), disabled.after_s.get(name)
    measured = {"on_after_s": _rounded(on_s), "off_after_s": _rounded(off_s)}
    if on_s is None:
        now = flag_text(ctx.session.view.snapshot, name)
        why = f"not ready within {timeout:g} s of drives.enable ({now})"
        return Check(name, Status.FAIL, why, measured)
    if off_s is not None:
        why = f"true {on_s:.2f} s after drives.enable, false {off_s:.2f} s after its removal"
        return Check(name, Status.PASS, why, measured)
    if ctx.engineer is None:
        return Check(
            name,
            Status.ASSUMED,
            f"(--yes) true with the drives enabled, still true {timeout:g} s after drives.enable "
            "went off (a 'ready to switch on' bit?): trip the drive (safe torque off) to prove "
            "it reads false",
            measured,
        )
    device = SafetyInput(
        name, f"trip the {axis} drive (safe torque off)", "switch it back on", "drive not ready"
    )
    return await _operated(ctx, device)


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)
