"""Engineering units, pure: UNECE codes packed as OPC UA unit ids, the scale a declared unit
needs, commissioning's judgement of a declared unit against the profile's scale, and where the
simulator's OPC UA tree puts each node and what it declares."""

from __future__ import annotations

import pytest

from crane_ctrl.commission.io_check import judge_unit, judge_units
from crane_ctrl.commission.outcome import Status
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import OpcUaMapping, OpcUaProfile
from crane_ctrl.profile.opcua_map import NodeRef, OpcUaCodec
from crane_ctrl.signals import SIGNALS
from crane_ctrl.units import (
    UNECE_NAMESPACE,
    UNITS,
    DeclaredUnits,
    node_unit,
    scale_for,
    unece_code,
    unit_id,
)
from simulators.opcua_tree import plan
from tests.profile_texts import PROFILES, with_signal


def test_unit_ids_pack_the_unece_code_one_byte_a_character() -> None:
    assert unit_id("MTR") == 0x4D5452 == 5067858
    assert unit_id("2M") == 0x324D
    for code in UNITS:
        assert unece_code(unit_id(code)) == code
    assert unece_code(-1) is None
    assert unece_code(0) is None


@pytest.mark.parametrize(
    ("code", "canonical", "scale"),
    [("MTR", "m", 1.0), ("MMT", "m", 0.001), ("CMT", "m", 0.01), ("C16", "m/s", 0.001),
     ("KMH", "m/s", 1 / 3.6), ("KGM", "t", 0.001), ("TNE", "t", 1.0)],
)  # fmt: skip
def test_the_scale_a_declared_unit_needs_and_the_unit_a_scale_implies(
    code: str, canonical: str, scale: float
) -> None:
    assert scale_for(UNITS[code], canonical) == pytest.approx(scale)
    assert node_unit(canonical, scale) == UNITS[code]
    assert node_unit(canonical, -scale) == UNITS[code]  # a sign turns the direction, not the unit


def test_units_of_another_quantity_or_odd_scales_have_no_answer() -> None:
    assert scale_for(UNITS["MTS"], "m") is None
    assert scale_for(UNITS["DD"], "m") is None
    assert scale_for(UNITS["MTR"], "ft") is None
    assert node_unit("m", 0.002) is None
    assert node_unit("ft", 1.0) is None


def declared(code: str, low: float | None = None, high: float | None = None) -> DeclaredUnits:
    return DeclaredUnits(UNECE_NAMESPACE, unit_id(code), UNITS[code].symbol, low, high)


def mapping(scale: float = 1.0, offset: float = 0.0) -> OpcUaMapping:
    return OpcUaMapping(node="s=Crane.Hoist.Position", type="Double", scale=scale, offset=offset)


def test_millimetres_read_with_scale_one_fail_with_the_fix() -> None:
    check = judge_unit(SIGNALS["hoist.position"], mapping(), declared("MMT", -2500, 20000))
    assert check.status is Status.FAIL
    assert check.id == "hoist.position units"
    assert check.reason == (
        "the PLC declares mm (MMT) at s=Crane.Hoist.Position, but the profile's scale 1 reads "
        "the node as m (MTR): set scale = 0.001"
    )
    assert check.measured["fix"] == "scale = 0.001"
    assert (check.measured["eu_low"], check.measured["eu_high"]) == (-2500, 20000)


def test_the_fix_keeps_the_sign_of_a_reversing_scale() -> None:
    check = judge_unit(SIGNALS["gantry.speed"], mapping(-1.0), declared("C16"))
    assert check.status is Status.FAIL
    assert check.measured["fix"] == "scale = -0.001"


def test_a_unit_that_agrees_with_the_scale_passes_with_the_range_in_signal_units() -> None:
    check = judge_unit(SIGNALS["hoist.load"], mapping(0.001), declared("KGM", -12000, 150000))
    assert check.status is Status.PASS
    assert check.reason.endswith("scale 0.001 reads it in t")
    assert (check.measured["eu_low"], check.measured["eu_high"]) == (-12.0, 150.0)


def test_a_unit_of_another_quantity_fails_and_asks_for_the_node() -> None:
    check = judge_unit(SIGNALS["hoist.position"], mapping(), declared("MTS"))
    assert check.status is Status.FAIL
    assert "a speed, but hoist.position is a length in m: is the node the right one?" in (
        check.reason
    )


def test_an_unknown_unit_is_skipped_for_a_check_by_hand() -> None:
    units = DeclaredUnits("urn:vendor:units", 4711, "Zoll")
    check = judge_unit(SIGNALS["hoist.position"], mapping(), units)
    assert check.status is Status.SKIP
    assert check.reason == (
        "the PLC declares Zoll (unit id 4711) at s=Crane.Hoist.Position, a unit crane-ctrl does "
        "not know: check scale 1 by hand (hoist.position is in m)"
    )


def test_nodes_without_a_declared_unit_are_no_finding() -> None:
    mappings = {"hoist.position": mapping(), "hoist.speed": mapping()}
    range_only = DeclaredUnits(low=0.0, high=1.0)
    checks = judge_units({"hoist.position": range_only, "hoist.speed": declared("MTS")}, mappings)
    assert [c.id for c in checks] == ["hoist.speed units"]


def opcua(**signals: str) -> OpcUaProfile:
    text = (PROFILES / "generic-opcua.toml").read_text(encoding="utf-8")
    for name, line in signals.items():
        text = with_signal(text, name.replace("__", "."), line)
    profile = parse_profile(text, "tree.toml")
    assert isinstance(profile, OpcUaProfile)
    return profile


def test_the_tree_groups_nodes_by_signal_prefix_and_names_them_by_their_ids() -> None:
    profile = opcua(
        hoist__position='{ node = "i=5001", type = "Double", scale = 0.001 }',
        hoist__load='{ node = \'s="DB_Crane"."Hoist"."Load"\', type = "Float", scale = 0.001 }',
        plc__remote='{ node = "s=Crane.Word", type = "UInt16", bit = 0 }',
        hoist__slack_rope='{ node = "s=Crane.Word", type = "UInt16", bit = 1 }',
    )
    tree = plan(OpcUaCodec(profile))
    nodes = {n.ref.identifier: n for n in tree.nodes}
    position = nodes["i=5001"]
    assert (position.group, position.name) == ("Hoist", "Position")
    assert position.analog is not None
    assert position.analog.unit == UNITS["MMT"]
    assert (position.analog.low, position.analog.high) == (-2000.0, 60000.0)
    load = nodes['s="DB_Crane"."Hoist"."Load"']
    assert (load.group, load.name) == ("Hoist", "Load")
    assert load.analog is not None
    assert load.analog.unit == UNITS["KGM"]
    word = nodes["s=Crane.Word"]
    assert (word.group, word.name, word.analog) == ("", "Word", None)
    assert nodes["s=Crane.Env.Wind"].group == "Environment"
    assert nodes["s=Crane.Cmd.Heartbeat"].group == "Supervisor"
    assert tree.groups[:4] == ("Plc", "Gantry", "Trolley", "Hoist")


def test_a_method_object_sits_in_its_commands_group() -> None:
    profile = opcua(plc__reset='{ method = "s=Crane.Reset", object = "s=Crane" }')
    tree = plan(OpcUaCodec(profile))
    placed = tree.objects[NodeRef("urn:crane-ctrl:sim", "s=Crane")]
    assert (placed.group, placed.name) == ("Plc", "Crane")
