"""Job orders from a terminal operating system (TOS), and the events it gets back. Pure.

A TOS speaks plain JSON over the broker, outside Sparkplug's namespace (``docs/fleet.md``,
"Job orders from a TOS"; the JSON Schemas are ``docs/tos-order.schema.json`` and
``docs/tos-event.schema.json``)::

    crane-ctrl/tos/v1/BLOCK/orders   in:  {"order": "ORD-1", "container": "MSKU1234565",
                                           "from": "truck:T1", "to": "stack:7:3:1",
                                           "size_ft": 40, "priority": 5}
                                          {"type": "cancel", "order": "ORD-1"}
    crane-ctrl/tos/v1/BLOCK/events   out: {"v": 1, "event": "accepted", "order": "ORD-1",
                                           "crane": "ASC-07", "time_ms": ...}

:func:`read_message` reads one message: an :class:`Order`, a :class:`Cancel`, or a
:class:`Refusal` naming the field that is wrong and why. :func:`event_json` writes an event.
:data:`TIC_STEP` maps the station's job states onto TIC 4.0's job-stepping concepts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crane_ctrl.config.messages import close_matches
from crane_ctrl.errors import TosOrderError
from crane_ctrl.site import SiteLayout, Slot, parse_slot
from crane_ctrl.site.containers import CONTAINER_SIZES

__all__ = [
    "PRIORITY_DEFAULT",
    "TIC_STEP",
    "TOPIC_ROOT",
    "Cancel",
    "Order",
    "Refusal",
    "check_digit",
    "event_json",
    "events_topic",
    "orders_topic",
    "read_message",
]

TOPIC_ROOT = "crane-ctrl/tos/v1"
"""Every TOS topic starts here (versioned: a v2 interface can run beside it)."""
PRIORITY_DEFAULT = 5
"""An order without ``priority``: 1 is the most urgent, 9 the least."""
MAX_MASS_T = 80.0
"""A declared gross mass above this is a typing error (a 45-ft box's maximum is 32.5 t)."""
MAX_TEXT = 64
"""The longest order id or crane name taken."""
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_CONTAINER = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")
_FIELDS = ("v", "type", "order", "container", "from", "to", "size_ft", "priority", "crane",
           "declared_mass_t")  # fmt: skip

TIC_STEP: Mapping[str, str] = {
    "moving_to_collect": "movingtocollect",
    "ready_to_collect": "readytocollect",
    "moving_to_deliver": "movingtodeliver",
    "ready_to_deliver": "readytodeliver",
    "interrupted": "interrupted",
}
"""The station's job state (``Job/State``) -> TIC 4.0's job-stepping concept id (``step`` of a
progress event). ``interrupted`` is no TIC step: the crane's operator stopped the job."""


def orders_topic(block: str) -> str:
    return f"{TOPIC_ROOT}/{block}/orders"


def events_topic(block: str) -> str:
    return f"{TOPIC_ROOT}/{block}/events"


@dataclass(frozen=True, slots=True)
class Order:
    """Move ``container`` from ``from_slot`` to ``to_slot`` (slot text as the site writes it)."""

    id: str
    container: str
    from_slot: str
    to_slot: str
    size_ft: int
    priority: int = PRIORITY_DEFAULT
    crane: str | None = None
    """Pinned to this crane of the block (``None``: the dispatcher chooses)."""
    declared_mass_t: float | None = None

    def content(self) -> dict[str, Any]:
        """What makes two orders of one id the same order (JSON-able)."""
        return {"order": self.id, "container": self.container, "from": self.from_slot,
                "to": self.to_slot, "size_ft": self.size_ft, "priority": self.priority,
                "crane": self.crane, "declared_mass_t": self.declared_mass_t}  # fmt: skip

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Order:
        """Back from :meth:`content`."""
        return cls(doc["order"], doc["container"], doc["from"], doc["to"], doc["size_ft"],
                   doc["priority"], doc["crane"], doc["declared_mass_t"])  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cancel:
    """The TOS takes an order back."""

    id: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """A message that cannot be taken: which order (if it could be read), which field, why."""

    order: str | None
    field: str
    reason: str


def read_message(data: bytes, site: SiteLayout | None = None) -> Order | Cancel | Refusal:
    """One message on the orders topic; ``site``: the block's site, to check the slots."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Refusal(None, "", f"not JSON text: {exc}")
    if not isinstance(doc, dict):
        return Refusal(None, "", f"a JSON object, not {type(doc).__name__}")
    order_id = doc.get("order") if isinstance(doc.get("order"), str) else None
    try:
        return _read(doc, site)
    except TosOrderError as bad:
        return Refusal(order_id if bad.field != "order" else None, bad.field, bad.reason)


def _read(doc: dict[str, Any], site: SiteLayout | None) -> Order | Cancel:
    for key in doc:
        if key not in _FIELDS:
            close = close_matches(str(key), _FIELDS, n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise TosOrderError(str(key), f"unknown field{hint}")
    if doc.get("v", 1) != 1 or isinstance(doc.get("v"), bool):
        raise TosOrderError("v", f"interface version 1, not {doc.get('v')!r}")
    kind = doc.get("type", "order")
    if kind not in ("order", "cancel"):
        raise TosOrderError("type", f'"order" or "cancel", not {kind!r}')
    order_id = _text(doc, "order", _ID, "letters, digits, '.', '_', ':' or '-'")
    if kind == "cancel":
        return Cancel(order_id)
    container = _container(doc.get("container"))
    size = _whole(doc, "size_ft", None)
    if size not in CONTAINER_SIZES:
        raise TosOrderError(
            "size_ft", f"one of {', '.join(map(str, CONTAINER_SIZES))}, not {size!r}"
        )
    from_slot, to_slot = _slot(doc, "from", size, site), _slot(doc, "to", size, site)
    if from_slot == to_slot:
        raise TosOrderError("to", f"the same slot as from ({from_slot})")
    priority = _whole(doc, "priority", PRIORITY_DEFAULT)
    if not 1 <= priority <= 9:
        raise TosOrderError("priority", f"1 (most urgent) to 9, not {priority}")
    crane = _text(doc, "crane", _ID, "a crane's node id") if doc.get("crane") is not None else None
    return Order(order_id, container, from_slot, to_slot, size, priority, crane, _mass(doc))


def _text(doc: Mapping[str, Any], key: str, pattern: re.Pattern[str], what: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise TosOrderError(key, f"a non-empty string, not {value!r}")
    if len(value) > MAX_TEXT or not pattern.fullmatch(value):
        raise TosOrderError(key, f"{value[:MAX_TEXT]!r}: at most {MAX_TEXT} characters, {what}")
    return value


def _whole(doc: Mapping[str, Any], key: str, default: int | None) -> int:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TosOrderError(key, f"a whole number, not {value!r}")
    return value


def _slot(doc: Mapping[str, Any], key: str, size_ft: int, site: SiteLayout | None) -> str:
    text = doc.get(key)
    if not isinstance(text, str):
        raise TosOrderError(key, f"a slot as text (truck:T1, stack:7:3:1), not {text!r}")
    try:
        slot: Slot = parse_slot(text)
        if site is not None:
            site.check_slot(slot, size_ft)
    except (ValueError, KeyError) as exc:
        raise TosOrderError(key, str(exc).strip('"')) from None
    return text


def _mass(doc: Mapping[str, Any]) -> float | None:
    value = doc.get("declared_mass_t")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise TosOrderError("declared_mass_t", f"a number of tonnes, not {value!r}")
    if not 0 < value <= MAX_MASS_T:
        raise TosOrderError(
            "declared_mass_t", f"more than 0 and at most {MAX_MASS_T:g} t, not {value}"
        )
    return float(value)


def _container(value: object) -> str:
    if not isinstance(value, str) or not _CONTAINER.fullmatch(value):
        why = (f"an ISO 6346 container number (4 capital letters, U, J or Z last, and 7 "
               f"digits: MSKU1234565), not {value!r}")  # fmt: skip
        raise TosOrderError("container", why)
    digit = check_digit(value[:10])
    if int(value[10]) != digit:
        raise TosOrderError("container", f"{value}: the check digit should be {digit} (ISO 6346)")
    return value


def check_digit(owner_serial: str) -> int:
    """ISO 6346's check digit of the first 10 characters (owner code, category, serial)."""
    values = {}
    n = 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if n % 11 == 0:
            n += 1
        values[letter] = n
        n += 1
    total = sum((values[c] if c.isalpha() else int(c)) << i for i, c in enumerate(owner_serial))
    return total % 11 % 10


def event_json(event: str, order: str | None, time_ms: int, **fields: Any) -> bytes:
    """One event on the events topic (``docs/tos-event.schema.json``)."""
    doc = {"v": 1, "event": event, "order": order, "time_ms": time_ms, **fields}
    return json.dumps(doc, separators=(",", ":")).encode()
