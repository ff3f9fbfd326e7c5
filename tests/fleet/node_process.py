"""A counter edge node in a process of its own, so a test can kill it abruptly (``kill -9``): the
broker then sees the connection drop without a DISCONNECT and publishes the NDEATH will.

    python -m tests.fleet.node_process PORT STORE
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from crane_ctrl.fleet.edge_node import EdgeNode
from crane_ctrl.realtime import MonotonicClock
from tests.fleet.ticks import tick_config, tick_reading, ticking


async def main(port: int, store: Path) -> None:
    clock = MonotonicClock()
    async with (
        EdgeNode(tick_config(port, store), tick_reading, clock) as node,
        ticking(node, clock, period_s=0.05),
    ):
        await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), Path(sys.argv[2])))
