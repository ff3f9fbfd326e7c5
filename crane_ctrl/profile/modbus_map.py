"""A profile's Modbus map at work: the read plan, the register image, decoding and encoding.

Pure: both the supervisor's link and the simulator's server use it. The supervisor reads the
planned blocks into a :class:`RegisterImage`, decodes status signals from it, encodes commands into
a fresh image and writes that image's contiguous blocks. The simulator does the mirror image.
Command signals that share one holding register are encoded into one word and written together.
The profile's points are read and decoded with the status; its derived signals are computed from
them after decoding (:mod:`crane_ctrl.profile.derived`); then each status block's proof
(:mod:`crane_ctrl.profile.validity`): its life bit or counter, or whether its words are all zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from crane_ctrl.errors import CodecError, DecodeError
from crane_ctrl.profile.codec import (
    Scaling,
    get_bits,
    set_bits,
    to_engineering,
    to_words,
    unmapped_optional,
    word_format,
)
from crane_ctrl.profile.derived import derived_signals, evaluate, point_spec
from crane_ctrl.profile.model import (
    ModbusLink,
    ModbusMapping,
    ModbusProfile,
    SignalMapping,
    derived_text,
)
from crane_ctrl.profile.rawtypes import RAW_TYPES
from crane_ctrl.profile.validity import checked_places, life_proofs, status_blocks
from crane_ctrl.signals import SIGNALS, Direction, SignalSpec, Value
from crane_ctrl.validity import Proof

__all__ = [
    "MAX_WRITE_BITS",
    "MAX_WRITE_REGISTERS",
    "TABLES",
    "Block",
    "Decoded",
    "ModbusCodec",
    "RegisterImage",
    "WriteBlock",
    "plan_reads",
]

TABLES = ("coil", "discrete_input", "holding", "input")
MAX_WRITE_REGISTERS = 123
"""Registers one Write Multiple Registers (FC16) request may carry."""
MAX_WRITE_BITS = 1968
"""Coils one Write Multiple Coils (FC15) request may carry."""

_UNSIGNED = {"bool": "uint16", "int16": "uint16", "uint16": "uint16", "int32": "uint32"}


@dataclass(frozen=True, slots=True)
class Block:
    """A run of addresses in one table: one read request."""

    table: str
    start: int
    count: int

    @property
    def end(self) -> int:
        """One past the last address."""
        return self.start + self.count

    def __str__(self) -> str:
        return f"{self.table} {self.start}..{self.end - 1}"


@dataclass(frozen=True, slots=True)
class WriteBlock:
    """A run of values for consecutive addresses in one writable table: one write request."""

    table: str
    start: int
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Decoded:
    """Values decoded from an image, and why any signal could not be decoded."""

    values: dict[str, Value] = field(default_factory=dict)
    """Canonical signals, derived ones included."""
    problems: dict[str, str] = field(default_factory=dict)
    points: dict[str, Value] = field(default_factory=dict)
    """The profile's points that decoded (and the read-back of requests the PLC clears)."""
    point_problems: dict[str, str] = field(default_factory=dict)
    """Why each other point could not be decoded (derived signals that read it say so too)."""
    proofs: dict[str, Value] = field(default_factory=dict)
    """Per status block (``[validity.<block>]``), what this read shows of its proof: the life
    bit's or counter's value; for never all zero, whether any of its words is not zero. A block
    whose proof could not be read is left out."""


def plan_reads(spans: Iterable[Block], *, max_count: int, max_gap: int) -> list[Block]:
    """Fewest requests that cover ``spans`` (all of one table), bridging gaps of <= ``max_gap``.

    Sorted by start, each request grows while the next span starts within ``max_gap`` of its end
    and the request stays within ``max_count``. A span never splits across requests. Greedy
    extension is optimal here: no plan with fewer requests can cover the same spans.
    """
    blocks: list[Block] = []
    for span in sorted(spans, key=lambda s: (s.start, s.count)):
        if span.count > max_count:
            raise ValueError(f"{span} is longer than one request may read ({max_count})")
        if blocks:
            last = blocks[-1]
            end = max(last.end, span.end)
            if span.start - last.end <= max_gap and end - last.start <= max_count:
                blocks[-1] = Block(last.table, last.start, end - last.start)
                continue
        blocks.append(span)
    return blocks


class RegisterImage:
    """What is known of a PLC's four tables: address -> 16-bit word (or 0/1 for bit tables)."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[int, int]] = {t: {} for t in TABLES}

    def put(self, table: str, start: int, values: Sequence[int | bool]) -> None:
        cells = self._tables[table]
        for offset, value in enumerate(values):
            cells[start + offset] = int(value)

    def get(self, table: str, start: int, count: int) -> list[int]:
        """Values at ``start .. start+count-1``; :class:`DecodeError` if any was not read."""
        cells = self._tables[table]
        try:
            return [cells[a] for a in range(start, start + count)]
        except KeyError:
            raise DecodeError("was not read") from None

    def get_or_zero(self, table: str, start: int, count: int) -> list[int]:
        cells = self._tables[table]
        return [cells.get(a, 0) for a in range(start, start + count)]

    def write_blocks(self, table: str, max_count: int) -> Iterator[WriteBlock]:
        """The table's values as runs of consecutive addresses, at most ``max_count`` each."""
        cells = self._tables[table]
        run: list[int] = []
        start = 0
        for address in sorted(cells):
            if run and (address != start + len(run) or len(run) == max_count):
                yield WriteBlock(table, start, tuple(run))
                run = []
            if not run:
                start = address
            run.append(cells[address])
        if run:
            yield WriteBlock(table, start, tuple(run))

    def __len__(self) -> int:
        return sum(len(cells) for cells in self._tables.values())


class ModbusCodec:
    """Decode and encode the canonical signals of one Modbus profile."""

    def __init__(self, profile: ModbusProfile) -> None:
        self.profile = profile
        self.link: ModbusLink = profile.link
        self.status = _by_direction(profile, Direction.STATUS)
        """Status signals read from a place (not the derived ones)."""
        self.commands = _by_direction(profile, Direction.COMMAND)
        self.points: dict[str, ModbusMapping] = dict(profile.points)
        self.echoes = {n: m for n, m in self.commands.items() if m.cleared_by_plc}
        """Requests the PLC clears itself: read back with the status, into the points."""
        self.derived = derived_signals(profile)
        """Derived status signals, in the order they are computed."""
        self._decoders = {
            Direction.STATUS: [_Decoder(n, m) for n, m in self.status.items()],
            Direction.COMMAND: [_Decoder(n, m) for n, m in self.commands.items()],
        }
        self._points = [_Decoder(n, m, point_spec(n, m)) for n, m in self.points.items()]
        self._echoes = [_Decoder(n, m) for n, m in self.echoes.items()]
        self._encoders = {
            n: _Encoder(m, SIGNALS[n]) for n, m in profile.signals.items() if n in SIGNALS
        }
        """Each signal's way into the register image, worked out once (a derived signal's
        refuses to encode)."""
        self.blocks = status_blocks(profile)
        """The status blocks and what proves each alive."""
        self._words = {
            b.name: [_span(m) for m in checked_places(profile, profile.validity[b.name])]
            for b in self.blocks
            if b.proof is Proof.NEVER_ALL_ZERO
        }

    def read_plan(self, direction: Direction = Direction.STATUS) -> list[Block]:
        """The fewest read requests covering every signal of ``direction`` (and, for the
        status, every point)."""
        mappings = list(self.commands.values())
        if direction is Direction.STATUS:
            mappings = [*self.status.values(), *self.points.values(), *self.echoes.values()]
        plan: list[Block] = []
        for table in TABLES:
            spans = [
                Block(table, m.address, m.register_count) for m in mappings if m.table == table
            ]
            bits = table in ("coil", "discrete_input")
            plan += plan_reads(
                spans,
                max_count=self.link.max_read_bits if bits else self.link.max_read_registers,
                max_gap=self.link.max_gap_bits if bits else self.link.max_gap_registers,
            )
        return plan

    def decode(self, image: RegisterImage, direction: Direction = Direction.STATUS) -> Decoded:
        """Every signal of ``direction`` that the image holds, and a reason for every other;
        for the status, the points, the derived signals and the status blocks' proofs too."""
        result = Decoded()
        _decode_all(self._decoders[direction], image, result.values, result.problems)
        if direction is Direction.STATUS and self._echoes:
            _decode_all(self._echoes, image, result.points, {})
        if direction is Direction.STATUS and (self._points or self.derived):
            _decode_all(self._points, image, result.points, result.point_problems)
            evaluate(
                self.derived,
                values=result.values,
                problems=result.problems,
                points=result.points,
                point_problems=result.point_problems,
            )
        if direction is Direction.STATUS and self.blocks:
            result.proofs.update(life_proofs(self.blocks, result.values, result.points))
            for name, spans in self._words.items():
                try:
                    words = [w for s in spans for w in image.get(s.table, s.start, s.count)]
                except DecodeError:
                    continue  # not read: no proof
                result.proofs[name] = any(words)
        return result

    def encode(
        self, values: Mapping[str, Value], image: RegisterImage | None = None
    ) -> RegisterImage:
        """Put ``values`` (any signals of this profile) into ``image`` (a new one by default);
        optional signals the profile leaves out are skipped.

        Raises :class:`~crane_ctrl.errors.EncodeError` naming the signal when a value cannot be
        represented; nothing is half-written into a fresh image in that case.
        """
        image = RegisterImage() if image is None else image
        encoders = self._encoders
        for name, value in values.items():
            encoder = encoders.get(name)
            if encoder is not None:
                encoder.put(value, image)
            elif not unmapped_optional(self.profile, name):
                encode_one(name, self.profile.signals[name], value, image)
            # else: this PLC has no such point (a per-axis enable, ...): nothing to write
        return image

    def put(self, name: str, value: Value, image: RegisterImage) -> None:
        """Put one signal's ``value`` into ``image`` by its encoder, worked out once (a server
        encoding its whole status every scan: building one per value cost a quarter of a
        lock-step run); :class:`~crane_ctrl.errors.EncodeError` as :meth:`encode`."""
        encoder = self._encoders.get(name)
        if encoder is None:
            encode_one(name, self.profile.signals[name], value, image)
        else:
            encoder.put(value, image)

    def write_blocks(self, image: RegisterImage) -> list[WriteBlock]:
        """The writes that carry an encoded command image: contiguous runs batched."""
        return [
            *image.write_blocks("holding", MAX_WRITE_REGISTERS),
            *image.write_blocks("coil", MAX_WRITE_BITS),
        ]


def _span(m: SignalMapping) -> Block:
    """The whole registers (or bits) a mapping's place takes."""
    assert isinstance(m, ModbusMapping)
    return Block(m.table, m.address, m.register_count)


def _by_direction(profile: ModbusProfile, direction: Direction) -> dict[str, ModbusMapping]:
    return {
        name: m
        for name, m in profile.signals.items()
        if name in SIGNALS and SIGNALS[name].direction is direction and derived_text(m) is None
    }


def _decode_all(
    decoders: list[_Decoder],
    image: RegisterImage,
    values: dict[str, Value],
    problems: dict[str, str],
) -> None:
    for decoder in decoders:
        try:
            values[decoder.name] = decoder.decode(image)
        except CodecError as exc:
            problems[decoder.name] = f"{decoder.mapping.place()}: {exc}"


class _Decoder:
    """One signal's (or point's) way out of the register image, worked out once (this runs
    every scan)."""

    __slots__ = ("bits", "count", "format", "mapping", "name", "scaling", "start", "table")

    def __init__(self, name: str, m: ModbusMapping, spec: SignalSpec | None = None) -> None:
        self.name = name
        self.mapping = m
        self.scaling = Scaling(m, spec or SIGNALS[name])
        self.table, self.start, self.count = m.table, m.address, m.register_count
        self.format = None
        self.bits: tuple[int, int, int] | None = None
        if not m.is_bit_table:
            packed = _UNSIGNED.get(m.raw_type, m.raw_type) if m.bit is not None else m.raw_type
            self.format = word_format(packed, m.word_order)
            if m.bit is not None:
                self.bits = (RAW_TYPES[packed].bits, m.bit, m.bit_width or 1)

    def decode(self, image: RegisterImage) -> Value:
        words = image.get(self.table, self.start, self.count)
        if self.format is None:
            return self.scaling.to_engineering(bool(words[0]))
        raw = self.format.unpack(words)
        if self.bits is not None:
            raw = get_bits(int(raw), *self.bits)
        return self.scaling.to_engineering(raw)


class _Encoder:
    """One signal's (or point's) way into the register image, worked out once (this runs every
    scan): bit fields are merged into the word already there."""

    __slots__ = ("_last", "bits", "mapping", "scaling")

    def __init__(self, m: ModbusMapping, spec: SignalSpec) -> None:
        self.mapping = m
        self.scaling = Scaling(m, spec)
        self._last: tuple[Value, list[int]] | None = None
        """The last value put whole (not a bit field) and its words: most values of a scan are
        as in the last one."""
        self.bits: tuple[str, int, int, int] | None = None
        if m.bit is not None and not m.is_bit_table:
            packed = _UNSIGNED.get(m.raw_type, m.raw_type)
            self.bits = (packed, RAW_TYPES[packed].bits, m.bit, m.bit_width or 1)

    def put(self, value: Value, image: RegisterImage) -> None:
        m = self.mapping
        last = self._last
        if last is not None and type(last[0]) is type(value) and last[0] == value:
            image.put(m.table, m.address, last[1])
            return
        raw = self.scaling.to_raw(value)
        if m.is_bit_table or self.bits is None:
            words = [int(bool(raw))] if m.is_bit_table else to_words(raw, m.raw_type, m.word_order)
            self._last = (value, words)
            image.put(m.table, m.address, words)
            return
        packed, packed_bits, bit, width = self.bits
        words = image.get_or_zero(m.table, m.address, m.register_count)
        whole = int(word_format(packed, m.word_order).unpack(words))
        whole = set_bits(whole, packed_bits, bit, width, int(raw))
        image.put(m.table, m.address, to_words(whole, packed, m.word_order))


def decode_one(name: str, m: ModbusMapping, image: RegisterImage) -> Value:
    """Decode one signal from the image."""
    spec = SIGNALS[name]
    words = image.get(m.table, m.address, m.register_count)
    if m.is_bit_table:
        return to_engineering(bool(words[0]), m, spec)
    if m.bit is not None:
        packed = _UNSIGNED.get(m.raw_type, m.raw_type)
        whole = int(word_format(packed, m.word_order).unpack(words))
        field_ = get_bits(whole, RAW_TYPES[packed].bits, m.bit, m.bit_width or 1)
        return to_engineering(field_, m, spec)
    return to_engineering(word_format(m.raw_type, m.word_order).unpack(words), m, spec)


def encode_one(
    name: str,
    m: ModbusMapping,
    value: Value,
    image: RegisterImage,
    spec: SignalSpec | None = None,
) -> None:
    """Encode one signal (or a point, given its ``spec``) into the image, merging bit fields into
    the word already there."""
    _Encoder(m, spec or SIGNALS[name]).put(value, image)
