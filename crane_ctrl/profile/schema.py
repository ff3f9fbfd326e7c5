"""The JSON Schema of a profile file, for editor completion and validation as you type.

Pydantic gives the structure; this adds what pydantic cannot know: the canonical signal names
as the only keys of ``[signals]``, each with its meaning and unit, and which of them are required.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from crane_ctrl.profile.model import ModbusProfile, OpcUaProfile
from crane_ctrl.signals import SIGNALS, SignalSpec

__all__ = ["profile_json_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def profile_json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) that a valid profile, read as JSON, satisfies."""
    schema: dict[str, Any] = TypeAdapter(ModbusProfile | OpcUaProfile).json_schema(
        ref_template="#/$defs/{model}"
    )
    for variant, mapping in (("ModbusProfile", "ModbusMapping"), ("OpcUaProfile", "OpcUaMapping")):
        properties = schema["$defs"][variant]["properties"]
        properties["signals"] = _signals_schema(mapping)
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
    return {"$ref": f"#/$defs/{mapping}", "description": text}
