"""PLC profile schema: how one PLC's registers or nodes carry the canonical crane signals.

A profile is a TOML file with three tables, and more that are optional::

    [profile]   name, vendor, plc_model, description, version
    [link]      protocol = "modbus" | "opcua" and how to reach the PLC
    [signals]   one mapping per canonical signal, keyed by its name
    [points]    raw PLC points that are no canonical signal, read with the status (optional)
    [alarms]    alarms the profile adds, each a condition over points and signals (optional)
    [plc]       how the PLC behaves: watchdog, reset pulse, fault texts (optional)
    [validity.<block>]  what proves a block of status data alive (optional, one per block):
                the signals it covers and a life bit, a life counter or never_all_zero

A point (:class:`ModbusPoint`, :class:`OpcUaPoint`) is placed like a signal and may say what it
is for the HMI and the journal: ``unit``, ``text``, ``texts`` (its codes in words), ``journal``
and ``deadband`` (when a change is journaled). An alarm (:class:`ProfileAlarm`) raises and
clears through the supervisor's alarm engine like a built-in one
(:mod:`crane_ctrl.runtime.profile_alarms`); no interlock reads a point or a profile alarm.

A status signal may be ``derived`` instead of mapped to a place: computed every scan from points
(and other status signals) by an expression (:mod:`crane_ctrl.profile.expression`), e.g.
``"sway.trolley" = { derived = "rope_length_m * sin(radians(sway_angle_deg))" }``. Such an
entry is a :class:`ModbusDerived` or :class:`OpcUaDerived`: a subclass of the protocol's mapping,
so every user of ``profile.signals`` still finds a mapping under each mapped name; it takes no
place (:meth:`ModbusDerived.place` shows the expression, it spans no register, its address
fields are unused defaults) and the codecs compute it from the decoded points. Likewise an OPC UA
bool command may be a method call instead of a node write, ``{ method = "s=Crane.Reset", object =
"s=Crane" }``: an :class:`OpcUaMethod`, called on each rising edge of the command.

The models here are strict (no type coercion), frozen and reject unknown keys. They check what
can be checked per field; the rules that relate fields and signals (every required signal mapped,
commands only in writable places, no overlaps, ...) live in :mod:`crane_ctrl.profile.rules`, and
:func:`crane_ctrl.profile.loader.load_profile` runs both and locates every problem in the file.
Obtain profiles through the loader; a bare ``model_validate`` skips the cross-signal rules.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from crane_ctrl.signals import Value

__all__ = [
    "BIT_TABLES",
    "NODE_PATTERN",
    "REGISTER_WIDTH",
    "UA_INTEGER_TYPES",
    "CommandWrite",
    "DerivedMapping",
    "ModbusDerived",
    "ModbusLink",
    "ModbusMapping",
    "ModbusPoint",
    "ModbusProfile",
    "ModbusValidity",
    "OpcUaDerived",
    "OpcUaLink",
    "OpcUaMapping",
    "OpcUaMethod",
    "OpcUaPoint",
    "OpcUaProfile",
    "OpcUaValidity",
    "PlcBehaviour",
    "PointInfo",
    "PointMapping",
    "Profile",
    "ProfileAlarm",
    "ProfileMeta",
    "SignalMapping",
    "ValidityEntry",
    "WriteMode",
    "derived_text",
    "method_of",
]

ModbusTable = Literal["coil", "discrete_input", "holding", "input"]
RegisterType = Literal["bool", "int16", "uint16", "int32", "uint32", "float32", "float64"]
WordOrder = Literal["ABCD", "CDAB", "BADC", "DCBA"]
UaType = Literal[
    "Boolean",
    "SByte",
    "Byte",
    "Int16",
    "UInt16",
    "Int32",
    "UInt32",
    "Int64",
    "UInt64",
    "Float",
    "Double",
]

BIT_TABLES: frozenset[str] = frozenset({"coil", "discrete_input"})
"""Modbus tables addressed in single bits."""
WRITABLE_TABLES: frozenset[str] = frozenset({"coil", "holding"})
"""Modbus tables a client can write."""
REGISTER_WIDTH: Mapping[str, int] = {
    "bool": 1,
    "int16": 1,
    "uint16": 1,
    "int32": 2,
    "uint32": 2,
    "float32": 2,
    "float64": 4,
}
"""How many 16-bit registers each register type spans."""
UA_INTEGER_TYPES: frozenset[str] = frozenset(
    {"SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64"}
)

_NAME = r"^[a-z0-9][a-z0-9_.-]*$"
_ENDPOINT = r"^opc\.tcp://[^\s/]+(/\S*)?$"
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_NODE = rf"^(i=[0-9]+|s=.+|g={_GUID}|b=[A-Za-z0-9+/]+=*)$"
NODE_PATTERN = _NODE
"""An OPC UA node identifier without ``ns=``: ``i=42``, ``s=...``, ``g=<guid>``, ``b=...``."""
UINT32_MAX = 2**32 - 1
"""The largest numeric node identifier and array index OPC UA has (UInt32)."""


def _plain_node(node: str) -> str:
    """A node id that names a node a PLC can have: a numeric one within UInt32, a string one
    of printable ASCII (an invisible character or a look-alike letter from another script
    names a node that exists nowhere, and the link would only say it is bad)."""
    if node.startswith("i=") and int(node[2:]) > UINT32_MAX:
        raise ValueError(f"numeric node id {node[2:]} is larger than OPC UA's {UINT32_MAX}")
    for i, c in enumerate(node):
        if not (" " <= c <= "~"):
            name = unicodedata.name(c, "a control character")
            raise ValueError(
                f"node id has U+{ord(c):04X} ({name}) at position {i}: a node id is printable "
                "ASCII; retype it from the PLC's tag list"
            )
    return node


NodeId = Annotated[str, Field(pattern=_NODE), AfterValidator(_plain_node)]
_ENV = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")


class ProfileMeta(_Model):
    """What a maintenance engineer needs to know which PLC this file is for."""

    name: Annotated[str, Field(pattern=_NAME, description="short id, e.g. generic-modbus")]
    vendor: Annotated[str, Field(min_length=1)]
    plc_model: Annotated[str, Field(min_length=1)]
    description: str = ""
    version: Annotated[str, Field(min_length=1, description="version of this profile")]


class ModbusLink(_Model):
    """How to reach a Modbus TCP PLC. Addresses in this profile are zero-based (PDU) numbers."""

    protocol: Literal["modbus"]
    host: Annotated[str, Field(min_length=1)]
    port: Annotated[int, Field(ge=1, le=65535)] = 502
    unit_id: Annotated[int, Field(ge=0, le=255, description="Modbus unit (device) id")] = 1
    timeout_s: Annotated[float, Field(gt=0, le=10)] = 0.25
    address_base: Annotated[
        Literal[0],
        Field(
            description="must be 0: every address in this file is the zero-based PDU address "
            "(holding register 40001 / %MW0 is address 0)"
        ),
    ]
    max_read_registers: Annotated[int, Field(ge=1, le=125)] = 125
    max_read_bits: Annotated[int, Field(ge=1, le=2000)] = 2000
    max_gap_registers: Annotated[
        int, Field(ge=0, le=124, description="unmapped registers a read may bridge")
    ] = 8
    max_gap_bits: Annotated[int, Field(ge=0, le=1999)] = 64


class OpcUaLink(_Model):
    """How to reach an OPC UA PLC server. Credentials are referenced, never written here."""

    protocol: Literal["opcua"]
    endpoint: Annotated[str, Field(pattern=_ENDPOINT, description="opc.tcp://host:port/path")]
    namespace_uri: Annotated[
        str, Field(min_length=1, description="namespace of the PLC's nodes; index looked up")
    ]
    timeout_s: Annotated[float, Field(gt=0, le=30)] = 1.0
    security_policy: Literal["None", "Basic256Sha256"] = "None"
    security_mode: Literal["None", "Sign", "SignAndEncrypt"] = "None"
    certificate: str | None = Field(None, description="client certificate file (DER or PEM)")
    private_key: str | None = Field(None, description="client private key file (PEM)")
    trust_dir: str | None = Field(None, description="folder of trusted server certificates")
    username_env: str | None = Field(None, pattern=_ENV, description="env var with user name")
    password_env: str | None = Field(None, pattern=_ENV, description="env var with password")
    password_file: str | None = Field(None, description="file holding the password")


def _bits_text(bit: int | None, width: int | None) -> str:
    if bit is None:
        return ""
    if not width or width == 1:
        return f" bit {bit}"
    return f" bits {bit}-{bit + width - 1}"


class _Scaling(_Model):
    """Engineering value = raw * scale + offset; or a value map of raw codes; or an inverted bit."""

    scale: float = 1.0
    offset: float = 0.0
    invert: bool = False
    map: dict[str, bool | int | float] | None = Field(
        None, description='raw code -> engineering value, e.g. { "1" = 20, "2" = 40, "3" = 45 }'
    )

    @property
    def codes(self) -> dict[int, Value] | None:
        """The value map with integer raw codes (keys are checked to be integers)."""
        if self.map is None:
            return None
        return {int(k, 0): v for k, v in self.map.items()}

    @property
    def scaled(self) -> bool:
        return self.scale != 1.0 or self.offset != 0.0


def _code_keys(value: Any) -> Any:
    """TOML keys are text: ``30 = "..."`` names code 30 (a key that is no whole number stays
    text, and the model says so)."""
    if not isinstance(value, Mapping):
        return value
    return {int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k: v
            for k, v in value.items()}  # fmt: skip


WriteMode = Literal["every_scan", "on_change", "pulse", "request"]

_WRITE_DOC = (
    "how the supervisor writes this command: every_scan (default), on_change (only when its "
    "value changes, and again after a link loss or a failed write), pulse (high for pulse_s on "
    "each rising edge, re-armed after the PLC took it over), request (a handshake: written once, "
    "held until the PLC acknowledges, clears or refuses it, or timeout_s passes)"
)


class CommandWrite(_Model):
    """How a command reaches the PLC (its write semantics): fields of a command's mapping.

    ``ack``, ``refused`` and ``reason`` are expressions (:mod:`crane_ctrl.profile.expression`)
    over ``[points]`` and status signals: ``ack`` true once the PLC has taken the request over,
    ``refused`` true when it refuses it, ``reason`` the code it gives (``reason_texts`` words it).
    """

    write: WriteMode = Field("every_scan", description=_WRITE_DOC)
    pulse_s: Annotated[float, Field(gt=0, le=10)] | None = Field(
        None, description="pulse: how long the command stays high, s (default one scan)"
    )
    ack: str | None = Field(
        None, description="pulse/request: expression, true once the PLC has taken it over"
    )
    refused: str | None = Field(
        None, description="pulse/request: expression, true when the PLC refuses it"
    )
    reason: str | None = Field(
        None, description="pulse/request: expression giving the PLC's refusal reason code"
    )
    reason_texts: Annotated[dict[int, str], BeforeValidator(_code_keys)] = Field(
        default_factory=dict, description="refusal reason code -> the PLC manual's words"
    )
    cleared_by_plc: bool = Field(
        False,
        description="request: the PLC clears the command's place itself when it takes the "
        "request over (the supervisor reads the place back)",
    )
    timeout_s: Annotated[float, Field(gt=0, le=120)] = Field(
        2.0, description="pulse/request: the PLC must take it over within this time, s"
    )
    echo: str | None = Field(
        None,
        description="sup.heartbeat: write back this status signal or point (the PLC's own life "
        "counter or life bit) as read, instead of counting, for PLCs whose watchdog checks that "
        "the supervisor echoes it",
    )
    magnitude: bool = Field(
        False,
        description="a speed reference written without its sign, for PLCs that take the "
        "direction from direction commands (gantry.forward/reverse, trolley.forward/reverse, "
        "hoist.up/down), which must then be mapped too",
    )

    @property
    def handshake(self) -> bool:
        """Written as a pulse or a request: it waits for the PLC to take it over."""
        return self.write in ("pulse", "request")


class ModbusMapping(_Scaling, CommandWrite):
    """One signal in a Modbus table: a coil or discrete input, or a (part of a) register."""

    table: ModbusTable
    address: Annotated[int, Field(ge=0, le=65535)]
    type: RegisterType | None = Field(None, description="register type; bool for coils")
    word_order: WordOrder = "ABCD"
    bit: Annotated[int, Field(ge=0, le=15)] | None = Field(None, description="bit in a register")
    width: Annotated[int, Field(ge=1, le=16)] | None = Field(
        None, description="bits in a bit field that starts at `bit`"
    )

    @property
    def raw_type(self) -> str:
        return self.type or "bool"

    @property
    def is_bit_table(self) -> bool:
        return self.table in BIT_TABLES

    @property
    def register_count(self) -> int:
        """Registers (or bits, for coils and discrete inputs) this mapping spans."""
        return 1 if self.is_bit_table else REGISTER_WIDTH[self.raw_type]

    @property
    def bit_width(self) -> int | None:
        """Bits taken from a register: 1 for a bool bit, ``width`` for a field, else ``None``."""
        if self.bit is None:
            return None
        return self.width or 1

    def word(self) -> str:
        """The register(s) or the coil this mapping is in, whole: ``holding 12``."""
        where = f"{self.table} {self.address}"
        if self.register_count > 1:
            where += f"..{self.address + self.register_count - 1}"
        return where

    def place(self) -> str:
        """Where this mapping lives, in words: ``holding 12 bit 3``."""
        return self.word() + _bits_text(self.bit, self.bit_width)


class OpcUaMapping(_Scaling, CommandWrite):
    """One signal in an OPC UA node, or an element of an array node, or bits of an integer."""

    node: Annotated[NodeId, Field(description='identifier in the namespace: s="DB"."Tag" or i=42')]
    namespace_uri: Annotated[str, Field(min_length=1)] | None = Field(
        None, description="another namespace than the link's"
    )
    type: UaType
    index: Annotated[int, Field(ge=0, le=UINT32_MAX)] | None = Field(
        None, description="element of an array node"
    )
    access: Literal["read", "read_write"] = "read"
    bit: Annotated[int, Field(ge=0, le=63)] | None = None
    width: Annotated[int, Field(ge=1, le=64)] | None = None

    @property
    def raw_type(self) -> str:
        return self.type

    @property
    def bit_width(self) -> int | None:
        if self.bit is None:
            return None
        return self.width or 1

    def word(self) -> str:
        """The node this mapping is in, whole: ``s="DB_Sup"."CmdWord"``."""
        return self.node if self.namespace_uri is None else f"{{{self.namespace_uri}}}{self.node}"

    def place(self) -> str:
        where = self.word()
        if self.index is not None:
            where += f"[{self.index}]"
        return where + _bits_text(self.bit, self.bit_width)


_DERIVED_DOC = (
    "expression computing this status signal from [points] and other status signals, "
    'e.g. "rope_length_m * sin(radians(sway_angle_deg))"; instead of a place'
)


class ModbusDerived(ModbusMapping):
    """A status signal of a Modbus profile computed from points: ``{ derived = "..." }``.

    It has no place; the inherited place fields keep their defaults (the rules refuse any that
    the file sets), it spans no register and :meth:`place` shows the expression.
    """

    derived: Annotated[str, Field(description=_DERIVED_DOC)]
    table: ModbusTable = "input"
    address: Annotated[int, Field(ge=0, le=65535)] = 0

    @property
    def register_count(self) -> int:
        return 0

    def place(self) -> str:
        return f"= {self.derived}"


class OpcUaDerived(OpcUaMapping):
    """A status signal of an OPC UA profile computed from points: ``{ derived = "..." }``.

    It has no node; the inherited node fields keep their defaults (the rules refuse any that the
    file sets) and :meth:`place` shows the expression.
    """

    derived: Annotated[str, Field(description=_DERIVED_DOC)]
    node: str = "s=(derived)"
    type: UaType = "Double"

    def place(self) -> str:
        return f"= {self.derived}"


class OpcUaMethod(OpcUaMapping):
    """A bool command of an OPC UA profile carried out by a method call, not a node write:
    ``{ method = "s=Crane.Reset", object = "s=Crane", arguments = [] }``.

    The link calls the method once on each rising edge of the command's value (a pulse of
    ``plc.reset`` is one call). It has no node: the inherited node fields keep their defaults
    (the rules refuse any that the file sets), the codec neither reads nor writes it (its
    ``method_commands``: :class:`~crane_ctrl.profile.opcua_map.OpcUaCodec`) and :meth:`place`
    shows the call.
    """

    method: Annotated[NodeId, Field(description="the method node to call, e.g. s=Crane.Reset")]
    object: Annotated[NodeId, Field(description="the object node the method is called on")]
    arguments: list[bool | int | float | str] = Field(
        default_factory=list, description="literal input arguments of the call, in order"
    )
    node: str = "s=(method)"
    type: UaType = "Boolean"

    def place(self) -> str:
        ns = "" if self.namespace_uri is None else f"{{{self.namespace_uri}}}"
        args = ", ".join(json.dumps(a) for a in self.arguments)
        return f"call {ns}{self.method}({args}) on {ns}{self.object}"


SignalMapping = ModbusMapping | OpcUaMapping
"""A mapping of either protocol (a derived signal's too)."""
DerivedMapping = ModbusDerived | OpcUaDerived
"""A derived signal of either protocol."""


def method_of(m: SignalMapping) -> OpcUaMethod | None:
    """The method call that carries a command; ``None`` for a signal in a place."""
    return m if isinstance(m, OpcUaMethod) else None


def derived_text(m: SignalMapping) -> str | None:
    """The expression of a derived signal; ``None`` for a signal read from a place."""
    return m.derived if isinstance(m, ModbusDerived | OpcUaDerived) else None


def _modbus_entry(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """An entry of ``[signals]`` with ``derived`` is a :class:`ModbusDerived`."""
    if isinstance(value, Mapping) and "derived" in value:
        return ModbusDerived.model_validate(value)
    return handler(value)


def _opcua_entry(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """An entry of ``[signals]`` with ``derived`` is an :class:`OpcUaDerived`; one with
    ``method`` an :class:`OpcUaMethod`."""
    if isinstance(value, Mapping) and "derived" in value:
        return OpcUaDerived.model_validate(value)
    if isinstance(value, Mapping) and "method" in value:
        return OpcUaMethod.model_validate(value)
    return handler(value)


_POINTS_DOC = (
    "raw PLC points that are no canonical signal, keyed by a name that derived expressions use; "
    "read with the status every scan"
)


class PointInfo(_Model):
    """What a point is, for the HMI and the journal (all optional); the rules
    (:mod:`crane_ctrl.profile.point_rules`) check them against what the point decodes as."""

    unit: str = Field(
        "", max_length=16, description="unit of the decoded value, e.g. m, s, %; none for a bool"
    )
    text: str = Field("", description="what the point means, in words, e.g. restart inhibited")
    texts: Annotated[dict[int, str], BeforeValidator(_code_keys)] | None = Field(
        None,
        description="decoded value -> its meaning, for a code (an integer or a bool point): "
        '{ 0 = "none", 3 = "wind too high" }; such a point is journaled on every change',
    )
    journal: bool | None = Field(
        None,
        description="journal its changes: bools and points with texts on every change unless "
        "false; numbers only with a deadband",
    )
    deadband: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        None,
        description="a number is journaled when it moves more than this from the value last "
        "journaled, in its unit (0: every change)",
    )

    def value_text(self, value: Value | None) -> str:
        """The value as a person reads it: ``true``, ``12.300 m``, ``3 (wind too high)``."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            shown = "true" if value else "false"
        elif isinstance(value, float):
            shown = f"{value:.3f} {self.unit}".strip()
        else:
            shown = f"{value} {self.unit}".strip()
        meaning = None if self.texts is None else self.texts.get(int(value))
        return shown if meaning is None else f"{shown} ({meaning})"


class ModbusPoint(ModbusMapping, PointInfo):
    """A point of a Modbus profile: placed like a signal, with what it is."""


class OpcUaPoint(OpcUaMapping, PointInfo):
    """A point of an OPC UA profile: placed like a signal, with what it is."""


PointMapping = ModbusPoint | OpcUaPoint
"""A point of either protocol."""


class ProfileAlarm(_Model):
    """``[alarms.<ID>]``: an alarm this PLC's profile adds, raised while its condition holds."""

    condition: Annotated[
        str,
        Field(
            min_length=1,
            description="a bool expression over [points] and the status signals this profile "
            'maps, e.g. "plc_wind_trip or rope_length_m < 2.0"',
        ),
    ]
    priority: Literal["high", "medium", "low"] = Field(
        description="how urgently the operator must respond, as the built-in alarms"
    )
    text: Annotated[
        str, Field(min_length=1, description="what the operator reads: what happened, what to do")
    ]
    delay_s: Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False)] = Field(
        0.0, description="the condition must hold this long before the alarm raises, s"
    )
    off_delay_s: Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False)] = Field(
        0.0, description="the condition must be clear this long before the alarm clears, s"
    )


class PlcBehaviour(_Model):
    """``[plc]``: how this PLC behaves, from its manual (all optional)."""

    watchdog_s: Annotated[
        float,
        Field(
            gt=0,
            le=60,
            description="the PLC trips its watchdog after sup.heartbeat stays "
            "unchanged this long, s; the supervisor warns when its scan p99 reaches half of it",
        ),
    ] = 1.0
    reset_pulse_s: Annotated[
        float,
        Field(
            ge=0,
            le=5,
            description="plc.reset stays high at least this long for one reset, s "
            "(0: one scan); the manual's minimum pulse",
        ),
    ] = 0.0
    watchdog_auto_reset: bool = Field(
        True,
        description="reset a watchdog trip the PLC latched while no supervisor was there, once "
        "after a start or reconnect, only when it is the PLC's only fault (journaled)",
    )
    fault_texts: Annotated[dict[int, str], BeforeValidator(_code_keys)] = Field(
        default_factory=dict,
        description="plc.fault_code -> the vendor's words for it (the PLC_FAULT_CODE alarm "
        'shows them): [plc.fault_texts] 1002 = "hoist brake feedback missing"',
    )


class _Validity(_Model):
    """``[validity.<block>]``: the status signals of one block and what proves the block alive.

    One proof: ``life_bit`` or ``life_counter`` (a point or status signal the PLC program
    toggles or counts) with ``timeout_s``, or ``never_all_zero = true``. The rules
    (:mod:`crane_ctrl.profile.validity_rules`) check that there is exactly one and what it names.
    """

    signals: list[str] = Field(
        default_factory=list,
        description="status signals and [points] this block covers, by name or glob "
        '(e.g. "gantry.limit_*_ok"); derived signals reading them are covered too',
    )
    life_bit: str | None = Field(
        None,
        description="a bool point or status signal the PLC toggles (slower than the scan, "
        "e.g. a 1 s clock bit); not toggled for timeout_s: the block is dead",
    )
    life_counter: str | None = Field(
        None,
        description="an integer point or status signal the PLC program counts (e.g. "
        "plc.heartbeat); unchanged for timeout_s: the block is dead",
    )
    timeout_s: Annotated[float, Field(gt=0, le=60)] | None = Field(
        None, description="how long the life bit or counter may stay unchanged, s"
    )
    never_all_zero: bool = Field(
        False,
        description="the block's words always have a bit set while alive: all zero is dead "
        "(checked every scan, no timeout)",
    )


class ModbusValidity(_Validity):
    """A status block of a Modbus profile: signals and points by name, or register ranges."""

    registers: list[str] = Field(
        default_factory=list,
        description="ranges of one table whose signals and points this block covers, e.g. "
        '"holding 0..4", "input 12", "discrete_input 0..15"',
    )


class OpcUaValidity(_Validity):
    """A status block of an OPC UA profile: signals and points by name, or nodes."""

    nodes: list[str] = Field(
        default_factory=list,
        description="node identifiers, as the mappings write them, whose signals and points "
        """this block covers, e.g. 's="DB_Crane"."Limits"'""",
    )


ValidityEntry = ModbusValidity | OpcUaValidity
"""A ``[validity.<block>]`` entry of either protocol."""

_VALIDITY_DOC = (
    "what proves each block of status data alive, keyed by the block's name; signals of a "
    "block not proven alive are bad"
)
_ALARMS_DOC = (
    "alarms this profile adds, keyed by an id in capitals (PLC_WIND_TRIP) that no built-in "
    "alarm has"
)


class _ProfileBase(_Model):
    profile: ProfileMeta
    plc: PlcBehaviour = Field(default_factory=PlcBehaviour)
    alarms: dict[str, ProfileAlarm] = Field(default_factory=dict, description=_ALARMS_DOC)

    @property
    def name(self) -> str:
        return self.profile.name


class ModbusProfile(_ProfileBase):
    """A profile for a Modbus TCP PLC."""

    link: ModbusLink
    signals: dict[str, Annotated[ModbusMapping, WrapValidator(_modbus_entry)]]
    points: dict[str, ModbusPoint] = Field(default_factory=dict, description=_POINTS_DOC)
    validity: dict[str, ModbusValidity] = Field(default_factory=dict, description=_VALIDITY_DOC)

    @property
    def protocol(self) -> Literal["modbus"]:
        return "modbus"


class OpcUaProfile(_ProfileBase):
    """A profile for an OPC UA PLC server."""

    link: OpcUaLink
    signals: dict[str, Annotated[OpcUaMapping, WrapValidator(_opcua_entry)]]
    points: dict[str, OpcUaPoint] = Field(default_factory=dict, description=_POINTS_DOC)
    validity: dict[str, OpcUaValidity] = Field(default_factory=dict, description=_VALIDITY_DOC)

    @property
    def protocol(self) -> Literal["opcua"]:
        return "opcua"


Profile = ModbusProfile | OpcUaProfile
"""A validated PLC profile of either protocol."""

PROFILE_MODELS: Mapping[str, type[ModbusProfile] | type[OpcUaProfile]] = {
    "modbus": ModbusProfile,
    "opcua": OpcUaProfile,
}
"""The profile model for each ``link.protocol``."""
