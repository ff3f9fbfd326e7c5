"""``crane-ctrl bench fleet``: the operations centre's targets with a block of cranes on one
machine (issue 19). Progress on stderr, a summary and, as the last line of stdout, one JSON object.

The cranes are the fleet demo's (:mod:`crane_ctrl.fleet.demo_block`: each a process with its
simulated PLC and its station), every one working the demo's jobs; the last ``landing_cranes``
in SEMIAUTOMATIC, their truck landings left to the bench's remote operator. The operations
centre's primary host runs in the bench's process. Two runs of the same block:

1. **Without publishing** (no broker, no edge node): each crane's scan lateness p99 over the
   window, read from its supervisor over its seam.
2. **With publishing** (Mosquitto on loopback, every station an edge node, the primary host):
   (a) a PLC change to the operations centre's view: the anemometer forced at one crane's PLC
   after another, from just before the request to the moment the host's ``FleetView`` shows it;
   (b) an operations-centre command to the PLC's reference: landing jogs and stops, to the moment
   the simulated PLC sees the hoist's reference change (:mod:`.fleet_landing`); (c) the scan's
   lateness p99 again; (f) a jog whose MQTT path stalls (the broker frozen); (d) the broker killed
   for ``outage_s`` mid-job (:mod:`.fleet_outage`); (e) a crane's process killed: its NDEATH in
   the view.

Targets (the issue's; each true or false): (a) p99 <= 250 ms, (b) p99 <= 150 ms, (c) no crane's
p99 lateness more than 10 ms above its own without publishing, (d) every crane keeps its job, no
PLC fault, 0 points lost, every crane born again, (e) offline within the keepalive, (f) stopped
within 2 scans of the dead-man's deadline.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crane_ctrl.bench.fleet_landing import (
    DeadMan,
    LandingRun,
    dead_man,
    jog_latencies,
    operator_line,
)
from crane_ctrl.bench.fleet_outage import (
    WindSteps,
    historical_points,
    job_kept,
    lost_points,
    safety,
)
from crane_ctrl.bench.fleet_probes import (
    WIND,
    ViewWatch,
    force_wind,
    group_cpu_s,
    scan_lateness_p99_s,
)
from crane_ctrl.bench.fleet_recorder import Recorder, recording
from crane_ctrl.bench.realtime_probe import percentiles
from crane_ctrl.bench.stress import cores
from crane_ctrl.fleet.demo_block import BlockPlan, CraneProcess, DemoBlock, node_id
from crane_ctrl.fleet.demo_logins import DemoLogins, demo_logins
from crane_ctrl.fleet.fleet_view import CraneView, Presence
from crane_ctrl.fleet.mosquitto import MosquittoProcess
from crane_ctrl.fleet.operator_client import OperatorClient
from crane_ctrl.fleet.primary_host import PrimaryHost, PrimaryHostConfig
from crane_ctrl.fleet.session import KEEPALIVE_S
from crane_ctrl.realtime import MonotonicClock, sleep_unless

__all__ = ["SAFETY_TARGETS", "FleetBenchOptions", "bench_fleet"]

SAFETY_TARGETS = (
    "outage_jobs_kept",
    "outage_no_point_lost",
    "outage_rebirths_seen",
    "killed_offline_within_keepalive",
    "dead_man_stop_le_2_scans",
)
"""The targets a run must meet whatever the machine's load (the rest are timings)."""
GROUP = "block-A"
HOST_ID = "ops"
SCAN_S = 0.05
UP_WITHIN_S = 120.0
"""Every crane online at the operations centre within this long of the block's start."""
SEEN_WITHIN_S = 3.0
"""A forced value not in the view this long after is counted missed."""
AROUND_S = 3.0
"""The outage phase forces values this long before the kill and after the broker is back."""
BACKFILL_WITHIN_S = 90.0
"""After the broker is back, every crane born again and every value received within this long."""


@dataclass(frozen=True, slots=True)
class FleetBenchOptions:
    cranes: int = 20
    seconds: float = 45.0
    """The measuring window of each run (at most a minute: the scan keeps a minute of figures)."""
    outage_s: float = 30.0
    landing_cranes: int = 2
    jogs: int = 10
    """Jog pairs (up and down) at each landing."""

    def landing(self) -> tuple[str, ...]:
        n = min(self.landing_cranes, self.cranes)
        return tuple(node_id(i) for i in range(self.cranes - n + 1, self.cranes + 1))


def bench_fleet(options: FleetBenchOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="crane-ctrl-bench-fleet-") as tmp:
        for run in ("without", "with"):
            (Path(tmp) / run).mkdir(mode=0o700)
        return asyncio.run(_bench(options, Path(tmp), demo_logins(Path(tmp) / "logins")))


async def _bench(o: FleetBenchOptions, tmp: Path, logins: DemoLogins) -> dict[str, Any]:
    load0 = os.getloadavg()[0]
    _say(f"without publishing: {o.cranes} cranes, {o.seconds:g} s ...")
    without = await _quiet_run(o, tmp / "without", logins)
    _say(f"with publishing: {o.cranes} cranes on Mosquitto, {o.seconds:g} s ...")
    figures = await _broker_run(o, tmp / "with", logins)
    figures["scan_lateness_p99_ms"] = _lateness(figures.pop("lateness_with"), without)
    out = {"bench": "fleet", "cranes": o.cranes, "landing_cranes": list(o.landing()),
           "window_s": o.seconds, "cores": cores(), "load_average_1m_start": round(load0, 2),
           **figures, "load_average_1m_end": round(os.getloadavg()[0], 2)}  # fmt: skip
    out["targets"] = _targets(out)
    print(_summary(out), flush=True)
    return out


def _plan(o: FleetBenchOptions, where: Path, logins: DemoLogins, broker: Any) -> BlockPlan:
    return BlockPlan(o.cranes, where, logins.roles, GROUP, broker, HOST_ID if broker else None,
                     demo_jobs=True, semiautomatic=frozenset(o.landing()))  # fmt: skip


async def _quiet_run(o: FleetBenchOptions, where: Path, logins: DemoLogins) -> dict[str, float]:
    async with DemoBlock(_plan(o, where, logins, None)) as block:
        await _window(o.seconds, "without publishing")
        return await _lateness_of(block.cranes)


async def _window(seconds: float, what: str, stop: asyncio.Event | None = None) -> None:
    """``seconds`` with a progress line on stderr every tenth."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        _say(f"  {what}: {elapsed:.0f}/{seconds:g} s")
        await sleep_unless(stop or asyncio.Event(), min(seconds / 10, seconds - elapsed))


async def _lateness_of(cranes: list[CraneProcess]) -> dict[str, float]:
    values = await asyncio.gather(*(scan_lateness_p99_s(c) for c in cranes))
    return {c.name: round(v * 1000, 1) for c, v in zip(cranes, values, strict=True)}


async def _broker_run(o: FleetBenchOptions, where: Path, logins: DemoLogins) -> dict[str, Any]:
    async with AsyncExitStack() as owned:
        mq = await owned.enter_async_context(MosquittoProcess(where))
        holder: list[PrimaryHost] = []
        watch = ViewWatch(lambda: holder[0].view())
        config = PrimaryHostConfig(mq.broker, HOST_ID, GROUP)
        host = await owned.enter_async_context(PrimaryHost(config, MonotonicClock(),
                                                           on_message=watch.poke))  # fmt: skip
        holder.append(host)
        await host.connected(within_s=10.0)
        block = await owned.enter_async_context(DemoBlock(_plan(o, where, logins, mq.broker)))
        return await _BrokerRun(o, mq, host, watch, block, logins).measure()


class _BrokerRun:
    """The run with publishing, its block up."""

    def __init__(self, o: FleetBenchOptions, mq: MosquittoProcess, host: PrimaryHost,
                 watch: ViewWatch, block: DemoBlock, logins: DemoLogins) -> None:  # fmt: skip
        self.o, self.mq, self.host, self.watch = o, mq, host, watch
        self.block, self.logins = block, logins
        self.steps = WindSteps()

    async def measure(self) -> dict[str, Any]:
        await self._all_online()
        cpu0 = self._cpu()
        async with AsyncExitStack() as lines:
            landing = [self.block.crane(n) for n in self.o.landing()]
            ops = [await lines.enter_async_context(operator_line(c, GROUP, self.mq.broker))
                   for c in landing]  # fmt: skip
            runs, view_ms = await self._landings_and_view(ops, landing)
            lateness = await _lateness_of(self.block.cranes)
            cpu = self._cpu_share(cpu0)
            _say("dead-man: a jog, then the broker frozen ...")
            dead = await dead_man(ops[0], landing[0], GROUP, self.watch, self.mq) if ops else None
        outage = await self._outage()
        killed = await self._kill()
        return {"plc_to_view_ms": view_ms, "command_to_plc_ms": _commands(runs),
                "lateness_with": lateness, "dead_man": _dead(dead), "broker_outage": outage,
                "crane_killed": killed, "cpu": cpu}  # fmt: skip

    async def _landings_and_view(self, ops: list[OperatorClient], landing: list[CraneProcess]
                                 ) -> tuple[list[LandingRun], dict[str, Any]]:  # fmt: skip
        """(b) at the landing cranes while (a) runs over the whole block."""
        login = self.logins.operator
        async with asyncio.TaskGroup() as tasks:
            jogging = [tasks.create_task(jog_latencies(line, c, GROUP, login, self.watch,
                                                       self.o.jogs))
                       for line, c in zip(ops, landing, strict=True)]  # fmt: skip
            view_ms = await self._plc_to_view()
        return [t.result() for t in jogging], view_ms

    async def _all_online(self) -> None:
        for crane in self.block.cranes:
            seen = await self.watch.until(crane.name, GROUP, lambda v: v.online,
                                          within_s=UP_WITHIN_S)  # fmt: skip
            if seen is None:
                raise RuntimeError(f"{crane.name} not online at the operations centre within "
                                   f"{UP_WITHIN_S:g} s")  # fmt: skip

    async def _plc_to_view(self) -> dict[str, Any]:
        """(a): one crane after another, for the window."""
        samples: list[float] = []
        missed, started, k = 0, time.monotonic(), 0
        while time.monotonic() - started < self.o.seconds:
            crane = self.block.cranes[k % len(self.block.cranes)]
            k += 1
            value = self.steps.next_value(crane.name)
            sent = await force_wind(crane, value)
            seen = await self.watch.until(crane.name, GROUP, _shows(value),
                                          within_s=SEEN_WITHIN_S)  # fmt: skip
            if seen is None:
                missed += 1
            else:
                samples.append(seen - sent)
            if k % 50 == 0:
                _say(f"  PLC -> view: {k} changes, {time.monotonic() - started:.0f}/"
                     f"{self.o.seconds:g} s")  # fmt: skip
        return {"samples": len(samples), "missed": missed, **percentiles(samples)}

    def _cpu(self) -> dict[str, float]:
        stamp = {c.name: group_cpu_s(c.process.pid) for c in self.block.cranes}
        stamp["_wall"] = time.monotonic()
        return stamp

    def _cpu_share(self, before: dict[str, float]) -> dict[str, Any]:
        now = self._cpu()
        wall = now.pop("_wall") - before["_wall"]
        shares = [(now[n] - before[n]) / wall for n in now]
        return {"crane_mean_share": round(sum(shares) / len(shares), 3),
                "cranes_total_cores": round(sum(shares), 2)}  # fmt: skip

    async def _outage(self) -> dict[str, Any]:
        """(d)."""
        o, cranes = self.o, self.block.cranes
        async with recording(self.mq.broker, GROUP, WIND) as recorder:
            stop = asyncio.Event()
            async with asyncio.TaskGroup() as tasks:
                forcing = tasks.create_task(self.steps.run(cranes, stop))
                await _window(AROUND_S, "outage: before")
                before = {c.name: self.watch.crane(c.name, GROUP) for c in cranes}
                births = {c.name: len(recorder.births.get(c.name, [])) for c in cranes}
                killed_ms = round(time.time() * 1000)
                await self.mq.kill()
                await _window(o.outage_s, "outage: broker dead")
                back = time.time()
                await self.mq.start()
                reborn = await self._reborn(recorder, births, back)
                await _window(AROUND_S, "outage: after")
                stop.set()
                await forcing
            backfill_s = await self._backfilled(recorder, back)
        after = {c.name: self.watch.crane(c.name, GROUP) for c in cranes}
        kept = {n: why for n in before if (why := job_kept(before[n], after[n], killed_ms))}
        lost = lost_points(self.steps, recorder)
        return {"seconds": o.outage_s, "forced": len(self.steps.forced), "lost": len(lost),
                "lost_first": [f"{f.crane} {f.value}" for f in lost[:5]],
                "historical_received": historical_points(recorder),
                "largest_payload_bytes": recorder.largest_payload,
                "reborn": reborn, "backfill_done_s": backfill_s,
                "jobs_kept": len(cranes) - len(kept), "jobs_not_kept": kept,
                **await safety(cranes)}  # fmt: skip

    async def _reborn(self, recorder: Recorder, births: dict[str, int], back: float
                      ) -> dict[str, Any]:  # fmt: skip
        """Every crane born again after the broker is back (bounded): how many, how soon."""

        def again(name: str) -> list[float]:
            return recorder.births.get(name, [])[births[name] :]

        await recorder.until(lambda: all(again(n) for n in births), within_s=BACKFILL_WITHIN_S)
        times = [again(n)[0] - back for n in births if again(n)]
        return {"cranes": len(times), "of": len(births),
                "max_s": round(max(times), 2) if times else None}  # fmt: skip

    async def _backfilled(self, recorder: Recorder, back: float) -> float | None:
        """Seconds from the broker's return until every forced value was received (bounded)."""
        done = await recorder.until(lambda: not lost_points(self.steps, recorder),
                                    within_s=BACKFILL_WITHIN_S)  # fmt: skip
        return round(time.time() - back, 2) if done else None

    async def _kill(self) -> dict[str, Any]:
        """(e): the first crane not at a landing, ``kill -9``."""
        victim = next(c for c in self.block.cranes if c.name not in self.o.landing())
        _say(f"killing {victim.name} ...")
        killed = time.time()
        self.block.kill(victim.name)
        seen = await self.watch.until(victim.name, GROUP,
                                      lambda v: v.presence is Presence.OFFLINE,
                                      within_s=KEEPALIVE_S * 1.5 + 5)  # fmt: skip
        view = self.watch.crane(victim.name, GROUP)
        return {"crane": victim.name, "keepalive_s": KEEPALIVE_S,
                "offline_after_ms": None if seen is None else round((seen - killed) * 1000, 1),
                "why": view.why if view is not None else ""}  # fmt: skip


def _shows(expected: float) -> Callable[[CraneView], bool]:
    """Whether a crane's view has the anemometer at ``expected``."""

    def test(crane: CraneView) -> bool:
        value = crane.value(WIND)
        return isinstance(value, float) and abs(value - expected) < 1e-6

    return test


def _commands(runs: list[LandingRun]) -> dict[str, Any]:
    samples = [s for r in runs for s in r.samples_s]
    return {"samples": len(samples), "missed": sum(r.missed for r in runs),
            "refused": [f"{r.crane}: {why}" for r in runs for why in r.refused],
            **percentiles(samples)}  # fmt: skip


def _dead(dead: DeadMan | None) -> dict[str, Any] | None:
    if dead is None:
        return None
    after = dead.stop_after_deadline_ms
    return {"crane": dead.crane, "hold_s": dead.hold_s, "stop_after_deadline_ms": after,
            "scans": None if after is None else round(after / (SCAN_S * 1000), 2),
            "why": dead.why}  # fmt: skip


def _lateness(with_: dict[str, float], without: dict[str, float]) -> dict[str, Any]:
    added = {n: round(with_[n] - without.get(n, 0.0), 1) for n in with_}
    return {"publishing": with_, "without": without,
            "max_publishing": max(with_.values()), "max_without": max(without.values()),
            "max_added": max(added.values()), "added": added}  # fmt: skip


def _targets(f: dict[str, Any]) -> dict[str, bool | None]:
    outage, dead, killed = f["broker_outage"], f["dead_man"], f["crane_killed"]
    late = f["scan_lateness_p99_ms"]
    return {
        "plc_to_view_p99_le_250ms": f["plc_to_view_ms"]["p99"] <= 250 and f["plc_to_view_ms"][
            "samples"] > 0,
        "command_to_plc_p99_le_150ms": f["command_to_plc_ms"]["p99"] <= 150
        and f["command_to_plc_ms"]["samples"] > 0,
        "publishing_adds_le_10ms_lateness": late["max_added"] <= 10,
        "outage_jobs_kept": outage["jobs_kept"] == f["cranes"] and not outage["model_faults"]
        and not outage["watchdog_trips"],
        "outage_no_point_lost": outage["lost"] == 0 and outage["backfill_done_s"] is not None,
        "outage_rebirths_seen": outage["reborn"]["cranes"] == outage["reborn"]["of"],
        "killed_offline_within_keepalive": killed["offline_after_ms"] is not None
        and killed["offline_after_ms"] <= killed["keepalive_s"] * 1000,
        "dead_man_stop_le_2_scans": None if dead is None or dead["scans"] is None
        else dead["scans"] <= 2,
    }  # fmt: skip


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _met(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def _summary(f: dict[str, Any]) -> str:
    t, v, c = f["targets"], f["plc_to_view_ms"], f["command_to_plc_ms"]
    late, out, k, d = (
        f["scan_lateness_p99_ms"],
        f["broker_outage"],
        f["crane_killed"],
        f["dead_man"],
    )
    dead = "not run" if d is None else f"{d['stop_after_deadline_ms']} ms ({d['scans']} scans)"
    return "\n".join([
        f"{f['cranes']} cranes, {f['cores']} cores, load {f['load_average_1m_start']} -> "
        f"{f['load_average_1m_end']}; cranes use {f['cpu']['cranes_total_cores']} cores",
        f"  PLC -> view p50/p99/max {v['p50']}/{v['p99']}/{v['max']} ms, {v['samples']} "
        f"changes, {v['missed']} missed [{_met(t['plc_to_view_p99_le_250ms'])}]",
        f"  command -> PLC p50/p99/max {c['p50']}/{c['p99']}/{c['max']} ms, {c['samples']} "
        f"commands [{_met(t['command_to_plc_p99_le_150ms'])}]",
        f"  scan lateness p99, worst crane: {late['max_publishing']} ms publishing, "
        f"{late['max_without']} ms without, most added {late['max_added']} ms "
        f"[{_met(t['publishing_adds_le_10ms_lateness'])}]",
        f"  broker dead {out['seconds']:g} s: {out['jobs_kept']}/{f['cranes']} jobs kept "
        f"[{_met(t['outage_jobs_kept'])}], {out['lost']} of {out['forced']} points lost "
        f"[{_met(t['outage_no_point_lost'])}], {out['reborn']['cranes']}/{out['reborn']['of']} "
        f"born again [{_met(t['outage_rebirths_seen'])}]",
        f"  crane killed: offline after {k['offline_after_ms']} ms "
        f"[{_met(t['killed_offline_within_keepalive'])}]; dead-man: stopped {dead} after the "
        f"deadline [{_met(t['dead_man_stop_le_2_scans'])}]",
    ])  # fmt: skip
