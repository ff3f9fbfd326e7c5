"""Engineering units as an OPC UA server declares them, and what a profile's scale makes of them.

An OPC UA analog node (an ``AnalogItemType`` variable, or any variable with the properties) may
say which unit its value is in (``EngineeringUnits``, an ``EUInformation``) and the range it
normally spans (``EURange``). The unit is a UNECE Recommendation 20 *common code* ("MTR" for
metre, "MMT" for millimetre), packed into the ``unitId`` integer as OPC 10000-8 (5.6.3) says,
one byte per character: ``MTR`` is ``0x4D5452``, in the namespace :data:`UNECE_NAMESPACE`.

The canonical signals are in m, m/s and t (:mod:`crane_ctrl.signals`); a profile's ``scale``
turns what a node holds into them (engineering = raw * scale + offset). A node in mm holding
the canonical m therefore needs scale 0.001: :func:`scale_for` says which scale a declared unit
needs, :func:`node_unit` which unit a scale implies. :data:`UNITS` knows the units a crane PLC
uses for lengths, speeds, masses, angles and ratios; any other code is reported, not converted.
Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CANONICAL_UNITS",
    "SCALE_TOLERANCE",
    "UNECE_NAMESPACE",
    "UNITS",
    "DeclaredUnits",
    "Unit",
    "node_unit",
    "same_scale",
    "scale_for",
    "unece_code",
    "unit_id",
]

UNECE_NAMESPACE = "http://www.opcfoundation.org/UA/units/un/cefact"
"""``EUInformation.namespaceUri`` of units given by their UNECE common code."""

SCALE_TOLERANCE = 1e-6
"""Relative difference below which a profile's scale and a unit's factor are the same number
(scales are written in decimal in a profile: 0.001 is not exactly a thousandth)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit of measurement by its UNECE common code."""

    code: str
    """UNECE common code: ``MTR``, ``MMT``, ``MTS``."""
    symbol: str
    """What a display shows: ``m``, ``mm``, ``m/s`` (the ``EUInformation.displayName``)."""
    name: str
    """In words: ``millimetre`` (the ``EUInformation.description``)."""
    quantity: str
    """What it measures: ``length``, ``speed``, ``mass``, ``angle``, ``ratio``."""
    factor: float
    """One of this unit in the quantity's canonical unit (m, m/s, t, degree, percent): 0.001
    for mm. This is the scale a profile needs to read it as the canonical unit."""

    @property
    def unit_id(self) -> int:
        return unit_id(self.code)

    def __str__(self) -> str:
        return f"{self.symbol} ({self.code})"


def unit_id(code: str) -> int:
    """``EUInformation.unitId`` of a UNECE common code: its characters, one byte each."""
    value = 0
    for char in code:
        value = value << 8 | ord(char)
    return value


def unece_code(unit_id: int) -> str | None:
    """The UNECE common code packed in ``unit_id``; ``None`` if it packs no printable code."""
    if not 0 < unit_id < 1 << 24:
        return None
    chars = [chr(unit_id >> shift & 0xFF) for shift in (16, 8, 0)]
    code = "".join(chars).lstrip("\0")
    return code if code and all(c.isalnum() for c in code) else None


def _units(*units: Unit) -> Mapping[str, Unit]:
    return MappingProxyType({u.code: u for u in units})


UNITS: Mapping[str, Unit] = _units(
    Unit("MTR", "m", "metre", "length", 1.0),
    Unit("DMT", "dm", "decimetre", "length", 0.1),
    Unit("CMT", "cm", "centimetre", "length", 0.01),
    Unit("MMT", "mm", "millimetre", "length", 0.001),
    Unit("KMT", "km", "kilometre", "length", 1000.0),
    Unit("FOT", "ft", "foot", "length", 0.3048),
    Unit("INH", "in", "inch", "length", 0.0254),
    Unit("MTS", "m/s", "metre per second", "speed", 1.0),
    Unit("2M", "cm/s", "centimetre per second", "speed", 0.01),
    Unit("C16", "mm/s", "millimetre per second", "speed", 0.001),
    Unit("2X", "m/min", "metre per minute", "speed", 1 / 60),
    Unit("KMH", "km/h", "kilometre per hour", "speed", 1 / 3.6),
    Unit("KNT", "kn", "knot", "speed", 1852 / 3600),
    Unit("TNE", "t", "tonne (metric ton)", "mass", 1.0),
    Unit("KGM", "kg", "kilogram", "mass", 0.001),
    Unit("DD", "°", "degree [unit of angle]", "angle", 1.0),
    Unit("C81", "rad", "radian", "angle", 180 / math.pi),
    Unit("C25", "mrad", "milliradian", "angle", 0.18 / math.pi),
    Unit("P1", "%", "percent", "ratio", 1.0),
)
"""The units crane PLCs use, by UNECE common code."""

CANONICAL_UNITS: Mapping[str, Unit] = MappingProxyType(
    {"m": UNITS["MTR"], "m/s": UNITS["MTS"], "t": UNITS["TNE"]}
)
"""The unit of each canonical signal's ``unit`` (:class:`~crane_ctrl.signals.SignalSpec`) that
is a measured quantity; signals in other units (ft spreader codes, counters) are not analog."""


def scale_for(declared: Unit, canonical: str) -> float | None:
    """The scale that reads a node in ``declared`` as the canonical unit ``canonical`` (``m``):
    the declared unit's factor; ``None`` when it measures another quantity (m/s for a
    position) or ``canonical`` is no measured quantity."""
    target = CANONICAL_UNITS.get(canonical)
    if target is None or declared.quantity != target.quantity:
        return None
    return declared.factor / target.factor


def node_unit(canonical: str, scale: float) -> Unit | None:
    """The unit a node holds when ``scale`` turns it into ``canonical``: mm for m and 0.001;
    ``None`` when no unit of :data:`UNITS` fits (a scale of 0.01 deg, an odd factor)."""
    target = CANONICAL_UNITS.get(canonical)
    if target is None or scale == 0:
        return None
    for unit in UNITS.values():
        if unit.quantity == target.quantity and same_scale(unit.factor, abs(scale)):
            return unit
    return None


def same_scale(a: float, b: float) -> bool:
    """Whether two scales are the same number as a profile writes it (see
    :data:`SCALE_TOLERANCE`)."""
    return math.isclose(a, b, rel_tol=SCALE_TOLERANCE)


@dataclass(frozen=True, slots=True)
class DeclaredUnits:
    """What an OPC UA server declares of one analog node: its ``EngineeringUnits`` and
    ``EURange``, each ``None`` when the node has no such property. As read: node units."""

    namespace: str | None = None
    """``EUInformation.namespaceUri`` (:data:`UNECE_NAMESPACE` for UNECE codes)."""
    unit_id: int | None = None
    """``EUInformation.unitId``; ``-1`` when the server has none."""
    symbol: str = ""
    """``EUInformation.displayName``: what the server shows (``mm``)."""
    low: float | None = None
    """``EURange.low``, in the node's units."""
    high: float | None = None

    @property
    def has_unit(self) -> bool:
        return self.unit_id is not None

    @property
    def code(self) -> str | None:
        """The UNECE common code, if the unit is given as one."""
        if self.unit_id is None or self.namespace not in (UNECE_NAMESPACE, None, ""):
            return None
        return unece_code(self.unit_id)

    @property
    def unit(self) -> Unit | None:
        """The unit among :data:`UNITS`, if crane-ctrl knows it."""
        code = self.code
        return UNITS.get(code) if code is not None else None

    def describe(self) -> str:
        """``mm (MMT)``, or what the server shows and its id when the code is unknown."""
        unit = self.unit
        if unit is not None:
            return str(unit)
        code = self.code
        shown = self.symbol or "?"
        return f"{shown} ({code})" if code else f"{shown} (unit id {self.unit_id})"
