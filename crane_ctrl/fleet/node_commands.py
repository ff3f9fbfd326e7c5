"""What an edge node does with NCMD writes to its own metrics beyond ``Node Control/Rebirth``.

An :class:`~crane_ctrl.fleet.edge_node.EdgeNode` given a :class:`NodeCommands` declares its
:attr:`~NodeCommands.defs` in every NBIRTH (after ``Node Info/...``), reads their values with
each view (:meth:`~NodeCommands.values`), hands every NCMD write to one of them to
:meth:`~NodeCommands.take` as it arrives, in order, in the node's own task (never the scan's),
and publishes what that answers as NDATA at once (not stored, not replayed: an answer's moment
is now). The station's is :class:`crane_ctrl.fleet.operator_desk.OperatorDesk`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from crane_ctrl.fleet.payload import MetricValue
from crane_ctrl.fleet.reading import MetricDef

__all__ = ["NodeCommands"]


class NodeCommands(Protocol):
    """The node's writable metrics and what a write to one of them does."""

    @property
    def defs(self) -> tuple[MetricDef, ...]:
        """Declared in every NBIRTH; writes to other names are logged and ignored."""
        ...

    def values(self) -> Mapping[str, MetricValue]:
        """Their values now (with each view)."""
        ...

    async def take(self, name: str, value: MetricValue) -> Mapping[str, MetricValue]:
        """Carry out a write of ``value`` to ``name``; what to publish now in answer."""
        ...
