"""The raw value behind an engineering value, as the profile's codec lays it out.

The links keep no raw words (they decode at once), so the I/O check rebuilds them from each
decoded value with the same codec (:func:`crane_ctrl.profile.codec.to_raw`, then
:func:`~crane_ctrl.profile.codec.to_words` for Modbus registers): exact for bits, integers and value
maps, the decoded float for float registers. A bit or a bit field shows its own bits, not the
whole register word it shares with others.
"""

from __future__ import annotations

from crane_ctrl.errors import CodecError
from crane_ctrl.profile.codec import to_raw, to_words
from crane_ctrl.profile.model import ModbusMapping, SignalMapping
from crane_ctrl.signals import SIGNALS, SignalSpec, Value

__all__ = ["raw_text", "value_text"]


def raw_text(
    name: str, mapping: SignalMapping, value: Value | None, spec: SignalSpec | None = None
) -> str:
    """``0x0000 0x4120`` (Modbus words), ``1`` (a bit), ``12.5`` (a variant); ``?`` if none.
    ``spec``: how a point decodes (:func:`~crane_ctrl.profile.derived.point_spec`); a signal's
    is its catalogue entry."""
    if value is None:
        return "?"
    try:
        raw = to_raw(value, mapping, spec or SIGNALS[name])
    except CodecError:
        return "?"
    if isinstance(raw, bool):
        return str(int(raw))
    whole_register = (
        isinstance(mapping, ModbusMapping) and not mapping.is_bit_table and mapping.bit is None
    )
    if whole_register and isinstance(mapping, ModbusMapping):
        words = to_words(raw, mapping.raw_type, mapping.word_order)
        return " ".join(f"0x{word:04X}" for word in words)
    return f"{raw:g}" if isinstance(raw, float) else str(raw)


def value_text(value: Value | None, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f} {unit}".strip()
    return f"{value} {unit}".strip()
