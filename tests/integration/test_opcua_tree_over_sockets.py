"""The simulator's OPC UA object tree as a generic client sees it, over a real loopback socket.

A plain asyncua ``Client`` (no link code) browses ``Objects/Crane``: one object per group of
canonical signals, each profile node under its group with the profile's own node id (string,
S7-style, numeric), arrays and packed words included; analog variables are AnalogItemType with
``EngineeringUnits`` (UNECE codes) and ``EURange`` in the units the node holds; values carry
source and server timestamps that move when the value changes. The supervisor's link reads the
same properties once at connect.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
from asyncua.ua.object_ids import ObjectIds

from crane_ctrl.crane import CraneParams
from crane_ctrl.links.opcua import OpcUaLink
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import OpcUaProfile
from crane_ctrl.profile.opcua_map import NodeRef, OpcUaCodec
from crane_ctrl.realtime import MonotonicClock
from crane_ctrl.testing import wait_until
from crane_ctrl.units import UNECE_NAMESPACE, unit_id
from simulators.opcua_server import OpcUaPlcServer
from tests.integration.test_sim_servers import (
    ScriptedPlc,
    assert_decoded,
    client_certificate,
    opcua_profile,
    read_nodes,
)
from tests.profile_texts import PROFILES, with_signal

GROUPS = {"Plc", "Gantry", "Trolley", "Hoist", "Sway", "Spreader", "Environment", "Lane"}
GROUPS |= {"Supervisor", "Drives"}


async def children(node: Node) -> dict[str, Node]:
    """``node``'s components and properties by browse name."""
    found: dict[str, Node] = {}
    for child in await node.get_children():
        found[str((await child.read_browse_name()).Name)] = child
    return found


async def crane_of(client: Client) -> Node:
    return await client.nodes.objects.get_child("1:Crane")


async def node_id(client: Client, ref: NodeRef) -> ua.NodeId:
    index = await client.get_namespace_index(ref.namespace_uri)
    return ua.NodeId.from_string(f"ns={index};{ref.identifier}")


async def variables_under(node: Node) -> set[ua.NodeId]:
    """Every variable below ``node`` but properties, through objects."""
    found: set[ua.NodeId] = set()
    for child in await node.get_children(refs=ObjectIds.HasComponent):
        node_class = await child.read_node_class()
        if node_class == ua.NodeClass.Variable:
            found.add(child.nodeid)
        elif node_class == ua.NodeClass.Object:
            found |= await variables_under(child)
    return found


def standard(identifier: int) -> ua.NodeId:
    return ua.NodeId(ua.Int32(identifier))


async def properties(node: Node) -> dict[str, object]:
    return {
        (await p.read_browse_name()).Name: await p.read_value() for p in await node.get_properties()
    }


async def unit_of(node: Node) -> int:
    """The ``EngineeringUnits.unitId`` ``node`` declares."""
    units = (await properties(node))["EngineeringUnits"]
    assert isinstance(units, ua.EUInformation)
    return int(units.UnitId)


async def test_a_generic_client_browses_the_crane_by_groups_with_the_profiles_node_ids() -> None:
    profile = opcua_profile("generic-opcua")
    codec = OpcUaCodec(profile)
    async with (
        OpcUaPlcServer(profile, ScriptedPlc()) as server,
        Client(server.endpoint, timeout=5) as client,
    ):
        crane = await crane_of(client)
        groups = await children(crane)
        assert set(groups) == GROUPS
        references = await crane.get_references(refs=ObjectIds.HasComponent)
        assert {r.BrowseName.Name for r in references} == GROUPS
        hoist = await children(groups["Hoist"])
        assert {"Position", "Speed", "Load", "SlackRope", "HoistSpeedRef"} <= set(hoist)
        position = codec.ref(profile.signals["hoist.position"])
        assert hoist["Position"].nodeid == await node_id(client, position)
        assert (await hoist["Position"].read_display_name()).Text == "Position"
        description = str((await hoist["Position"].read_description()).Text)
        assert description.startswith("hoist.position: height of the spreader's underside")
        assert "Heartbeat" in await children(groups["Supervisor"])
        assert "Wind" in await children(groups["Environment"])
        every = {await node_id(client, ref) for ref in codec.node_types()}
        assert await variables_under(crane) == every


async def test_an_analog_node_declares_its_unit_and_this_cranes_range() -> None:
    profile = opcua_profile("generic-opcua")
    crane = CraneParams(lift_height_m=20.0)
    async with (
        OpcUaPlcServer(profile, ScriptedPlc(), crane=crane) as server,
        Client(server.endpoint, timeout=5) as client,
    ):
        hoist = await children((await children(await crane_of(client)))["Hoist"])
        position = hoist["Position"]
        assert await position.read_type_definition() == standard(ObjectIds.AnalogItemType)
        declared = await properties(position)
        units = declared["EngineeringUnits"]
        assert isinstance(units, ua.EUInformation)
        assert (units.NamespaceUri, units.UnitId) == (UNECE_NAMESPACE, unit_id("MTR"))
        assert units.UnitId == 5067858  # OPC 10000-8's own example value for metre
        assert units.DisplayName.Text == "m"
        assert declared["EURange"] == ua.Range(-2.5, 22.0)  # lowest -0.5, lift 20 m, 2 m margin
        assert await unit_of(hoist["Speed"]) == unit_id("MTS")
        assert await unit_of(hoist["Load"]) == unit_id("TNE")
        assert await properties(hoist["SlackRope"]) == {}
        slack_type = await hoist["SlackRope"].read_type_definition()
        assert slack_type == standard(ObjectIds.BaseDataVariableType)


async def test_source_timestamps_move_only_when_the_value_changes() -> None:
    profile = opcua_profile("generic-opcua")
    plc = ScriptedPlc()
    async with (
        OpcUaPlcServer(profile, plc) as server,
        Client(server.endpoint, timeout=5) as client,
    ):
        groups = await children(await crane_of(client))
        position = (await children(groups["Hoist"]))["Position"]
        clear = (await children(groups["Lane"]))["Clear"]
        first, clear_first = await position.read_data_value(), await clear.read_data_value()
        assert first.SourceTimestamp is not None
        assert first.ServerTimestamp is not None
        plc.values["hoist.position"] = float(plc.values["hoist.position"]) + 1.0
        await server.publish()
        second, clear_second = await position.read_data_value(), await clear.read_data_value()
        assert second.Value is not None
        assert first.Value is not None
        assert second.Value.Value == first.Value.Value + 1.0
        assert second.SourceTimestamp is not None
        assert second.SourceTimestamp > first.SourceTimestamp
        assert clear_second.SourceTimestamp == clear_first.SourceTimestamp  # unchanged value


PACKED_AND_NUMERIC = {
    "hoist.position": '{ node = "i=5001", type = "Double" }',
    "plc.remote": '{ node = "s=Crane.StatusWord", type = "UInt16", bit = 0 }',
    "hoist.slack_rope": '{ node = "s=Crane.StatusWord", type = "UInt16", bit = 1 }',
    **{
        f"spreader.landed_{corner}": (
            f'{{ node = "s=Crane.Spreader.Landed", type = "Boolean", index = {corner - 1} }}'
        )
        for corner in (1, 2, 3, 4)
    },
}


def packed_and_numeric() -> OpcUaProfile:
    text = (PROFILES / "generic-opcua.toml").read_text(encoding="utf-8")
    for name, mapping in PACKED_AND_NUMERIC.items():
        text = with_signal(text, name, mapping)
    profile = parse_profile(text, "packed.toml")
    assert isinstance(profile, OpcUaProfile)
    return profile


async def test_numeric_ids_arrays_and_a_status_word_of_two_groups_keep_working() -> None:
    profile = packed_and_numeric()
    plc = ScriptedPlc()
    async with (
        OpcUaPlcServer(profile, plc) as server,
        Client(server.endpoint, timeout=5) as client,
    ):
        crane = await crane_of(client)
        top = await children(crane)
        word = top["StatusWord"]  # plc.* and hoist.* bits: the crane's own component
        assert word.nodeid == await node_id(
            client, NodeRef("urn:crane-ctrl:sim", "s=Crane.StatusWord")
        )
        assert "plc.remote bit 0" in str((await word.read_description()).Text)
        hoist = await children(top["Hoist"])
        assert hoist["Position"].nodeid == await node_id(
            client, NodeRef("urn:crane-ctrl:sim", "i=5001")
        )
        assert "EngineeringUnits" in await properties(hoist["Position"])
        landed = (await children(top["Spreader"]))["Landed"]
        assert len(await landed.read_value()) == 4
        codec = OpcUaCodec(profile)
        assert_decoded(codec.decode(await read_nodes(client, codec.nodes())).values, plc.values)


async def test_s7_symbolic_ids_are_named_by_their_last_member_with_the_units_they_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = opcua_profile("siemens-s7-1500-opcua")
    link = profile.link
    assert link.username_env is not None
    assert link.password_env is not None
    monkeypatch.setenv(link.username_env, "crane")
    monkeypatch.setenv(link.password_env, "s3cret")
    async with OpcUaPlcServer(profile, ScriptedPlc(), pki_dir=tmp_path / "server") as server:
        client = Client(server.endpoint, timeout=5)
        key, cert = await client_certificate(tmp_path)
        client.application_uri = "urn:crane-ctrl:test-client"
        await client.set_security(
            SecurityPolicyBasic256Sha256,
            certificate=str(cert),
            private_key=str(key),
            mode=ua.MessageSecurityMode.SignAndEncrypt,
        )
        client.set_user("crane")
        client.set_password("s3cret")
        async with client:
            groups = await children(await crane_of(client))
            hoist = await children(groups["Hoist"])
            assert {"ActPos", "ActSpeed", "Load", "SpeedRef"} <= set(hoist)
            ref = NodeRef(link.namespace_uri, 's="DB_Crane"."Hoist"."ActPos"')
            assert hoist["ActPos"].nodeid == await node_id(client, ref)
            assert await unit_of(hoist["ActPos"]) == unit_id("MMT")
            eu_range = (await properties(hoist["ActPos"]))["EURange"]
            assert eu_range == ua.Range(-2000.0, 60000.0)  # mm: the catalogue's (no crane given)
            assert await unit_of(hoist["Load"]) == unit_id("KGM")
            assert await unit_of(hoist["SpeedRef"]) == unit_id("C16")  # mm/s
            landed = (await children(groups["Spreader"]))["Landed"]
            assert len(await landed.read_value()) == 4


async def test_the_link_reads_what_each_analog_node_declares_once_at_connect() -> None:
    text = (PROFILES / "generic-opcua.toml").read_text(encoding="utf-8")
    # 1 raw = 2 mm: no unit fits, so the node declares its range only
    text = with_signal(
        text, "sway.gantry", '{ node = "s=Crane.Sway.Gantry", type = "Double", scale = 0.002 }'
    )
    profile = parse_profile(text, "odd-scale.toml")
    assert isinstance(profile, OpcUaProfile)
    async with (
        OpcUaPlcServer(profile, ScriptedPlc()) as server,
        OpcUaLink(profile, MonotonicClock(), endpoint=server.endpoint) as link,
    ):
        await wait_until(lambda: link.declared_units is not None, within=10, what="units read")
        declared = link.declared_units
        assert declared is not None
        assert set(declared) == {
            "gantry.position", "trolley.position", "hoist.position", "gantry.speed",
            "trolley.speed", "hoist.speed", "hoist.load", "sway.trolley", "sway.gantry",
            "env.wind", "gantry.speed_ref", "trolley.speed_ref", "hoist.speed_ref",
        }  # fmt: skip
        position = declared["hoist.position"]
        assert position.unit is not None
        assert position.unit.code == "MTR"
        assert (position.low, position.high) == (-2.0, 60.0)  # the catalogue's: no crane given
        sway = declared["sway.gantry"]
        assert not sway.has_unit
        assert (sway.low, sway.high) == (-5000.0, 5000.0)
