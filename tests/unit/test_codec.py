"""The pure codec: registers <-> raw numbers, bits and bit fields, raw <-> engineering values."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crane_ctrl.errors import DecodeError, EncodeError
from crane_ctrl.profile.codec import (
    from_words,
    get_bits,
    set_bits,
    to_engineering,
    to_raw,
    to_words,
)
from crane_ctrl.profile.model import REGISTER_WIDTH, ModbusMapping
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.signals import SIGNALS

WORD_ORDERS = ("ABCD", "CDAB", "BADC", "DCBA")
INT_TYPES = ("int16", "uint16", "int32", "uint32")
FLOAT32_MAX = struct.unpack(">f", bytes.fromhex("7f7fffff"))[0]

word_orders = st.sampled_from(WORD_ORDERS)


def mapping(**fields: object) -> ModbusMapping:
    """A holding-register mapping; codec functions read only its type, bits and scaling."""
    return ModbusMapping.model_validate({"table": "holding", "address": 0, **fields})


@st.composite
def int_type_and_value(draw: st.DrawFn) -> tuple[str, int]:
    raw_type = draw(st.sampled_from(INT_TYPES))
    t = RAW_TYPES[raw_type]
    return raw_type, draw(st.integers(t.minimum, t.maximum))


# --- words ---------------------------------------------------------------------------------------


@given(int_type_and_value(), word_orders)
def test_integers_round_trip_through_words_in_every_order(
    typed: tuple[str, int], order: str
) -> None:
    raw_type, value = typed
    words = to_words(value, raw_type, order)
    assert len(words) == REGISTER_WIDTH[raw_type]
    assert all(0 <= w <= 0xFFFF for w in words)
    assert from_words(words, raw_type, order) == value


@given(st.floats(width=32), word_orders)
def test_float32_values_round_trip_exactly_in_every_order(value: float, order: str) -> None:
    words = to_words(value, "float32", order)
    assert len(words) == 2
    assert all(0 <= w <= 0xFFFF for w in words)
    back = from_words(words, "float32", order)
    assert back == value or (math.isnan(back) and math.isnan(value))


@given(st.floats(min_value=-FLOAT32_MAX, max_value=FLOAT32_MAX), word_orders)
def test_float64_input_to_float32_rounds_to_nearest_float32(value: float, order: str) -> None:
    back = from_words(to_words(value, "float32", order), "float32", order)
    assert abs(back - value) <= abs(value) * 2**-24 + 2**-150


@given(st.floats(), word_orders)
def test_float64_values_round_trip_exactly_in_every_order(value: float, order: str) -> None:
    words = to_words(value, "float64", order)
    assert len(words) == 4
    assert all(0 <= w <= 0xFFFF for w in words)
    back = from_words(words, "float64", order)
    assert back == value or (math.isnan(back) and math.isnan(value))


@pytest.mark.parametrize("raw_type", ["float32", "float64"])
@pytest.mark.parametrize("order", WORD_ORDERS)
def test_nan_survives_the_round_trip(raw_type: str, order: str) -> None:
    assert math.isnan(from_words(to_words(math.nan, raw_type, order), raw_type, order))


@given(st.lists(st.integers(0, 0xFFFF), min_size=2, max_size=2), word_orders)
def test_every_pair_of_registers_decodes_as_float32_and_encodes_back(
    words: list[int], order: str
) -> None:
    value = from_words(words, "float32", order)
    if not math.isnan(value):  # a NaN's payload bits need not survive
        assert to_words(value, "float32", order) == words


@pytest.mark.parametrize(
    ("order", "words"),
    [
        ("ABCD", [0x47F1, 0x2000]),
        ("CDAB", [0x2000, 0x47F1]),
        ("BADC", [0xF147, 0x0020]),
        ("DCBA", [0x0020, 0xF147]),
    ],
)
def test_float32_123456_in_each_word_order(order: str, words: list[int]) -> None:
    assert to_words(123456.0, "float32", order) == words
    assert from_words(words, "float32", order) == 123456.0


def test_cdab_swaps_words_of_float32() -> None:
    abcd = to_words(-1.5e-3, "float32", "ABCD")
    assert to_words(-1.5e-3, "float32", "CDAB") == abcd[::-1]


def test_badc_swaps_bytes_within_each_word_of_float32() -> None:
    abcd = to_words(-1.5e-3, "float32", "ABCD")
    swapped = [((w & 0xFF) << 8) | (w >> 8) for w in abcd]
    assert to_words(-1.5e-3, "float32", "BADC") == swapped


def test_dcba_reverses_all_bytes_of_float32() -> None:
    assert to_words(-1.5e-3, "float32", "DCBA") == [
        int.from_bytes(struct.pack("<f", -1.5e-3)[i : i + 2], "big") for i in (0, 2)
    ]


@pytest.mark.parametrize(
    ("order", "words"),
    [("ABCD", [0xFFFE, 0x1DC0]), ("CDAB", [0x1DC0, 0xFFFE])],
)
def test_int32_minus_123456_as_twos_complement(order: str, words: list[int]) -> None:
    assert to_words(-123456, "int32", order) == words
    assert from_words(words, "int32", order) == -123456


@pytest.mark.parametrize(
    ("order", "words"),
    [
        ("ABCD", [0x4009, 0x21FB, 0x5444, 0x2D18]),
        ("CDAB", [0x2D18, 0x5444, 0x21FB, 0x4009]),
        ("BADC", [0x0940, 0xFB21, 0x4454, 0x182D]),
        ("DCBA", [0x182D, 0x4454, 0xFB21, 0x0940]),
    ],
)
def test_float64_pi_in_each_word_order(order: str, words: list[int]) -> None:
    assert to_words(math.pi, "float64", order) == words
    assert from_words(words, "float64", order) == math.pi


@pytest.mark.parametrize(("order", "word"), [("ABCD", 0x1234), ("CDAB", 0x1234), ("BADC", 0x3412)])
def test_one_register_types_only_swap_bytes(order: str, word: int) -> None:
    assert to_words(0x1234, "uint16", order) == [word]


@pytest.mark.parametrize(("raw_type", "count"), [("int16", 2), ("int32", 1), ("float64", 2)])
def test_wrong_word_count_is_a_decode_error(raw_type: str, count: int) -> None:
    with pytest.raises(DecodeError, match=f"{raw_type} needs {REGISTER_WIDTH[raw_type]} registers"):
        from_words([0] * count, raw_type)


@pytest.mark.parametrize("word", [-1, 0x10000])
def test_register_outside_0_to_65535_is_a_decode_error(word: int) -> None:
    with pytest.raises(DecodeError, match=r"0\.\.65535"):
        from_words([0, word], "uint32")


@pytest.mark.parametrize(
    ("raw_type", "value"),
    [
        ("int16", 32768),
        ("int16", -32769),
        ("uint16", -1),
        ("uint16", 65536),
        ("int32", 2**31),
        ("uint32", 2**32),
        ("float32", 1e39),
        ("int16", math.inf),
        ("uint32", math.nan),
    ],
)
def test_value_outside_its_type_is_an_encode_error(raw_type: str, value: float) -> None:
    with pytest.raises(EncodeError, match=f"does not fit in {raw_type}"):
        to_words(value, raw_type)


# --- bits ----------------------------------------------------------------------------------------


@st.composite
def word_and_field(draw: st.DrawFn) -> tuple[int, int, int, int, int]:
    """(raw, raw_bits, bit, width, field): a signed or unsigned raw integer and a field in it."""
    raw_bits = draw(st.sampled_from((16, 32)))
    signed = draw(st.booleans())
    low, high = (
        (-(2 ** (raw_bits - 1)), 2 ** (raw_bits - 1) - 1) if signed else (0, 2**raw_bits - 1)
    )
    raw = draw(st.integers(low, high))
    bit = draw(st.integers(0, raw_bits - 1))
    width = draw(st.integers(1, raw_bits - bit))
    field = draw(st.integers(0, 2**width - 1))
    return raw, raw_bits, bit, width, field


@given(word_and_field())
def test_set_bits_then_get_bits_returns_the_field(case: tuple[int, int, int, int, int]) -> None:
    raw, raw_bits, bit, width, field = case
    updated = set_bits(raw, raw_bits, bit, width, field)
    assert 0 <= updated < 2**raw_bits
    assert get_bits(updated, raw_bits, bit, width) == field


@given(word_and_field())
def test_set_bits_leaves_every_other_bit_untouched(case: tuple[int, int, int, int, int]) -> None:
    raw, raw_bits, bit, width, field = case
    others = ~(((1 << width) - 1) << bit) & (2**raw_bits - 1)
    updated = set_bits(raw, raw_bits, bit, width, field)
    assert updated & others == raw & others


@given(st.integers(-(2**15), 2**15 - 1), st.integers(0, 15))
def test_get_bits_reads_negative_int16_as_twos_complement(raw: int, bit: int) -> None:
    assert get_bits(raw, 16, bit, 1) == (raw % 2**16) >> bit & 1
    assert get_bits(raw, 16, 0, 16) == raw % 2**16


def test_sign_bit_of_negative_int16_is_set() -> None:
    assert get_bits(-32768, 16, 15, 1) == 1
    assert get_bits(-1, 16, 4, 3) == 0b111
    assert get_bits(-2, 16, 0, 1) == 0


def test_set_bits_packs_a_two_bit_field_between_single_bits() -> None:
    word = set_bits(0b1000_0001, 16, 2, 2, 0b11)
    assert word == 0b1000_1101


# --- scaling ------------------------------------------------------------------------------------

POSITION = SIGNALS["hoist.position"]  # float, m
HEARTBEAT = SIGNALS["plc.heartbeat"]  # int
ESTOP_OK = SIGNALS["plc.estop_ok"]  # bool
SIZE = SIGNALS["spreader.size"]  # coded int: 0, 20, 40, 45
SIZE_MAP = {"0": 0, "1": 20, "2": 40, "3": 45}

scales = st.builds(
    lambda magnitude, sign: magnitude * sign,
    st.floats(min_value=1e-4, max_value=1e3),
    st.sampled_from((1.0, -1.0)),
)
offsets = st.floats(min_value=-1e4, max_value=1e4)


@st.composite
def scaled_case(draw: st.DrawFn) -> tuple[ModbusMapping, float]:
    """A scaled mapping of any numeric register type and an engineering value that fits it."""
    raw_type = draw(st.sampled_from((*INT_TYPES, "float32", "float64")))
    scale, offset = draw(scales), draw(offsets)
    t = RAW_TYPES[raw_type]
    if t.is_int:
        low, high = t.minimum, t.maximum
    else:
        low, high = -1e30, 1e30
    raw = draw(st.floats(min_value=low, max_value=high))
    return mapping(type=raw_type, scale=scale, offset=offset), raw * scale + offset


def _resolution(m: ModbusMapping, raw: float) -> float:
    """How far the raw type may move a raw value: half a count, or float32 rounding."""
    if RAW_TYPES[m.raw_type].is_int:
        return 0.5
    return abs(raw) * 2**-24 if m.raw_type == "float32" else 0.0


@settings(max_examples=200)
@given(scaled_case())
def test_engineering_value_survives_raw_and_back_within_raw_resolution(
    case: tuple[ModbusMapping, float],
) -> None:
    m, value = case
    raw = to_raw(value, m, POSITION)
    if RAW_TYPES[m.raw_type].is_int:
        assert isinstance(raw, int)
        lo, hi = RAW_TYPES[m.raw_type].minimum, RAW_TYPES[m.raw_type].maximum
        assert lo <= raw <= hi
    back = to_engineering(from_words(to_words(raw, m.raw_type), m.raw_type), m, POSITION)
    arithmetic = 1e-9 * (abs(value) + abs(m.offset) + abs(m.scale))
    assert abs(back - value) <= abs(m.scale) * _resolution(m, float(raw)) + arithmetic


def test_scale_and_offset_apply_raw_times_scale_plus_offset() -> None:
    m = mapping(type="int16", scale=0.01, offset=-2.0)
    assert to_engineering(1234, m, POSITION) == pytest.approx(10.34)
    assert to_raw(10.34, m, POSITION) == 1234


def test_int_signal_rounds_scaled_raw_to_nearest_integer() -> None:
    m = mapping(type="uint16", scale=0.1)
    value = to_engineering(7, m, HEARTBEAT)  # 0.7000000000000001
    assert value == 1
    assert isinstance(value, int)


def test_int_signal_encodes_to_nearest_raw_count() -> None:
    assert to_raw(41, mapping(type="uint16", scale=10.0), HEARTBEAT) == 4


@pytest.mark.parametrize("raw_type", ["bool", "uint16"])
@given(value=st.booleans(), invert=st.booleans())
def test_bool_round_trips_with_and_without_invert(raw_type: str, value: bool, invert: bool) -> None:
    m = mapping(type=raw_type, bit=0, invert=invert)
    raw = to_raw(value, m, ESTOP_OK)
    assert to_engineering(raw, m, ESTOP_OK) is value


def test_invert_makes_a_set_bit_false() -> None:
    m = mapping(type="bool", bit=3, invert=True)
    assert to_engineering(1, m, ESTOP_OK) is False
    assert to_engineering(0, m, ESTOP_OK) is True


def test_invert_writes_the_opposite_raw_value() -> None:
    assert to_raw(True, ModbusMapping(table="coil", address=0, invert=True), ESTOP_OK) is False
    assert to_raw(True, mapping(type="int16", invert=True), ESTOP_OK) == 0
    assert to_raw(False, mapping(type="int16", invert=True), ESTOP_OK) == 1


def test_bool_in_a_whole_integer_register_reads_0_or_1_and_anything_else_is_a_decode_error() -> (
    None
):
    m = mapping(type="int16")
    assert to_engineering(1, m, ESTOP_OK) is True
    assert to_engineering(0, m, ESTOP_OK) is False
    for raw in (2, -7, -1, 1.5, float("nan")):  # issue 14: plc.estop_ok = 2 let motion go on
        with pytest.raises(DecodeError, match=r"neither 0 nor 1 for a bool"):
            to_engineering(raw, m, ESTOP_OK)


def test_bool_with_other_codes_needs_a_value_map() -> None:
    m = mapping(type="int16", map={"0": False, "-1": True})
    assert to_engineering(-1, m, ESTOP_OK) is True
    assert to_engineering(0, m, ESTOP_OK) is False


@pytest.mark.parametrize(("code", "size"), [(0, 0), (1, 20), (2, 40), (3, 45)])
def test_value_map_decodes_codes_and_encodes_values(code: int, size: int) -> None:
    m = mapping(type="uint16", bit=4, width=2, map=SIZE_MAP)
    assert to_engineering(code, m, SIZE) == size
    assert to_raw(size, m, SIZE) == code


def test_value_map_unknown_code_is_a_decode_error_listing_known_codes() -> None:
    m = mapping(type="uint16", map={"1": 20, "2": 40, "3": 45})
    with pytest.raises(DecodeError, match=r"raw code 7 is not in the value map \(1, 2, 3\)"):
        to_engineering(7, m, SIZE)


def test_value_map_without_the_value_is_an_encode_error_naming_the_signal() -> None:
    m = mapping(type="uint16", map=SIZE_MAP)
    with pytest.raises(EncodeError, match=r"spreader\.size = 30 has no raw code"):
        to_raw(30, m, SIZE)


def test_value_map_does_not_take_false_for_zero() -> None:
    m = mapping(type="uint16", map=SIZE_MAP)
    with pytest.raises(EncodeError, match="has no raw code"):
        to_raw(False, m, SIZE)


def test_value_map_of_bools_maps_codes_to_flags() -> None:
    m = mapping(type="uint16", map={"5": True, "9": False})
    assert to_engineering(5, m, ESTOP_OK) is True
    assert to_raw(False, m, ESTOP_OK) == 9


def test_out_of_range_raw_is_an_encode_error_naming_signal_and_place() -> None:
    m = mapping(type="int16", scale=0.001)
    with pytest.raises(
        EncodeError,
        match=r"hoist\.position = 40\.0 is raw 40000, outside -32768\.\.32767 of holding 0",
    ):
        to_raw(40.0, m, POSITION)


def test_bit_field_range_limits_the_raw_code() -> None:
    m = mapping(type="uint16", bit=4, width=3)
    with pytest.raises(EncodeError, match=r"raw 8, outside 0\.\.7 of holding 0 bits 4-6"):
        to_raw(8, m, HEARTBEAT)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_engineering_value_is_an_encode_error(value: float) -> None:
    with pytest.raises(EncodeError, match="not a finite number"):
        to_raw(value, mapping(type="float32"), POSITION)


def test_bool_for_a_number_signal_is_an_encode_error() -> None:
    with pytest.raises(EncodeError, match="not a finite number"):
        to_raw(True, mapping(type="float32"), POSITION)


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf])
def test_non_finite_raw_float_is_a_decode_error(raw: float) -> None:
    with pytest.raises(DecodeError, match="not a finite number"):
        to_engineering(raw, mapping(type="float32"), POSITION)


def test_value_beyond_float32_is_an_encode_error() -> None:
    with pytest.raises(EncodeError, match=r"hoist\.position = 1e\+39 does not fit in float32"):
        to_raw(1e39, mapping(type="float32"), POSITION)


@pytest.mark.parametrize("raw_type", ["int32", "float64"])
def test_value_whose_raw_overflows_to_infinity_is_an_encode_error(raw_type: str) -> None:
    m = mapping(type=raw_type, scale=1e-10)
    with pytest.raises(EncodeError, match=f"does not fit in {raw_type}"):
        to_raw(1e300, m, POSITION)
