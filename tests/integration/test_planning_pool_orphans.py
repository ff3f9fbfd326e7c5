"""A station killed (SIGKILL, out of memory) leaves no planning worker behind: the worker of its
:class:`~crane_ctrl.runtime.planning_pool.PlanningPool` sees its parent gone and ends itself
(before, it waited forever on its queue: one orphan more at every restart of the station)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from crane_ctrl.testing import wait_until
from tests.profile_texts import ROOT

HOLDER = """
import asyncio, os, sys
from crane_ctrl.runtime.planning_pool import PlanningPool

async def main() -> None:
    async with PlanningPool() as pool:
        worker = await asyncio.wrap_future(pool.submit(os.getpid))
        with open(sys.argv[1], "w") as out:
            out.write(str(worker))
        await asyncio.Event().wait()  # until killed

asyncio.run(main())
"""


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet, as in a container whose init does not, is dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def test_a_killed_station_leaves_no_planning_worker_behind(tmp_path: Path) -> None:
    said = tmp_path / "worker.pid"
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(said), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await wait_until(lambda: said.exists() and said.read_text() != "", within=60,
                         what="the pool's worker up")  # fmt: skip
        worker = int(said.read_text())
        assert worker != holder.pid
        assert alive(worker)
    finally:
        holder.kill()
        await holder.wait()
    try:
        await wait_until(lambda: not alive(worker), within=10, what="the orphaned worker gone")
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)  # leave nothing running


def _worker_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


async def test_the_planning_worker_runs_at_the_stations_base_priority_not_the_scans() -> None:
    """The loop thread that opens the pool runs raised (:mod:`crane_ctrl.runtime.scan_priority`);
    its worker goes back to the process's main-thread priority, so a leg plan never takes a
    core from a scan. (Run in a thread of its own: its raised priority dies with it.)"""
    import threading

    from crane_ctrl.runtime.planning_pool import PlanningPool
    from crane_ctrl.runtime.scan_priority import raise_this_thread

    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    seen: dict[str, int | str] = {}

    async def in_the_loop_thread() -> None:
        priority = raise_this_thread(base - 5)
        seen["loop"] = priority.now if priority.now is not None else base
        async with PlanningPool() as pool:
            seen["worker"] = await asyncio.wrap_future(pool.submit(_worker_nice))

    thread = threading.Thread(target=lambda: asyncio.run(in_the_loop_thread()))
    thread.start()
    await asyncio.to_thread(thread.join, 60)
    assert seen["worker"] == base
    assert seen["loop"] in (base - 5, base)  # base - 5 where the process may raise it
