"""The OPC UA standard address space of a simulated PLC's server, built once per process.

asyncua's ``Server.init`` fills every server with the standard nodes of OPC UA Part 5 (about
6,200 nodes) from generated code: 1.7 s of CPU on this project's CI machine, for each simulated
PLC. A process that serves many PLCs (``crane-ctrl fleet demo``, a test rig, the tests) builds
them once and gives each new server its own copy, which takes a few hundredths of that.

The copy is of the standard nodes exactly as asyncua's own filling leaves them, before the server
adds anything of its own (namespace, server status, methods, the profile's nodes): every node,
attribute holder and reference list is new, so a write to one server is never seen by another
(asyncua writes a new ``DataValue`` into the holder; it never changes one in place). A
``DataValue`` holding a number, a text, a node id or a name is shared, as asyncua itself shares
them; one holding a list or a structure (``NamespaceArray``, ``BuildInfo``) is copied with its
value one level deep, since a reader inside the process gets that very list back. The first
filling in a process runs as asyncua runs it (in a thread); if it left a callback anywhere,
which a copy could not carry, no copy is kept and every server fills its own.
"""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

from asyncua import ua
from asyncua.server.address_space import AttributeValue, NodeData
from asyncua.server.internal_server import InternalServer
from asyncua.server.server import Server

__all__ = ["stop_clock_at_once", "use_shared_standard_space"]

_SHARED_VALUES = (int, float, str, bytes, bool, type(None), ua.NodeId, ua.LocalizedText,
                  ua.QualifiedName)  # fmt: skip
"""Value types asyncua never changes in place (a write replaces the value holder)."""

_template: dict[ua.NodeId, NodeData] | None = None
"""The standard nodes as asyncua's filling left them, once one server of this process built
them; None before."""


def use_shared_standard_space(server: Server) -> None:
    """Make ``server.init()`` give this server a copy of the standard nodes built once in this
    process, rather than build them again (call before ``init``)."""
    iserver = server.iserver

    async def load(shelf_file: Path | None = None) -> None:
        await _load(iserver, shelf_file)

    setattr(iserver, "load_standard_address_space", load)  # noqa: B010 (an instance's method)


async def _load(iserver: InternalServer, shelf_file: Path | None) -> None:
    global _template
    nodes: dict[ua.NodeId, NodeData] = iserver.aspace._nodes
    if _template is not None and shelf_file is None and not nodes:
        nodes.update(_copied(_template))
        return
    await InternalServer.load_standard_address_space(iserver, shelf_file)
    if _template is None and shelf_file is None and all(map(_plain, nodes.values())):
        _template = _copied(nodes)


async def stop_clock_at_once(server: Server) -> None:
    """Stop the task that writes the server's ``CurrentTime`` every second, now: asyncua's
    ``Server.stop`` waits for it to wake, up to a second of every stop (call just before)."""
    iserver = server.iserver
    task = iserver.time_task
    if task is not None:
        task.cancel()
        await asyncio.wait([task])
        iserver.time_task = None


def _plain(node: NodeData) -> bool:
    """True when the node holds nothing a copy could not carry: no method, no callback."""
    return node.call is None and all(
        a.value_callback is None and a.value_setter is None and not a.datachange_callbacks
        for a in node.attributes.values()
    )


def _copied(nodes: dict[ua.NodeId, NodeData]) -> dict[ua.NodeId, NodeData]:
    return {node_id: _copied_node(node) for node_id, node in nodes.items()}


def _copied_node(node: NodeData) -> NodeData:
    new = NodeData(node.nodeid)
    new.attributes = {
        # (a holder's value may be None: its __init__ is typed narrower than its attribute)
        attr: AttributeValue(_copied_data(held.value))  # type: ignore[arg-type]
        for attr, held in node.attributes.items()
    }
    new.references = list(node.references)
    return new


def _copied_data(data: ua.DataValue | None) -> ua.DataValue | None:
    if data is None or data.Value is None or isinstance(data.Value.Value, _SHARED_VALUES):
        return data
    new = copy.copy(data)
    variant = new.Value = copy.copy(data.Value)
    variant.Value = _copied_value(data.Value.Value)
    return new


def _copied_value(value: Any) -> Any:
    if isinstance(value, list):
        return [v if isinstance(v, _SHARED_VALUES) else copy.copy(v) for v in value]
    return copy.copy(value)
