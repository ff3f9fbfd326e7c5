"""A station's edge node: the glue between a :class:`~crane_ctrl.runtime.station.CraneStation`
and an :class:`~crane_ctrl.fleet.edge_node.EdgeNode` fed with its views.

:func:`station_edge_node` is what :attr:`crane_ctrl.runtime.host.StationConfig.attach` takes
(``crane-ctrl station`` and ``crane-ctrl demo`` with ``--broker``): the node opens when the station
is built, gets every scan's view through the station's ``on_view`` (left in its hand-over
slot, O(1), nothing more: the node reads it in its own task, at most once a scan period, and of
the views it skipped only the alarms' and the PackML state's changes), and closes after the
last scan, with its NDEATH.
The node takes the operations centre's logins and commands to the station
(:class:`~crane_ctrl.fleet.operator_desk.OperatorDesk`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from crane_ctrl.fleet.edge_node import EdgeNode, EdgeNodeConfig
from crane_ctrl.fleet.metrics import station_events, station_reading
from crane_ctrl.fleet.operator_desk import OperatorDesk
from crane_ctrl.runtime.station import CraneStation, StationView

__all__ = ["station_edge_node"]


def station_edge_node(
    config: EdgeNodeConfig,
) -> Callable[[CraneStation, AsyncExitStack], Awaitable[None]]:
    """Attach an edge node with ``config`` to a station, for as long as ``owned`` is open."""

    async def attach(station: CraneStation, owned: AsyncExitStack) -> None:
        supervisor = station.supervisor
        desk = OperatorDesk(station, str(config.topics))
        node: EdgeNode[StationView] = EdgeNode(
            config, station_reading, supervisor.clock, supervisor.journal, commands=desk,
            events=station_events,
        )  # fmt: skip
        await owned.enter_async_context(node)
        station.on_view = node.offer

    return attach
