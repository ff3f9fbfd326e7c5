"""A remote operator at SEMIAUTOMATIC landings (``crane-ctrl bench fleet``): an operations-centre
command to the PLC's reference, and the dead-man of a jog whose MQTT path stalls.

The operator (an :class:`~crane_ctrl.fleet.operator_client.OperatorClient` logged in as the
run's ``ops-bench``) waits for the crane's truck landing in the operations centre's view, takes
it, and jogs the hoist up and down by turns: each ``landing.jog`` and ``landing.stop`` is timed
from just before it is published to the moment the simulated PLC sees the hoist's reference
change (non-zero, then zero: :mod:`simulators.command_stamps`). Then one jog up is taken, the
broker is frozen (SIGSTOP: nothing reaches or leaves any client), and the time the PLC sees the
reference back at zero is set against the jog's dead-man deadline: the station's answer's
timestamp (its clock, as it took the jog) plus ``jog_hold_s``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from crane_ctrl.bench.fleet_probes import ViewWatch, commands_changed
from crane_ctrl.fleet.broker import Broker
from crane_ctrl.fleet.demo_block import CraneProcess
from crane_ctrl.fleet.demo_logins import Login
from crane_ctrl.fleet.fleet_view import CraneView
from crane_ctrl.fleet.mosquitto import MosquittoProcess
from crane_ctrl.fleet.operator_client import OperatorClient
from crane_ctrl.fleet.operator_wire import RESULT
from crane_ctrl.fleet.topics import NodeTopics
from crane_ctrl.sequencer.model import SequencerSettings

__all__ = ["DeadMan", "LandingRun", "dead_man", "jog_latencies", "operator_line"]

HOST = "ops-bench"
"""The bench's operations-centre id (the stations' journals say ``ops:ops-bench``)."""
AWAITING = "Operation/Awaiting confirm"
REFERENCE = "hoist.speed_ref"
LANDING_WITHIN_S = 180.0
"""The crane's truck landing must wait for an operator within this long of the bench's start."""
SEEN_WITHIN_S = 3.0
"""The PLC must see a commanded reference change within this long (else: missed)."""
POLL_S = 0.01
"""How often the PLC's stamps are asked for while one is awaited (the stamp is exact)."""
SETTLE_S = 0.15
"""Between one jog's stop and the next jog: the hoist comes to rest."""


@dataclass
class LandingRun:
    """What one crane's landing gave."""

    crane: str
    samples_s: list[float] = field(default_factory=list)
    missed: int = 0
    refused: list[str] = field(default_factory=list)


def operator_line(crane: CraneProcess, group: str, broker: Broker) -> OperatorClient:
    """The bench operator's line to ``crane`` (open it with ``async with``)."""
    return OperatorClient(broker, NodeTopics.of(group, crane.name), host=HOST)


async def jog_latencies(ops: OperatorClient, crane: CraneProcess, group: str, login: Login,
                        watch: ViewWatch, jogs: int) -> LandingRun:  # fmt: skip
    """Log in, take the crane's landing and jog it ``jogs`` times up and down: the
    command-to-PLC times (the landing stays taken)."""
    run = LandingRun(crane.name)
    await ops.login(login.user, login.role, login.pin)
    waiting = await watch.until(crane.name, group, _awaiting, within_s=LANDING_WITHIN_S)
    if waiting is None:
        run.refused.append(f"no landing waited within {LANDING_WITHIN_S:g} s")
        return run
    taken = await ops.command("landing.take")
    if not taken.done:
        run.refused.append(f"landing.take: {taken.why}")
        return run
    print(f"  {crane.name}: landing taken, {jogs} jogs up and down", file=sys.stderr, flush=True)
    for _ in range(jogs):
        for direction in (+1, -1):
            await _one_jog(ops, crane, direction, run)
    return run


def _awaiting(view: CraneView) -> bool:
    return view.online and view.value(AWAITING) is not None


async def _one_jog(ops: OperatorClient, crane: CraneProcess, direction: int,
                   run: LandingRun) -> None:  # fmt: skip
    await commands_changed(crane)  # forget what came before
    sent = time.time()
    result = await ops.jog("hoist", direction)
    if not result.done:
        run.refused.append(f"landing.jog hoist {direction:+d}: {result.why}")
        return
    await _timed(crane, sent, lambda v: v != 0, run)
    sent = time.time()
    await ops.command("landing.stop")
    await _timed(crane, sent, lambda v: v == 0, run)
    await asyncio.sleep(SETTLE_S)  # the operator's pace between two jogs


async def _timed(crane: CraneProcess, sent: float, test: Callable[[float], bool],
                 run: LandingRun) -> None:  # fmt: skip
    seen = await _reference_seen(crane, test)
    if seen is None:
        run.missed += 1
    else:
        run.samples_s.append(seen - sent)


async def _reference_seen(crane: CraneProcess, test: Callable[[float], bool]) -> float | None:
    """When the PLC first saw the hoist's reference pass ``test`` (polled, bounded)."""
    deadline = time.monotonic() + SEEN_WITHIN_S
    while time.monotonic() < deadline:
        for name, value, wall_s in await commands_changed(crane):
            if name == REFERENCE and isinstance(value, int | float) and test(float(value)):
                return wall_s
        await asyncio.sleep(POLL_S)  # the stamps answer on request only
    return None


@dataclass(frozen=True, slots=True)
class DeadMan:
    """A jog whose MQTT path stalled: the PLC's reference zero this long after the dead-man's
    deadline (``None``: it did not stop within bounds), and in scans of 50 ms."""

    crane: str
    hold_s: float
    stop_after_deadline_ms: float | None
    why: str = ""


async def dead_man(ops: OperatorClient, crane: CraneProcess, group: str, watch: ViewWatch,
                   broker: MosquittoProcess) -> DeadMan:  # fmt: skip
    """One jog up taken, then the broker frozen: when did the PLC's reference fall to zero?"""
    hold_s = SequencerSettings().jog_hold_s
    await commands_changed(crane)
    result = await ops.jog("hoist", +1)
    if not result.done:
        return DeadMan(crane.name, hold_s, None, f"landing.jog refused: {result.why}")
    answered = await watch.until(crane.name, group, lambda v: result.id in str(v.value(RESULT)),
                                 within_s=SEEN_WITHIN_S)  # fmt: skip
    crane_view = watch.crane(crane.name, group)
    point = crane_view.metrics.get(RESULT) if crane_view is not None else None
    if answered is None or point is None or point.timestamp_ms is None:
        return DeadMan(crane.name, hold_s, None, "the jog's answer was not seen")
    broker.freeze()
    try:
        zero = await _reference_seen(crane, lambda v: v == 0)
    finally:
        broker.thaw()
    await ops.command("landing.stop")
    if zero is None:
        return DeadMan(crane.name, hold_s, None, f"still moving {SEEN_WITHIN_S:g} s on")
    deadline = point.timestamp_ms / 1000.0 + hold_s
    return DeadMan(crane.name, hold_s, round((zero - deadline) * 1000.0, 1))
