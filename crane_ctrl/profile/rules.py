"""The rules a structurally valid profile must also follow, each finding with its key path.

Pydantic checks each field; these rules relate fields to each other and to the canonical signal
catalogue: every required signal mapped, names known, commands only in writable places, raw types
that can carry the signal, bits and bit fields that fit, value maps that make sense, and no two
mappings sharing a place. Points (``[points]``) follow the same rules as status signals and take
places too; derived signals take none, and :mod:`crane_ctrl.profile.derived_rules` checks their
expressions; :mod:`crane_ctrl.profile.validity_rules` checks the ``[validity]`` blocks,
:mod:`crane_ctrl.profile.point_rules` what a point says of itself (unit, texts, journal),
:mod:`crane_ctrl.profile.alarm_rules` the profile's own alarms and
:mod:`crane_ctrl.profile.command_rules` each command's write semantics. A method call (OPC UA)
takes no place either and carries bool commands only. Every message says what to do
about it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from crane_ctrl.config.file import Finding, format_path
from crane_ctrl.config.messages import close_matches
from crane_ctrl.profile.alarm_rules import check_alarms
from crane_ctrl.profile.command_rules import check_command_writes
from crane_ctrl.profile.derived import point_spec
from crane_ctrl.profile.derived_rules import ExpressionStart, check_derived, check_points
from crane_ctrl.profile.model import (
    ModbusMapping,
    ModbusProfile,
    OpcUaMapping,
    OpcUaMethod,
    OpcUaProfile,
    Profile,
    SignalMapping,
    derived_text,
    method_of,
)
from crane_ctrl.profile.point_rules import check_point_info
from crane_ctrl.profile.rawtypes import RAW_TYPES, field_range
from crane_ctrl.profile.validity_rules import check_validity
from crane_ctrl.signals import SIGNALS, Kind, SignalSpec

__all__ = ["ExpressionStart", "Finding", "check_names", "check_profile"]

Path = tuple[str, ...]


def check_names(names: Iterable[str]) -> list[Finding]:
    """Unknown signal names (with the closest known ones) and required signals not mapped."""
    names = list(names)
    findings = [_unknown(name) for name in names if name not in SIGNALS]
    mapped = set(names)
    for spec in SIGNALS.values():
        if spec.required and spec.name not in mapped:
            findings.append(
                Finding(
                    ("signals", spec.name),
                    f"required {spec.direction} signal is not mapped; add a mapping for it "
                    f"({spec.meaning})",
                    spec.name,
                )
            )
    return findings


def _unknown(name: str) -> Finding:
    close = close_matches(name, SIGNALS, n=1, cutoff=0.6)
    if close:
        hint = f'did you mean "{close[0]}"?'
    else:
        hint = "`crane-ctrl profile schema` lists the canonical names"
    return Finding(("signals", name), f"unknown signal; {hint}", name)


def check_profile(
    profile: Profile, *, expression_start: ExpressionStart | None = None
) -> list[Finding]:
    """Every rule beyond single fields, for a profile of either protocol. ``expression_start``
    locates derived expressions and alarm conditions in the file, so that their problems name
    the file's column."""
    findings = check_names(profile.signals)
    for name, mapping in profile.signals.items():
        spec = SIGNALS.get(name)
        if spec is None or derived_text(mapping) is not None:
            continue
        method = method_of(mapping)
        if method is not None:
            findings.extend(_method_rules(spec, method))
        else:
            findings.extend(_check_mapping(spec, mapping, ("signals", name)))
    findings.extend(check_points(profile))
    for name, mapping in profile.points.items():
        findings.extend(_check_mapping(point_spec(name, mapping), mapping, ("points", name)))
    findings.extend(check_point_info(profile))
    findings.extend(check_derived(profile, expression_start))
    findings.extend(check_command_writes(profile, expression_start))
    findings.extend(check_validity(profile))
    findings.extend(check_alarms(profile, expression_start))
    if isinstance(profile, ModbusProfile):
        findings.extend(_modbus_layout(profile))
    else:
        findings.extend(_opcua_link(profile))
        findings.extend(_opcua_layout(profile))
        findings.extend(_shared_methods(profile))
    return findings


def _check_mapping(spec: SignalSpec, m: SignalMapping, base: Path) -> Iterator[Finding]:
    signal = spec.name if base[0] == "signals" else None
    found = False
    for path, message in _mapping_rules(spec, m):
        found = True
        yield Finding(base + path, message, signal)
    if found:
        return
    for path, message in _scaling_rules(spec, m):
        yield Finding(base + path, message, signal)


_METHOD_FIELDS = ("method", "object", "arguments", "namespace_uri")
"""What a method call may set; the node fields it inherits stay unused."""


def _method_rules(spec: SignalSpec, m: OpcUaMethod) -> Iterator[Finding]:
    """A method call carries a bool command (called on its rising edge) and has no node."""
    path = ("signals", spec.name)
    if not spec.is_command:
        yield Finding(
            (*path, "method"),
            f"only commands can be method calls; {spec.name} is a status signal: read it from "
            "a node (node and type)",
            spec.name,
        )
    elif spec.kind is not Kind.BOOL:
        yield Finding(
            (*path, "method"),
            f"{spec.name} is a {spec.kind.value}; a method is called on a rising edge, so only "
            'bool commands can be method calls: write it to a node with access = "read_write"',
            spec.name,
        )
    for key in sorted(
        m.model_fields_set - set(_METHOD_FIELDS), key=list(type(m).model_fields).index
    ):
        yield Finding(
            (*path, key),
            f"a method call has no node: remove `{key}` (or remove `method` and `object` to "
            "write the command to a node)",
            spec.name,
        )


def _mapping_rules(spec: SignalSpec, m: SignalMapping) -> Iterator[tuple[Path, str]]:
    if isinstance(m, ModbusMapping):
        yield from _modbus_place_rules(spec, m)
    else:
        yield from _opcua_place_rules(spec, m)
    yield from _bit_rules(m)
    yield from _kind_rules(spec, m)


def _modbus_place_rules(spec: SignalSpec, m: ModbusMapping) -> Iterator[tuple[Path, str]]:
    if spec.is_command and m.table not in ("coil", "holding"):
        yield (
            ("table",),
            (
                f"command signal in a read-only table ({m.table}); commands go in a coil or a "
                "holding register"
            ),
        )
    if m.is_bit_table:
        if m.type not in (None, "bool"):
            yield ("type",), f'a {m.table} holds one bit; use type = "bool" or leave type out'
        for key, value in (("bit", m.bit), ("width", m.width)):
            if value is not None:
                yield (key,), f"a {m.table} is already a single bit; remove `{key}`"
        if m.word_order != "ABCD":
            yield ("word_order",), f"a {m.table} has no words to order; remove word_order"
        return
    if m.type is None:
        yield (
            ("type",),
            (
                f"a {m.table} register needs a type: one of bool, int16, uint16, int32, uint32, "
                "float32, float64"
            ),
        )
        return
    last = m.address + m.register_count - 1
    if last > 65535:
        yield (
            ("address",),
            (
                f"{m.type} at {m.address} spans registers {m.address}..{last}, past 65535; "
                "move it lower"
            ),
        )


def _opcua_place_rules(spec: SignalSpec, m: OpcUaMapping) -> Iterator[tuple[Path, str]]:
    if spec.is_command and m.access != "read_write":
        yield (
            ("access",),
            (
                'command signal in a read-only node; set access = "read_write" if the PLC lets '
                "the supervisor write it"
            ),
        )
    if not spec.is_command and m.access == "read_write":
        yield (
            ("access",),
            (
                f"{spec.name} is a status signal: the supervisor only reads it; remove "
                'access = "read_write" (it is for commands)'
            ),
        )
    if spec.is_command and m.index is not None:
        yield (
            ("index",),
            (
                "commands are written to whole nodes, not to one element of an array node; map the "
                "command to a node of its own"
            ),
        )


def _bit_rules(m: SignalMapping) -> Iterator[tuple[Path, str]]:
    raw = RAW_TYPES[m.raw_type]
    if isinstance(m, ModbusMapping) and m.is_bit_table:
        return
    if m.width is not None and m.bit is None:
        yield ("width",), "a bit field needs its first bit; add `bit`"
        return
    if m.bit is None:
        if isinstance(m, ModbusMapping) and raw.is_bool:
            yield ("bit",), "a bool in a register needs `bit` (0..15): which bit of the word"
        return
    if not raw.is_int and not (isinstance(m, ModbusMapping) and raw.is_bool):
        yield ("bit",), f"bits can only be taken from an integer type, not {m.raw_type}"
        return
    width = m.bit_width or 1
    if raw.is_bool and width != 1:
        yield ("width",), 'type "bool" is one bit; remove `width` or use type "uint16"'
    elif raw.is_int and m.bit + width > raw.bits:
        yield (
            ("width",),
            (
                f"bits {m.bit}..{m.bit + width - 1} do not fit in {raw.bits}-bit {m.raw_type}; "
                f"use at most {raw.bits - m.bit} bits"
            ),
        )


def _kind_rules(spec: SignalSpec, m: SignalMapping) -> Iterator[tuple[Path, str]]:
    raw = RAW_TYPES[m.raw_type]
    bits_from_int = m.bit is not None and m.bit_width == 1
    if spec.kind is Kind.BOOL:
        if raw.is_float:
            yield (
                ("type",),
                (
                    f"{spec.name} is a bool; a {m.raw_type} cannot carry it. Use a bit, a coil or "
                    "an integer (0 = false)"
                ),
            )
    elif raw.is_bool or (bits_from_int and spec.kind is Kind.FLOAT):
        yield (
            ("type",),
            (
                f"{spec.name} is a {spec.kind.value} ({spec.unit or 'no unit'}); a single bit "
                "cannot carry it. Use a numeric type or a bit field (bit + width)"
            ),
        )
    elif spec.kind is Kind.INT and raw.is_float and m.map is None:
        yield (
            ("type",),
            (f"{spec.name} is an integer; use an integer type (int16, uint16, ...) for it"),
        )


def _scaling_rules(spec: SignalSpec, m: SignalMapping) -> Iterator[tuple[Path, str]]:
    if not math.isfinite(m.scale) or m.scale == 0:
        yield ("scale",), f"scale must be a finite number other than 0, not {m.scale}"
    if not math.isfinite(m.offset):
        yield ("offset",), f"offset must be a finite number, not {m.offset}"
    if m.invert and spec.kind is not Kind.BOOL:
        yield ("invert",), f"invert applies to bools only; {spec.name} is a {spec.kind.value}"
    if spec.name == "sup.heartbeat" and (m.scaled or m.map is not None or m.invert):
        yield (
            ("scale",),
            (
                "sup.heartbeat is written as it counts, wrapping at its place's range; remove "
                "scale, offset and map"
            ),
        )
        return
    if m.map is not None:
        yield from _map_rules(spec, m)
    elif spec.kind is Kind.BOOL and m.scaled:
        yield ("scale",), "a bool is not scaled; remove scale and offset"


def _map_rules(spec: SignalSpec, m: SignalMapping) -> Iterator[tuple[Path, str]]:
    raw = RAW_TYPES[m.raw_type]
    if not raw.is_int:
        yield ("map",), f"a value map needs integer raw codes; {m.raw_type} is not an integer type"
        return
    if m.scaled or m.invert:
        yield ("map",), "use either a value map or scale/offset/invert, not both"
        return
    assert m.map is not None
    low, high = field_range(m.raw_type, m.bit_width)
    for key, value in m.map.items():
        yield from _map_entry_rules(spec, key, value, low, high)
    if spec.is_command:
        yield from _command_map_rules(spec, m.map)


def _map_entry_rules(
    spec: SignalSpec, key: str, value: object, low: int, high: int
) -> Iterator[tuple[Path, str]]:
    try:
        code = int(key, 0)
    except ValueError:
        yield ("map", key), f'raw codes are integers; "{key}" is not one'
        return
    if not low <= code <= high:
        yield ("map", key), f"raw code {code} does not fit the place ({low}..{high})"
    wants_bool = spec.kind is Kind.BOOL
    if isinstance(value, bool) != wants_bool or not spec.plausible(value):  # type: ignore[arg-type]
        yield ("map", key), f"{spec.name} cannot be {value!r}; it takes {spec.describe_range()}"


def _command_map_rules(spec: SignalSpec, table: Mapping[str, object]) -> Iterator[tuple[Path, str]]:
    values = list(table.values())
    if len(set(values)) != len(values):
        yield ("map",), "a command's value map must give each value one raw code only"
    if spec.allowed is not None:
        missing = sorted(spec.allowed - {v for v in values if isinstance(v, int)})
        if missing:
            yield ("map",), f"no raw code for {', '.join(map(str, missing))}; add one for each"


def _opcua_link(profile: OpcUaProfile) -> Iterator[Finding]:
    link = profile.link
    if (link.security_policy == "None") != (link.security_mode == "None"):
        yield Finding(
            ("link", "security_mode"),
            'security_policy and security_mode go together: both "None", or '
            '"Basic256Sha256" with "Sign" or "SignAndEncrypt"',
        )
    if link.security_policy != "None":
        for key in ("certificate", "private_key", "trust_dir"):
            if getattr(link, key) is None:
                yield Finding(("link", key), f"a secure link needs `{key}` (a file or folder path)")
    if link.password_env is not None and link.password_file is not None:
        yield Finding(("link", "password_file"), "give password_env or password_file, not both")
    has_password = link.password_env is not None or link.password_file is not None
    if has_password != (link.username_env is not None):
        yield Finding(
            ("link", "username_env"),
            "user name and password go together: set username_env and one of "
            "password_env / password_file",
        )


@dataclass(frozen=True, slots=True)
class _Slot:
    """A place one mapping takes: a run of registers (or nodes), and bits of it if partial."""

    key: Path
    """Where the file maps it: ``("signals", name)`` or ``("points", name)``."""
    area: str
    start: int
    count: int
    bits: int | None
    """Mask of the bits taken when the mapping is part of one register or node."""
    is_command: bool

    @property
    def signal(self) -> str | None:
        return self.key[1] if self.key[0] == "signals" else None

    @property
    def order(self) -> tuple[bool, str]:
        """Signals before points, then by name: the later one is told it overlaps."""
        return self.key[0] == "points", self.key[1]


def _placed(profile: Profile) -> Iterator[tuple[Path, SignalMapping, bool]]:
    """Every mapping that takes a place (signals, not derived ones, and points): its key path,
    mapping and whether it is a command."""
    for name, m in profile.signals.items():
        spec = SIGNALS.get(name)
        if spec is not None and derived_text(m) is None and method_of(m) is None:
            yield ("signals", name), m, spec.is_command
    for name, m in profile.points.items():
        yield ("points", name), m, False


def _modbus_layout(profile: ModbusProfile) -> Iterator[Finding]:
    slots = []
    for key, m, is_command in _placed(profile):
        assert isinstance(m, ModbusMapping)
        if m.type is None and not m.is_bit_table:
            continue
        bits = None if m.bit is None else ((1 << (m.bit_width or 1)) - 1) << m.bit
        slots.append(_Slot(key, m.table, m.address, m.register_count, bits, is_command))
    yield from _overlaps(slots, lambda s: _mapping_at(profile, s.key).place())
    yield from _shared_command_words(slots)
    yield from _read_limit(profile)


def _mapping_at(profile: Profile, key: Path) -> SignalMapping:
    table: Mapping[str, SignalMapping] = profile.signals if key[0] == "signals" else profile.points
    return table[key[1]]


def _read_limit(profile: ModbusProfile) -> Iterator[Finding]:
    """A value is read in one request, so the read limit must hold the widest one."""
    limit = profile.link.max_read_registers
    for key, m, _ in _placed(profile):
        assert isinstance(m, ModbusMapping)
        if not m.is_bit_table and m.type is not None and m.register_count > limit:
            yield Finding(
                ("link", "max_read_registers"),
                f"{key[1]} ({m.type}) spans {m.register_count} registers, more than one read may "
                f"take ({limit}); raise max_read_registers to at least {m.register_count}",
            )
            return


def _opcua_layout(profile: OpcUaProfile) -> Iterator[Finding]:
    slots = []
    for key, m, is_command in _placed(profile):
        assert isinstance(m, OpcUaMapping)
        area = f"{m.namespace_uri or ''}|{m.node}"
        bits = None if m.bit is None else ((1 << (m.bit_width or 1)) - 1) << m.bit
        index = -1 if m.index is None else m.index
        slots.append(_Slot(key, area, index, 1, bits, is_command))
    yield from _overlaps(slots, lambda s: _mapping_at(profile, s.key).place())
    yield from _whole_arrays(slots, lambda s: _mapping_at(profile, s.key).place())


def _whole_arrays(slots: Sequence[_Slot], describe: Callable[[_Slot], str]) -> Iterator[Finding]:
    """A node whose elements some mappings take (``index``) is an array: a mapping of the
    whole node would read all of them as one value (e.g. ``spreader.locked_4`` without its
    ``index`` beside ``locked_1..3`` with theirs)."""
    nodes: dict[str, list[_Slot]] = {}
    for slot in slots:
        nodes.setdefault(slot.area, []).append(slot)
    for members in nodes.values():
        elements = sorted((s for s in members if s.start >= 0), key=lambda s: s.start)
        if not elements:
            continue
        taken = {s.start for s in elements}
        free = min(set(range(len(taken) + 1)) - taken)
        them = ", ".join(f"{s.key[1]} [{s.start}]" for s in elements[:4])
        more = f" and {len(elements) - 4} more" if len(elements) > 4 else ""
        for whole in (s for s in members if s.start < 0):
            yield Finding(
                whole.key,
                f"maps the whole of {describe(whole)}, an array whose elements {them}{more} "
                f"take; give it the element it reads (index = {free}?), or map it elsewhere",
                whole.signal,
            )


def _shared_methods(profile: OpcUaProfile) -> Iterator[Finding]:
    """One method per command: a call could not tell which command it carries."""
    seen: dict[tuple[str | None, str, str], str] = {}
    for name, m in profile.signals.items():
        method = method_of(m)
        if method is None:
            continue
        key = (method.namespace_uri, method.object, method.method)
        if key in seen:
            yield Finding(
                ("signals", name, "method"),
                f"{seen[key]} already calls {method.method} on {method.object}; give each "
                "command a method of its own",
                name,
            )
        seen.setdefault(key, name)


def _overlaps(slots: Sequence[_Slot], describe: Callable[[_Slot], str]) -> Iterator[Finding]:
    ordered = sorted(slots, key=lambda s: (s.area, s.start))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.area != a.area or b.start >= a.start + a.count:
                break
            same_word = a.start == b.start and a.count == b.count
            if a.bits is not None and b.bits is not None and same_word and not a.bits & b.bits:
                continue
            first, second = sorted((a, b), key=lambda s: s.order)
            yield Finding(
                second.key,
                f"overlaps {format_path(first.key)} at {describe(first)}; "
                "give each signal its own place (distinct bits of one register may share it)",
                second.signal,
            )


def _shared_command_words(slots: Sequence[_Slot]) -> Iterator[Finding]:
    """A command word is written whole, so no status bit may live in it."""
    words: dict[int, list[_Slot]] = {}
    for s in slots:
        if s.area == "holding" and s.bits is not None:
            words.setdefault(s.start, []).append(s)
    for word, members in words.items():
        commands = [s for s in members if s.is_command]
        statuses = [s for s in members if not s.is_command]
        if commands and statuses:
            yield Finding(
                statuses[0].key,
                f"status bit in holding {word}, which also carries command "
                f"{format_path(commands[0].key)}; the supervisor writes command words whole, "
                "so move the status bit to another register",
                statuses[0].signal,
            )
