"""The OPC UA standard nodes built once per process and copied into each simulated PLC's server
(:mod:`simulators.opcua_standard_space`): the copy is the standard address space asyncua builds,
node for node and value for value; one server's writes and namespaces are never seen by another;
a client served from a copy browses and reads the standard nodes; a stop does not wait for the
server's clock."""

from __future__ import annotations

import asyncio

from asyncua import Client, Server, ua
from asyncua.ua.object_ids import ObjectIds

import simulators.opcua_standard_space as space
from simulators.opcua_server import OpcUaPlcServer
from tests.integration.test_sim_servers import ScriptedPlc, opcua_profile

NAMESPACES = ua.NodeId(ObjectIds.Server_NamespaceArray)
BUILD_INFO = ua.NodeId(ObjectIds.Server_ServerStatus_BuildInfo)


def _values(server: Server) -> dict[tuple[str, int], object]:
    return {
        (node_id.to_string(), int(attr)): None if held.value is None else held.value.Value
        for node_id, node in server.iserver.aspace._nodes.items()
        for attr, held in node.attributes.items()
    }


async def _shared() -> Server:
    server = Server()
    space.use_shared_standard_space(server)
    await server.iserver.load_standard_address_space()
    return server


async def test_the_copy_is_the_standard_address_space_node_for_node() -> None:
    await _shared()  # builds the template, if no server of this process did
    assert space._template is not None
    own = Server()
    await own.iserver.load_standard_address_space()  # asyncua's own filling
    copied = await _shared()
    assert len(own.iserver.aspace._nodes) > 6000
    assert _values(copied) == _values(own)
    for node_id, node in own.iserver.aspace._nodes.items():
        twin = copied.iserver.aspace._nodes[node_id]
        assert twin is not space._template[node_id]
        assert twin.references == node.references, node_id
        assert twin.references is not space._template[node_id].references


async def test_a_write_or_a_namespace_in_one_server_is_not_seen_in_another() -> None:
    first, second = Server(), Server()
    for server in (first, second):
        space.use_shared_standard_space(server)
        await server.init()
    before = await second.get_node(NAMESPACES).read_value()
    index = await first.register_namespace("urn:only-in-the-first")
    assert index == len(before)
    assert await second.get_node(NAMESPACES).read_value() == before
    info = await first.get_node(BUILD_INFO).read_value()
    info.ProductName = "changed in place"
    assert (await second.get_node(BUILD_INFO).read_value()).ProductName != "changed in place"
    await first.get_node(ObjectIds.Server_ServiceLevel).write_value(
        ua.Variant(7, ua.VariantType.Byte)
    )
    assert await second.get_node(ObjectIds.Server_ServiceLevel).read_value() != 7


async def test_a_client_reads_and_browses_the_standard_nodes_of_a_copy_and_the_stop_is_prompt() -> (
    None
):
    profile = opcua_profile("generic-opcua")
    async with OpcUaPlcServer(profile, ScriptedPlc()) as first:
        pass
    server = await OpcUaPlcServer(profile, ScriptedPlc()).__aenter__()
    try:
        async with Client(server.endpoint, timeout=5) as client:
            namespaces = await client.get_namespace_array()
            assert namespaces[0] == "http://opcfoundation.org/UA/"
            assert profile.link.namespace_uri in namespaces
            status = client.get_node(ObjectIds.Server_ServerStatus_State)
            assert await status.read_value() == ua.ServerState.Running
            assert len(await client.nodes.server.get_children()) > 5
        clock = server._server.iserver.time_task
        assert clock is not None
        assert not clock.done()
    finally:
        await asyncio.wait_for(server.__aexit__(None, None, None), timeout=5)
    assert clock.done()
    assert server._server.iserver.time_task is None
    assert first._server.iserver.time_task is None
