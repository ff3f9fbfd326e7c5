"""Stage 1, link: the link comes up within its timeout and the PLC's life counter advances.

Both are what the supervisor itself needs before it trusts a single value: the link
:attr:`~crane_ctrl.link_report.LinkState.UP`, and ``plc.heartbeat`` seen changing (the
snapshot's ``comms_ok``). Every later stage needs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from crane_ctrl.commission.context import StageContext, StageLog
from crane_ctrl.commission.outcome import Check, Status
from crane_ctrl.link_report import LinkState
from crane_ctrl.runtime.supervisor import SupervisorView
from crane_ctrl.signals import Value

__all__ = ["check_link"]


async def check_link(ctx: StageContext) -> list[Check]:
    log = StageLog(ctx.progress)
    connected = log.add(await _connect(ctx))
    if connected.status is Status.FAIL:
        log.add(Check("heartbeat", Status.SKIP, "no link to the PLC"))
    else:
        log.add(await _heartbeat(ctx))
    return log.checks


async def _connect(ctx: StageContext) -> Check:
    session, timeout = ctx.session, ctx.settings.connect_timeout_s
    started = session.clock.now()
    view = await session.until(lambda v: v.link.state is LinkState.UP, within_s=timeout)
    health = session.link.health
    if view is None:
        why = health.last_error or f"link {health.state}"
        return Check(
            "connect",
            Status.FAIL,
            f"link {session.link.name} not up within {timeout:g} s: {why}",
            {"state": str(health.state), "timeout_s": timeout},
        )
    took = session.clock.now() - started
    return Check(
        "connect",
        Status.PASS,
        f"{session.link.name} up after {took:.2f} s",
        {"connect_s": round(took, 3), "link": session.link.name},
    )


@dataclass
class _Counter:
    """Watches ``plc.heartbeat`` until the supervisor trusts the data."""

    first: Value | None = None
    last: Value | None = None

    def __call__(self, view: SupervisorView) -> bool:
        reading = view.snapshot.reading("plc.heartbeat")
        if reading.good:
            self.first = reading.value if self.first is None else self.first
            self.last = reading.value
        return view.snapshot.comms_ok


async def _heartbeat(ctx: StageContext) -> Check:
    session, timeout = ctx.session, ctx.settings.heartbeat_timeout_s
    started = session.clock.now()
    counter = _Counter()
    view = await session.until(counter, within_s=timeout)
    took = session.clock.now() - started
    measured = {"first": counter.first, "last": counter.last, "within_s": round(took, 3)}
    if view is None:
        why = session.view.snapshot.comms_reason
        return Check(
            "heartbeat", Status.FAIL, f"PLC data not trusted within {timeout:g} s: {why}", measured
        )
    round_trip = view.link.round_trip_s
    measured["round_trip_ms"] = None if round_trip is None else round(round_trip * 1000, 1)
    seen = f"{counter.first} -> {counter.last}" if counter.first != counter.last else "changed"
    return Check(
        "heartbeat",
        Status.PASS,
        f"plc.heartbeat advancing ({seen}); data trusted after {took:.2f} s",
        measured,
    )
