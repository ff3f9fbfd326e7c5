"""The JSON Schema of a profile file, for editor completion and validation as you type.

Pydantic gives the structure; this adds what pydantic cannot know: the canonical signal names
as the only keys of ``[signals]``, each with its meaning and unit, and which of them are required;
that a status signal may be ``{ derived = "..." }`` instead of a place; that an OPC UA bool
command may be a method call (``{ method = "...", object = "..." }``); which names a point
under ``[points]`` may have (a point is placed as a signal and may add ``unit``, ``text``,
``texts``, ``journal``, ``deadband``); that an alarm under ``[alarms]`` is keyed by an id in
capitals that no built-in alarm has; and that a ``[validity.<block>]`` names a proof (a life bit
or counter with its timeout, or never_all_zero), its Modbus ranges written ``"holding 0..4"``
and its OPC UA nodes as node identifiers. That a block names only one proof, and names that
exist, only ``crane-ctrl profile validate`` checks.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from crane_ctrl.profile.alarm_rules import ALARM_ID, builtin_alarm_ids
from crane_ctrl.profile.derived import POINT_NAME
from crane_ctrl.profile.model import NODE_PATTERN, ModbusProfile, OpcUaMethod, OpcUaProfile
from crane_ctrl.signals import SIGNALS, Kind, SignalSpec

__all__ = ["profile_json_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_DERIVED: dict[str, Any] = {
    "title": "Derived",
    "description": "a status signal computed every scan from [points] and other status signals",
    "type": "object",
    "properties": {
        "derived": {
            "type": "string",
            "minLength": 1,
            "description": "the expression, e.g. rope_length_m * sin(radians(sway_angle_deg)); "
            "see the expression language in plc_profiles/README.md",
        }
    },
    "required": ["derived"],
    "additionalProperties": False,
}


def profile_json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) that a valid profile, read as JSON, satisfies."""
    schema: dict[str, Any] = TypeAdapter(ModbusProfile | OpcUaProfile).json_schema(
        ref_template="#/$defs/{model}"
    )
    schema["$defs"]["Derived"] = _DERIVED
    schema["$defs"]["Method"] = _method_schema()
    variants = (
        ("ModbusProfile", "ModbusMapping", "ModbusPoint"),
        ("OpcUaProfile", "OpcUaMapping", "OpcUaPoint"),
    )
    for variant, mapping, point in variants:
        properties = schema["$defs"][variant]["properties"]
        properties["signals"] = _signals_schema(mapping)
        properties["points"] = _points_schema(point, properties["points"])
        properties["alarms"] = _alarms_schema(properties["alarms"])
    _validity_schema(schema["$defs"]["ModbusValidity"], "registers", _REGISTER_RANGE)
    _validity_schema(schema["$defs"]["OpcUaValidity"], "nodes", NODE_PATTERN)
    return {
        "$schema": _DIALECT,
        "title": "crane-ctrl PLC profile",
        "description": "Maps the canonical crane signals to one PLC's registers or nodes.",
        **schema,
    }


def _signals_schema(mapping: str) -> dict[str, Any]:
    return {
        "title": "Signals",
        "description": "one mapping per canonical signal, keyed by its name",
        "type": "object",
        "properties": {name: _signal_schema(spec, mapping) for name, spec in SIGNALS.items()},
        "required": [name for name, spec in SIGNALS.items() if spec.required],
        "additionalProperties": False,
    }


def _signal_schema(spec: SignalSpec, mapping: str) -> dict[str, Any]:
    unit = f" [{spec.unit}]" if spec.unit else ""
    need = "required" if spec.required else "optional"
    text = f"{spec.direction.value}, {spec.kind.value}{unit}, {need}: {spec.meaning}"
    if spec.fail_safe:
        text += f" (fail-safe: {spec.fail_safe})"
    if spec.is_command and spec.kind is Kind.BOOL and mapping == "OpcUaMapping":
        return {
            "anyOf": [{"$ref": f"#/$defs/{mapping}"}, {"$ref": "#/$defs/Method"}],
            "description": f"{text}; a node, or a method called on each rising edge",
        }
    if spec.is_command:
        return {"$ref": f"#/$defs/{mapping}", "description": text}
    return {
        "anyOf": [{"$ref": f"#/$defs/{mapping}"}, {"$ref": "#/$defs/Derived"}],
        "description": f"{text}; a place, or derived = an expression",
    }


def _method_schema() -> dict[str, Any]:
    """An OPC UA command as a method call: only its own fields and the namespace."""
    generated: dict[str, Any] = OpcUaMethod.model_json_schema()
    keep = ("method", "object", "arguments", "namespace_uri")
    return {
        "title": "Method",
        "description": "a bool command carried out by calling a method, once per rising edge",
        "type": "object",
        "properties": {key: generated["properties"][key] for key in keep},
        "required": ["method", "object"],
        "additionalProperties": False,
    }


_REGISTER_RANGE = r"^(coil|discrete_input|holding|input) [0-9]+(\.\.[0-9]+)?$"
"""A Modbus range of a status block as the schema checks it: ``holding 0..4``, ``input 12``."""
_PROOFS: list[dict[str, Any]] = [
    {"required": ["life_counter", "timeout_s"]},
    {"required": ["life_bit", "timeout_s"]},
    {"required": ["never_all_zero"], "properties": {"never_all_zero": {"const": True}}},
]
"""A status block names a proof: a life counter or bit with its timeout, or never all zero."""


def _validity_schema(generated: dict[str, Any], places: str, pattern: str) -> None:
    """A status block: its places' form, and a proof (one only: the validator checks)."""
    generated["properties"][places]["items"] = {"type": "string", "pattern": pattern}
    generated["anyOf"] = _PROOFS


def _points_schema(point: str, generated: dict[str, Any]) -> dict[str, Any]:
    return {
        **generated,
        "type": "object",
        "additionalProperties": {"$ref": f"#/$defs/{point}"},
        "propertyNames": {"pattern": POINT_NAME.pattern, "not": {"enum": list(SIGNALS)}},
    }


def _alarms_schema(generated: dict[str, Any]) -> dict[str, Any]:
    return {
        **generated,
        "type": "object",
        "additionalProperties": {"$ref": "#/$defs/ProfileAlarm"},
        "propertyNames": {
            "pattern": ALARM_ID.pattern,
            "not": {"enum": sorted(builtin_alarm_ids())},
        },
    }
