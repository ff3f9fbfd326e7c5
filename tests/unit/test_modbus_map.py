"""The Modbus map at work: read planning, the register image, decoding and encoding signals."""

from __future__ import annotations

import math
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.errors import EncodeError
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.modbus_map import (
    MAX_WRITE_BITS,
    MAX_WRITE_REGISTERS,
    Block,
    ModbusCodec,
    RegisterImage,
    WriteBlock,
    plan_reads,
)
from crane_ctrl.profile.model import ModbusProfile
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.signals import SIGNALS, Direction, Kind, Value
from tests.profile_texts import GENERIC_MODBUS, with_signal


@cache
def modbus_profile(*overrides: tuple[str, str | None]) -> ModbusProfile:
    """The shipped generic Modbus profile with some signals' mappings replaced (TOML inline)."""
    text = GENERIC_MODBUS
    for name, mapping in overrides:
        text = with_signal(text, name, mapping)
    profile = parse_profile(text, "test-modbus.toml")
    assert isinstance(profile, ModbusProfile)
    return profile


def codec(*overrides: tuple[str, str | None]) -> ModbusCodec:
    return ModbusCodec(modbus_profile(*overrides))


def spans(table: str, *places: tuple[int, int]) -> list[Block]:
    return [Block(table, start, count) for start, count in places]


# --- read planner --------------------------------------------------------------------------------


def test_no_spans_need_no_requests() -> None:
    assert plan_reads([], max_count=125, max_gap=8) == []


def test_one_span_is_one_request() -> None:
    assert plan_reads(spans("input", (10, 2)), max_count=125, max_gap=8) == spans("input", (10, 2))


def test_adjacent_spans_merge_into_one_request() -> None:
    plan = plan_reads(spans("input", (4, 2), (0, 2), (2, 2)), max_count=125, max_gap=0)
    assert plan == spans("input", (0, 6))


def test_gap_up_to_max_gap_is_bridged() -> None:
    plan = plan_reads(spans("input", (0, 2), (10, 1)), max_count=125, max_gap=8)
    assert plan == spans("input", (0, 11))


def test_gap_beyond_max_gap_splits_requests() -> None:
    plan = plan_reads(spans("input", (0, 2), (11, 1)), max_count=125, max_gap=8)
    assert plan == spans("input", (0, 2), (11, 1))


def test_bits_of_one_register_share_one_read() -> None:
    plan = plan_reads(spans("input", (7, 1), (7, 1), (7, 1)), max_count=125, max_gap=0)
    assert plan == spans("input", (7, 1))


def test_130_contiguous_registers_take_two_requests() -> None:
    plan = plan_reads(spans("holding", *((a, 1) for a in range(130))), max_count=125, max_gap=8)
    assert plan == spans("holding", (0, 125), (125, 5))


def test_multi_register_value_never_splits_across_requests() -> None:
    floats = [(a, 2) for a in range(0, 126, 2)]  # 63 float32: registers 0..125
    plan = plan_reads(spans("input", *floats), max_count=125, max_gap=0)
    assert plan == spans("input", (0, 124), (124, 2))


def test_2000_bits_fit_one_request_and_2001_take_two() -> None:
    bits = [(a, 1) for a in range(2001)]
    assert plan_reads(spans("coil", *bits[:2000]), max_count=2000, max_gap=64) == spans(
        "coil", (0, 2000)
    )
    assert plan_reads(spans("coil", *bits), max_count=2000, max_gap=64) == spans(
        "coil", (0, 2000), (2000, 1)
    )


def test_span_longer_than_one_request_is_refused() -> None:
    with pytest.raises(ValueError, match=r"input 0\.\.3 is longer than one request may read \(2\)"):
        plan_reads(spans("input", (0, 4)), max_count=2, max_gap=0)


@st.composite
def planner_case(draw: st.DrawFn) -> tuple[list[Block], int, int]:
    """Non-overlapping spans (a register type's width each; repeats as bits of one register)."""
    places: list[tuple[int, int]] = []
    address = 0
    for _ in range(draw(st.integers(0, 12))):
        if places and places[-1][1] == 1 and draw(st.booleans()):
            places.append(places[-1])  # another bit of the same register
            continue
        address += draw(st.integers(0, 12))
        count = draw(st.sampled_from((1, 1, 2, 4)))
        places.append((address, count))
        address += count
    max_count = draw(st.integers(4, 20))
    max_gap = draw(st.integers(0, 6))
    shuffled = draw(st.permutations(places))
    return spans("input", *shuffled), max_count, max_gap


def _gaps(block: Block, members: list[Block]) -> list[int]:
    """Lengths of the runs of addresses in ``block`` that no member covers."""
    covered = {a for s in members for a in range(s.start, s.end)}
    gaps, run = [], 0
    for address in range(block.start, block.end):
        if address in covered:
            if run:
                gaps.append(run)
            run = 0
        else:
            run += 1
    assert run == 0, "a block ends on an unmapped address"
    return gaps


def _fewest_requests(spans_: list[Block], max_count: int, max_gap: int) -> int:
    """Brute force: the fewest consecutive groups of the sorted spans that one request can read."""
    ordered = sorted(set(spans_), key=lambda s: s.start)

    def readable(group: list[Block]) -> bool:
        block = Block("input", group[0].start, group[-1].end - group[0].start)
        return block.count <= max_count and all(g <= max_gap for g in _gaps(block, group))

    best = [0] + [math.inf] * len(ordered)
    for j in range(1, len(ordered) + 1):
        for i in range(j):
            if readable(ordered[i:j]):
                best[j] = min(best[j], best[i] + 1)
    return int(best[-1])


@settings(max_examples=300)
@given(planner_case())
def test_read_plan_covers_every_span_once_within_limits_in_fewest_requests(
    case: tuple[list[Block], int, int],
) -> None:
    spans_, max_count, max_gap = case
    plan = plan_reads(spans_, max_count=max_count, max_gap=max_gap)
    for span in spans_:
        holders = [b for b in plan if b.start <= span.start and span.end <= b.end]
        assert len(holders) == 1, f"{span} is read by {holders}"
    for block in plan:
        assert 1 <= block.count <= max_count
        members = [s for s in spans_ if block.start <= s.start and s.end <= block.end]
        assert all(g <= max_gap for g in _gaps(block, members))
    assert len(plan) == _fewest_requests(spans_, max_count, max_gap)


def test_generic_profile_reads_all_status_in_two_requests() -> None:
    assert codec().read_plan() == [Block("discrete_input", 0, 31), Block("input", 0, 23)]


def test_generic_profile_reads_all_commands_in_two_requests() -> None:
    plan = codec().read_plan(Direction.COMMAND)
    assert plan == [Block("coil", 0, 4), Block("holding", 0, 8)]


def test_read_plan_follows_the_profile_link_limits() -> None:
    text = GENERIC_MODBUS.replace("address_base = 0", "address_base = 0\nmax_read_registers = 10")
    profile = parse_profile(text, "limits.toml")
    assert isinstance(profile, ModbusProfile)
    inputs = [b for b in ModbusCodec(profile).read_plan() if b.table == "input"]
    assert inputs == spans("input", (0, 10), (10, 10), (20, 3))


# --- decode and encode ---------------------------------------------------------------------------


def _plausible(name: str) -> st.SearchStrategy[Value]:
    """Values the generic profile's place for ``name`` can carry: float32, uint16, bits."""
    spec = SIGNALS[name]
    if spec.kind is Kind.BOOL:
        return st.booleans()
    if spec.allowed is not None:
        return st.sampled_from(sorted(spec.allowed))
    if spec.kind is Kind.INT:
        return st.integers(0, RAW_TYPES["uint16"].maximum)
    assert spec.minimum is not None
    assert spec.maximum is not None
    return st.floats(spec.minimum, spec.maximum)


GENERIC_NAMES = sorted(modbus_profile().signals)


@settings(max_examples=50)
@given(st.fixed_dictionaries({name: _plausible(name) for name in GENERIC_NAMES}))
def test_every_generic_signal_survives_encode_and_decode(values: dict[str, Value]) -> None:
    c = codec()
    image = c.encode(values)
    decoded = {
        **c.decode(image).values,
        **c.decode(image, Direction.COMMAND).values,
    }
    assert decoded.keys() == values.keys()
    for name, value in values.items():
        if isinstance(value, float):
            assert decoded[name] == pytest.approx(value, rel=2**-23)
        else:
            assert decoded[name] == value
            assert type(decoded[name]) is type(value)


PACKED_COMMANDS = (
    ("drives.enable", '{ table = "holding", address = 100, type = "bool", bit = 0 }'),
    ("spreader.lock", '{ table = "holding", address = 100, type = "bool", bit = 1 }'),
    (
        "spreader.size_ref",
        '{ table = "holding", address = 100, type = "uint16", bit = 2, width = 2, '
        'map = { "1" = 20, "2" = 40, "3" = 45 } }',
    ),
)


@pytest.mark.parametrize(
    ("enable", "lock", "size", "word"),
    [(True, False, 40, 0b1001), (False, True, 45, 0b1110), (True, True, 20, 0b0111)],
)
def test_command_bits_sharing_a_holding_register_are_written_as_one_word(
    enable: bool, lock: bool, size: int, word: int
) -> None:
    c = codec(*PACKED_COMMANDS)
    image = c.encode({"drives.enable": enable, "spreader.lock": lock, "spreader.size_ref": size})
    assert c.write_blocks(image) == [WriteBlock("holding", 100, (word,))]


def test_packed_command_word_does_not_depend_on_encoding_order() -> None:
    c = codec(*PACKED_COMMANDS)
    values: dict[str, Value] = {
        "spreader.size_ref": 45,
        "drives.enable": True,
        "spreader.lock": True,
    }
    forward = c.write_blocks(c.encode(values))
    backward = c.write_blocks(c.encode(dict(reversed(values.items()))))
    assert forward == backward == [WriteBlock("holding", 100, (0b1111,))]


def test_packed_command_word_decodes_back_to_its_commands() -> None:
    c = codec(*PACKED_COMMANDS)
    image = RegisterImage()
    image.put("holding", 100, [0b1010])
    decoded = c.decode(image, Direction.COMMAND)
    assert decoded.values["drives.enable"] is False
    assert decoded.values["spreader.lock"] is True
    assert decoded.values["spreader.size_ref"] == 40


def test_contiguous_command_registers_are_written_in_one_request() -> None:
    c = codec()
    image = c.encode(
        {
            "gantry.speed_ref": 1.0,
            "trolley.speed_ref": -0.5,
            "hoist.speed_ref": 0.25,
            "sup.heartbeat": 7,
            "spreader.size_ref": 40,
            "drives.enable": True,
            "plc.reset": False,
        }
    )
    blocks = c.write_blocks(image)
    assert [(b.table, b.start, len(b.values)) for b in blocks] == [
        ("holding", 0, 8),
        ("coil", 0, 1),
        ("coil", 3, 1),
    ]
    assert blocks[0].values[:2] == (0x3F80, 0x0000)
    assert blocks[0].values[6:] == (7, 40)


def test_non_contiguous_command_registers_are_written_separately() -> None:
    c = codec(("sup.heartbeat", '{ table = "holding", address = 20, type = "uint16" }'))
    blocks = c.write_blocks(c.encode({"hoist.speed_ref": 0.0, "sup.heartbeat": 1}))
    assert blocks == [WriteBlock("holding", 4, (0, 0)), WriteBlock("holding", 20, (1,))]


def test_long_runs_split_at_the_write_request_limits() -> None:
    image = RegisterImage()
    image.put("holding", 0, list(range(130)))
    image.put("coil", 10, [True] * 2000)
    blocks = codec().write_blocks(image)
    assert [(b.table, b.start, len(b.values)) for b in blocks] == [
        ("holding", 0, MAX_WRITE_REGISTERS),
        ("holding", MAX_WRITE_REGISTERS, 130 - MAX_WRITE_REGISTERS),
        ("coil", 10, MAX_WRITE_BITS),
        ("coil", 10 + MAX_WRITE_BITS, 2000 - MAX_WRITE_BITS),
    ]
    assert blocks[1].values[0] == MAX_WRITE_REGISTERS


def test_decode_reports_unread_registers_as_problems_without_raising() -> None:
    c = codec()
    image = RegisterImage()
    image.put("input", 0, [0x4120, 0x0000])  # gantry.position = 10.0
    decoded = c.decode(image)
    assert decoded.values == {"gantry.position": 10.0}
    assert decoded.problems.keys() == c.status.keys() - {"gantry.position"}
    assert decoded.problems["hoist.position"] == "input 4..5: was not read"
    assert decoded.problems["plc.remote"] == "discrete_input 0: was not read"


def test_decode_reports_a_half_read_float_as_a_problem() -> None:
    image = RegisterImage()
    image.put("input", 0, [0x4120])
    assert codec().decode(image).problems["gantry.position"] == "input 0..1: was not read"


def test_decode_reports_nan_and_unknown_codes_as_problems() -> None:
    c = codec(
        (
            "spreader.size",
            '{ table = "input", address = 22, type = "uint16", '
            'map = { "0" = 0, "1" = 20, "2" = 40, "3" = 45 } }',
        )
    )
    image = RegisterImage()
    image.put("input", 0, [0x7FC0, 0x0000] + [0] * 20 + [9])
    decoded = c.decode(image)
    assert decoded.problems["gantry.position"] == "input 0..1: raw value nan is not a finite number"
    assert decoded.problems["spreader.size"].startswith(
        "input 22: raw code 9 is not in the value map"
    )
    assert decoded.values["hoist.position"] == 0.0


STATUS_WORD = (
    ("plc.remote", '{ table = "input", address = 50, type = "bool", bit = 0 }'),
    ("plc.watchdog_trip", '{ table = "input", address = 50, type = "bool", bit = 2 }'),
    (
        "spreader.size",
        '{ table = "input", address = 50, type = "uint16", bit = 4, width = 2, '
        'map = { "0" = 0, "1" = 20, "2" = 40, "3" = 45 } }',
    ),
    ("plc.estop_ok", '{ table = "input", address = 50, type = "int16", bit = 15, invert = true }'),
)


@pytest.mark.parametrize(
    ("word", "remote", "trip", "size", "estop_ok"),
    [
        (0x0000, False, False, 0, True),
        (0b0000_0000_0010_0101, True, True, 40, True),
        (0x8000 | 0b0011_0000, False, False, 45, False),
        (0xFFFF, True, True, 45, False),
    ],
)
def test_bit_packed_status_word_decodes_bits_fields_and_inverted_bits(
    word: int, remote: bool, trip: bool, size: int, estop_ok: bool
) -> None:
    c = codec(*STATUS_WORD)
    image = RegisterImage()
    image.put("input", 50, [word])
    values = c.decode(image).values
    assert values["plc.remote"] is remote
    assert values["plc.watchdog_trip"] is trip
    assert values["spreader.size"] == size
    assert values["plc.estop_ok"] is estop_ok


def test_status_word_is_read_once_for_all_its_bits() -> None:
    inputs = [b for b in codec(*STATUS_WORD).read_plan() if b.table == "input"]
    assert inputs == spans("input", (0, 22), (50, 1))


def test_bit_of_a_word_swapped_int32_is_taken_from_its_low_word() -> None:
    c = codec(
        (
            "plc.remote",
            '{ table = "input", address = 60, type = "int32", word_order = "CDAB", bit = 1 }',
        )
    )
    image = RegisterImage()
    image.put("input", 60, [0b10, 0x0000])  # CDAB: low word first
    assert c.decode(image).values["plc.remote"] is True
    image.put("input", 60, [0x0000, 0b10])
    assert c.decode(image).values["plc.remote"] is False


def test_encode_writes_an_int32_in_its_word_order() -> None:
    c = codec(
        (
            "sup.heartbeat",
            '{ table = "holding", address = 6, type = "int32", word_order = "CDAB" }',
        ),
        ("spreader.size_ref", '{ table = "holding", address = 8, type = "uint16" }'),
    )
    image = c.encode({"sup.heartbeat": 0x12345678})
    assert c.write_blocks(image) == [WriteBlock("holding", 6, (0x5678, 0x1234))]


def test_encode_of_an_out_of_range_value_names_the_signal() -> None:
    c = codec()
    with pytest.raises(
        EncodeError, match=r"sup\.heartbeat = 70000 is raw 70000, outside 0\.\.65535"
    ):
        c.encode({"sup.heartbeat": 70000})


def test_encode_into_an_image_keeps_other_bits_of_a_shared_word() -> None:
    c = codec(*PACKED_COMMANDS)
    image = c.encode({"spreader.size_ref": 45})
    c.encode({"drives.enable": True}, image)
    assert c.write_blocks(image) == [WriteBlock("holding", 100, (0b1101,))]


def test_top_bit_of_a_signed_command_word_is_written_as_an_unsigned_register() -> None:
    c = codec(
        ("drives.enable", '{ table = "holding", address = 100, type = "int16", bit = 0 }'),
        ("plc.reset", '{ table = "holding", address = 100, type = "int16", bit = 15 }'),
    )
    image = c.encode({"drives.enable": True, "plc.reset": True})
    assert c.write_blocks(image) == [WriteBlock("holding", 100, (0x8001,))]
