"""The stages in order, against one live PLC, into one report.

:func:`commission` opens the link the profile (and ``--plc``) describe, starts the supervisor
scanning it with the site's crane and layout, exactly as ``crane-ctrl run`` does, with one
difference: the supervisor does not reset a latched PLC watchdog by itself, so that commissioning
can test the PLC's reset explicitly. It then runs each stage of :data:`STAGES`, in order:

1. link, always (every other stage needs it; when it fails they are skipped with that reason);
2. I/O check, 3. fail-safe sense, 4. commands, 5. watchdog: each if selected, else skipped
   "not selected".

Whatever a stage asked for ends with it: the proposal goes back to nothing (zero references,
drives off) after every stage, and the supervisor leaves the crane so when it stops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from crane_ctrl.clock import Clock
from crane_ctrl.commands import Commands
from crane_ctrl.commission.command_checks import check_commands
from crane_ctrl.commission.context import Progress, StageContext
from crane_ctrl.commission.failsafe import check_failsafe
from crane_ctrl.commission.io_check import check_io
from crane_ctrl.commission.link_check import check_link
from crane_ctrl.commission.outcome import Check, StageId, StageResult, Status
from crane_ctrl.commission.report import CommissionReport, io_table, stage_line
from crane_ctrl.commission.safety_inputs import Engineer
from crane_ctrl.commission.session import scanning
from crane_ctrl.commission.settings import CommissionSettings
from crane_ctrl.commission.watchdog import check_watchdog
from crane_ctrl.links.url import make_link
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings
from crane_ctrl.signals import SIGNALS

__all__ = ["STAGES", "Options", "Target", "commission", "plc_url"]

StageRun = Callable[[StageContext], Awaitable[list[Check]]]

STAGES: Mapping[StageId, StageRun] = MappingProxyType(
    {
        StageId.LINK: check_link,
        StageId.IO: check_io,
        StageId.FAILSAFE: check_failsafe,
        StageId.COMMANDS: check_commands,
        StageId.WATCHDOG: check_watchdog,
    }
)
"""Every stage, in the order they run."""


@dataclass(frozen=True, slots=True)
class Target:
    """The PLC under test and the crane and site it controls (as ``crane-ctrl run`` loads
    them)."""

    profile: Profile
    profile_path: Path
    plc: str | None
    """Where the PLC is (``modbus://host:port``, ``opc.tcp://...``); ``None``: where the
    profile says."""
    supervisor: SupervisorSettings
    """The crane's parameters and the site layout, from :attr:`site_path`."""
    site_path: Path


@dataclass(frozen=True, slots=True)
class Options:
    settings: CommissionSettings = field(default_factory=CommissionSettings)
    stages: frozenset[StageId] = frozenset(StageId)
    """The stages selected (``--only``); the link stage runs whatever this says."""


def plc_url(target: Target) -> str:
    """Where the PLC is reached, as a URL."""
    if target.plc is not None:
        return target.plc
    profile = target.profile
    if isinstance(profile, ModbusProfile):
        return f"modbus://{profile.link.host}:{profile.link.port}"
    return profile.link.endpoint


async def commission(
    target: Target,
    options: Options,
    *,
    engineer: Engineer | None,
    progress: Progress,
    clock: Clock | None = None,
) -> CommissionReport:
    """Run every stage against the live PLC; the report. ``engineer`` ``None``: ``--yes``."""
    clock = clock or MonotonicClock()
    started = clock.wall()
    settings = replace(target.supervisor, watchdog_auto_reset=False)
    profile = target.profile
    places = {
        name: m.place() for name, m in profile.signals.items() if not SIGNALS[name].is_command
    }
    results: list[StageResult] = []
    async with make_link(profile, target.profile_path, clock, target.plc) as link:
        supervisor = Supervisor(profile, link, clock, settings)
        link_name = link.name
        async with scanning(supervisor) as session:
            ctx = StageContext(
                session, options.settings, settings.crane, profile, MappingProxyType(places),
                engineer, progress,
            )  # fmt: skip
            for number, stage in enumerate(STAGES, 1):
                progress(f"[{number}/{len(STAGES)}] {StageResult(stage).title}")
                result = await _stage(ctx, stage, options, results)
                results.append(result)
                if stage is StageId.IO and result.checks:
                    progress(io_table(result))
                progress(stage_line(number, len(STAGES), result))
    return CommissionReport(
        profile_path=str(target.profile_path),
        profile_name=profile.name,
        profile_version=profile.profile.version,
        protocol=profile.protocol,
        plc=plc_url(target),
        link=link_name,
        site=str(target.site_path),
        started=started,
        finished=clock.wall(),
        assume_yes=engineer is None,
        selected=tuple(s for s in STAGES if s in options.stages),
        stages=tuple(results),
    )


async def _stage(
    ctx: StageContext, stage: StageId, options: Options, done: list[StageResult]
) -> StageResult:
    if stage is not StageId.LINK:
        if stage not in options.stages:
            chosen = " ".join(s for s in STAGES if s in options.stages)
            return StageResult.skipped(stage, f"not selected (--only {chosen})")
        if done and done[0].status is Status.FAIL:
            return StageResult.skipped(stage, "no link to the PLC: the link stage failed")
    try:
        checks = await STAGES[stage](ctx)
    finally:
        if ctx.session.scanning:
            ctx.session.propose(Commands())
    return StageResult(stage, tuple(checks))
