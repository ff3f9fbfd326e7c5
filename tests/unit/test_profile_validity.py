"""``[validity.<block>]`` in a profile (issue 15, deliverable 4): what loads, what each block
covers, what the codecs give as its proof each read, and the located message for each mistake.
"""

from __future__ import annotations

import tomllib

import jsonschema
import pytest

from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.diff import diff_profiles
from crane_ctrl.profile.loader import load_profile, parse_profile
from crane_ctrl.profile.modbus_map import ModbusCodec, RegisterImage
from crane_ctrl.profile.model import OpcUaProfile
from crane_ctrl.profile.opcua_map import NodeRef, OpcUaCodec
from crane_ctrl.profile.schema import profile_json_schema
from crane_ctrl.profile.validity import status_blocks
from crane_ctrl.validity import Proof
from tests.profile_texts import GENERIC_MODBUS, GENERIC_OPCUA, PROFILES, line_of, with_signal

SOURCE = "crane.toml"
M580 = PROFILES / "modicon-m580-modbus.toml"
LIMITS = {
    "gantry.limit_fwd_ok",
    "gantry.limit_rev_ok",
    "trolley.limit_fwd_ok",
    "trolley.limit_rev_ok",
    "hoist.limit_up_ok",
    "hoist.limit_down_ok",
}
LIFE_POINT = """
[points]
limits_life = { table = "input", address = 23, type = "uint16" }
"""


def modbus(block: str, points: str = LIFE_POINT) -> str:
    return GENERIC_MODBUS + points + "\n" + block


def opcua(block: str) -> str:
    return GENERIC_OPCUA + "\n" + block


def problems(text: str) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, SOURCE)
    return [str(p) for p in caught.value.problems]


# --- what loads and what it covers --------------------------------------------------------------


def test_the_shipped_m580_proves_its_status_block_alive_by_the_plc_life_counter() -> None:
    (block,) = status_blocks(load_profile(M580))
    assert (block.name, block.proof, block.source, block.timeout_s) == (
        "plc_status", Proof.LIFE_COUNTER, "plc.heartbeat", 1.0,
    )  # fmt: skip
    assert {"plc.estop_ok", "plc.remote", "plc.heartbeat", "spreader.size"} | LIMITS <= block.covers
    assert "hoist.position" not in block.covers  # holding 14..15: outside the block
    assert "drives.enable" not in block.covers  # a command is never covered


def test_a_block_covers_signals_by_name_and_glob_and_points_by_name() -> None:
    text = modbus(
        '[validity.limits]\nsignals = ["gantry.limit_*_ok", "hoist.limit_up_ok", "limits_life"]\n'
        'life_counter = "limits_life"\ntimeout_s = 0.5\n'
    )
    (block,) = status_blocks(parse_profile(text, SOURCE))
    assert block.covers == {"gantry.limit_fwd_ok", "gantry.limit_rev_ok", "hoist.limit_up_ok"}


def test_a_modbus_range_covers_every_signal_whose_place_lies_in_it() -> None:
    text = modbus(
        '[validity.cards]\nregisters = ["discrete_input 9..14", "input 20"]\n'
        'life_counter = "limits_life"\ntimeout_s = 0.5\n'
    )
    (block,) = status_blocks(parse_profile(text, SOURCE))
    assert block.covers == LIMITS | {"plc.heartbeat"}


def test_an_opcua_block_covers_the_signals_of_its_nodes() -> None:
    text = opcua(
        '[validity.plc]\nnodes = ["s=Crane.plc.estop_ok", "s=Crane.plc.remote"]\n'
        "never_all_zero = true\n"
    )
    profile = parse_profile(text, SOURCE)
    assert isinstance(profile, OpcUaProfile)
    (block,) = status_blocks(profile)
    assert block.covers == {"plc.estop_ok", "plc.remote"}
    assert block.words == "s=Crane.plc.remote, s=Crane.plc.estop_ok"  # in profile order


def test_a_derived_signal_that_reads_a_covered_point_is_covered_too() -> None:
    text = with_signal(
        GENERIC_MODBUS, "gantry.limit_fwd_ok", '{ derived = "not bit(limits_word, 0)" }'
    )
    points = '\n[points]\nlimits_word = { table = "input", address = 23, type = "uint16" }\n'
    text += points + '\n[validity.limits]\nregisters = ["input 23"]\nnever_all_zero = true\n'
    (block,) = status_blocks(parse_profile(text, SOURCE))
    assert block.covers == {"gantry.limit_fwd_ok"}
    assert block.words == "input 23"


# --- what the codecs give as proofs -------------------------------------------------------------


def test_the_modbus_codec_gives_the_life_counter_and_whether_a_word_is_all_zero() -> None:
    text = modbus(
        '[validity.life]\nsignals = ["gantry.limit_*_ok"]\nlife_counter = "limits_life"\n'
        'timeout_s = 0.5\n\n[validity.word]\nregisters = ["input 21..22"]\nnever_all_zero = true\n'
    )
    codec = ModbusCodec(parse_profile(text, SOURCE))  # type: ignore[arg-type]
    image = RegisterImage()
    image.put("input", 0, [0] * 24)
    image.put("discrete_input", 0, [1] * 31)
    image.put("input", 23, [41])
    assert codec.decode(image).proofs == {"life": 41, "word": False}
    image.put("input", 22, [20])  # a spreader size: the word is alive
    assert codec.decode(image).proofs == {"life": 41, "word": True}
    assert codec.decode(RegisterImage()).proofs == {}  # nothing read: no proof


def test_the_opcua_codec_gives_whether_its_nodes_are_all_zero() -> None:
    text = opcua(
        '[validity.plc]\nsignals = ["plc.estop_ok", "plc.remote"]\nnever_all_zero = true\n'
    )
    profile = parse_profile(text, SOURCE)
    assert isinstance(profile, OpcUaProfile)
    codec = OpcUaCodec(profile)
    estop, remote = (NodeRef("urn:test", f"s=Crane.plc.{n}") for n in ("estop_ok", "remote"))
    assert codec.decode({estop: False, remote: False}).proofs == {"plc": False}
    assert codec.decode({estop: False, remote: True}).proofs == {"plc": True}
    assert codec.decode({estop: True}).proofs == {}  # remote not read: no proof


# --- located mistakes ---------------------------------------------------------------------------


def test_a_block_without_a_proof_is_told_the_three_kinds() -> None:
    text = modbus('[validity.limits]\nsignals = ["gantry.limit_*_ok"]\n')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, '[validity.limits]')} validity.limits: name what proves this "
        'block alive: life_counter = "<an integer point or status signal the PLC program '
        'counts>" with timeout_s, life_bit = "<a bool point or status signal it toggles>" with '
        "timeout_s, or never_all_zero = true"
    ]


def test_a_life_counter_without_its_timeout_is_told_to_add_one() -> None:
    text = modbus('[validity.limits]\nsignals = ["gantry.*"]\nlife_counter = "limits_life"\n')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'life_counter =')} validity.limits.life_counter: life_counter "
        "needs timeout_s: how long it may take to change, s; add e.g. timeout_s = 1.0 (at least "
        "twice the PLC's period for it, and more than the scan)"
    ]


def test_two_proofs_in_one_block_are_refused_at_the_second() -> None:
    text = modbus(
        '[validity.limits]\nsignals = ["gantry.*"]\nlife_counter = "limits_life"\n'
        "timeout_s = 1.0\nnever_all_zero = true\n"
    )
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'never_all_zero')} validity.limits.never_all_zero: one proof "
        "per block, not life_counter and never_all_zero; keep one, or split the block into two "
        "[validity.<name>] tables"
    ]


def test_never_all_zero_takes_no_timeout() -> None:
    text = modbus('[validity.w]\nregisters = ["input 21"]\nnever_all_zero = true\ntimeout_s = 2\n')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'timeout_s = 2')} validity.w.timeout_s: never_all_zero is "
        "checked every scan and has no timeout: remove timeout_s"
    ]


def test_an_unknown_life_source_suggests_the_closest_name() -> None:
    text = modbus(
        '[validity.l]\nsignals = ["gantry.*"]\nlife_counter = "limit_life"\ntimeout_s = 1.0\n'
    )
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'life_counter =')} validity.l.life_counter: 'limit_life' is no "
        'point or status signal of this profile; did you mean "limits_life"? declare the PLC\'s '
        "life bit or counter under [points], or name a status signal it maps"
    ]


@pytest.mark.parametrize(
    ("proof", "source", "message"),
    [
        (
            "life_bit",
            "plc.heartbeat",
            "plc.heartbeat decodes as an integer; a life bit is a bool "
            "(a bit, a coil, a bool type); for a number use life_counter",
        ),
        (
            "life_counter",
            "plc.remote",
            "plc.remote decodes as a bool; a life counter is a whole "
            "number; for a bool that toggles use life_bit",
        ),
        (
            "life_counter",
            "hoist.load",
            "hoist.load decodes as a number; a life counter is a "
            "whole number: an integer type, not scaled, no bit field",
        ),
        (
            "life_bit",
            "sup.heartbeat",
            "sup.heartbeat is a command the supervisor writes; it proves nothing of the PLC",
        ),
    ],
    ids=["bit-from-a-counter", "counter-from-a-bool", "counter-from-a-float", "command"],
)
def test_a_life_source_of_the_wrong_kind_is_refused_with_the_fix(
    proof: str, source: str, message: str
) -> None:
    text = modbus(f'[validity.l]\nsignals = ["gantry.*"]\n{proof} = "{source}"\ntimeout_s = 1.0\n')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, f'{proof} =')} validity.l.{proof}: {message}"
    ]


def test_what_a_block_covers_must_be_found_in_the_profile() -> None:
    text = modbus(
        '[validity.l]\nsignals = ["gantry.limit_fwd", "drives.enable"]\n'
        'registers = ["input 40..44", "holding 4..2", "holdings 3"]\n'
        'life_counter = "limits_life"\ntimeout_s = 1.0\n'
    )
    at_signals = f"{SOURCE}:{line_of(text, 'signals = [')} validity.l.signals"
    at_registers = f"{SOURCE}:{line_of(text, 'registers = [')} validity.l.registers"
    assert problems(text) == [
        f'{at_signals}: "gantry.limit_fwd" matches no status signal or point of this profile; '
        'did you mean "gantry.limit_fwd_ok"? write names or globs such as "gantry.limit_*_ok"',
        f"{at_signals}: drives.enable is a command the supervisor writes; cover status signals "
        "and points",
        f'{at_registers}: "input 40..44" holds no status signal or point of this profile; give '
        "the range of the block's words (zero-based addresses)",
        f'{at_registers}: "holding 4..2" ends before it starts; write the lower address first',
        f'{at_registers}: "holdings 3" is not a register range; write "<table> <first>..<last>" '
        'or "<table> <address>", e.g. "holding 0..4" (table: coil, discrete_input, holding or '
        "input; zero-based addresses)",
    ]


def test_a_block_that_covers_nothing_is_told_what_to_name() -> None:
    text = opcua("[validity.plc]\nnever_all_zero = true\n")
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, '[validity.plc]')} validity.plc: say what this block covers: "
        "signals = [names or globs] and/or nodes = [...]"
    ]


def test_an_opcua_node_no_signal_uses_suggests_the_closest() -> None:
    text = opcua('[validity.plc]\nnodes = ["s=Crane.plc.estop"]\nnever_all_zero = true\n')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'nodes = [')} validity.plc.nodes: 's=Crane.plc.estop' is the "
        "node of no status signal or point of this profile; did you mean "
        "'s=Crane.plc.estop_ok'? write the node identifier as the mappings do"
    ]


def test_places_of_the_other_protocol_are_refused_by_name() -> None:
    text = opcua('[validity.plc]\nregisters = ["holding 0"]\nnever_all_zero = true\n')
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'registers = [')} validity.plc.registers: registers are for "
        "Modbus profiles; an OPC UA block covers nodes = [node identifiers] and/or signals = "
        "[names or globs]"
    ]


def test_a_validity_array_of_tables_is_told_to_name_each_block() -> None:
    text = modbus('[[validity]]\nsignals = ["gantry.*"]\nnever_all_zero = true\n')
    (problem,) = problems(text)
    assert problem == (
        f"{SOURCE}:{line_of(text, '[[validity]]')} validity: each status block is a table of its "
        "own, named after the block: [validity.status_word] with signals = [...] (or registers / "
        "nodes) and its proof"
    )


def test_never_all_zero_needs_words_not_only_derived_signals() -> None:
    text = with_signal(GENERIC_MODBUS, "gantry.limit_fwd_ok", '{ derived = "not bit(w, 0)" }')
    text += '\n[points]\nw = { table = "input", address = 23, type = "uint16" }\n'
    text += '\n[validity.l]\nsignals = ["gantry.limit_fwd_ok"]\nnever_all_zero = true\n'
    assert problems(text) == [
        f"{SOURCE}:{line_of(text, 'never_all_zero')} validity.l.never_all_zero: never_all_zero "
        "checks the words of the signals and points the block covers, but it covers only "
        "derived signals; cover their points (by name, registers or nodes)"
    ]


# --- schema and diff ----------------------------------------------------------------------------


def test_the_json_schema_takes_a_block_with_a_proof_and_refuses_one_without() -> None:
    schema = profile_json_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    data = tomllib.loads(M580.read_text(encoding="utf-8"))
    assert validator.is_valid(data)
    del data["validity"]["plc_status"]["life_counter"]
    assert not validator.is_valid(data)
    data["validity"]["plc_status"].update(never_all_zero=True, registers=["holding 0 .. 4"])
    assert not validator.is_valid(data)  # not a range as written in the file
    data["validity"]["plc_status"]["registers"] = ["holding 0..4"]
    assert validator.is_valid(data)


def test_diff_names_a_status_block_added_removed_and_changed() -> None:
    old = load_profile(M580)
    text = M580.read_text(encoding="utf-8")
    new = parse_profile(text.replace("timeout_s = 1.0 ", "timeout_s = 2.0 "), SOURCE)
    (change,) = diff_profiles(old, new)
    assert str(change) == (
        "changed   validity.plc_status    life counter plc.heartbeat 1 s over holding 0..4 -> "
        "life counter plc.heartbeat 2 s over holding 0..4"
    )
    bare = parse_profile(text[: text.index("\n[validity.plc_status]")], SOURCE)
    assert [str(c).split()[:2] for c in diff_profiles(old, bare)] == [
        ["removed", "validity.plc_status"]
    ]
