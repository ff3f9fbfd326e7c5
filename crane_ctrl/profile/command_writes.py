"""When each command is written, and what it holds: the profile's write semantics. Pure.

The supervisor decides, every scan, the *level* of every command (drives enabled, lock wanted,
the telescope target, ...). How that level reaches the PLC is the PLC's business, and its
manual says it (:class:`~crane_ctrl.profile.model.CommandWrite`, per command in the profile):

* ``every_scan``: the level, written every scan (the default).
* ``on_change``: the level, written when it changes, and again after the link was lost or a
  write failed (the PLC may have missed it or restarted).
* ``pulse``: one pulse of ``pulse_s`` (at least one scan) on each rising edge of the level. With
  an ``ack`` it is re-armed only once the PLC took it over, refused it or ``timeout_s`` passed;
  a level held high never pulses again: it must fall and rise.
* ``request``: a handshake. On a rising edge (for a number: a new value) the request is written
  and held until the PLC takes it over (``ack`` true, or, ``cleared_by_plc``, the place read
  back cleared after it was written), refuses it (``refused`` true: ``reason`` gives the code,
  ``reason_texts`` its words) or ``timeout_s`` passes; then a bool request falls back to false.
  The level falling while the request waits withdraws it.

A write carries whole places: a register holding several command bits, an OPC UA node, is written
with every command it holds, each at its present value, so writing one command never clobbers
another (:func:`place_key`). What a refused or timed-out request leaves is kept in
:attr:`CommandWriter.refusals` while its level stays high, so the sequencer can hold with the
PLC's reason instead of waiting; every handshake step is a :class:`RequestEvent` to journal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from crane_ctrl.profile.derived import input_kinds
from crane_ctrl.profile.expression import Expression, Undefined, parse
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.model import (
    CommandWrite,
    ModbusMapping,
    OpcUaMapping,
    Profile,
    SignalMapping,
    method_of,
)
from crane_ctrl.signals import SIGNALS, Kind, Value

__all__ = ["CommandWriter", "RequestEvent", "WritePlan", "place_key"]

Happening = Literal["requested", "taken over", "refused", "timed out", "withdrawn"]


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One step of a pulse's or request's handshake, for the journal."""

    command: str
    what: Happening
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.command} {self.what}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True, slots=True)
class WritePlan:
    """What to write this scan, and what happened to the handshakes."""

    values: dict[str, Value]
    """The commands to write now: those due and every command sharing a place with one."""
    events: tuple[RequestEvent, ...] = ()


def place_key(name: str, m: SignalMapping) -> tuple[object, ...]:
    """What one write carries: a register (every bit in it), a coil, an OPC UA node (every
    element and bit in it); a method call is its own."""
    if method_of(m) is not None:
        return ("method", name)
    if isinstance(m, ModbusMapping):
        return ("modbus", m.table, m.address)
    assert isinstance(m, OpcUaMapping)
    return ("opcua", m.namespace_uri, m.node)


@dataclass
class _Handshake:
    """The state of one pulse or request between scans."""

    state: Literal["idle", "high", "waiting"] = "idle"
    since: float = 0.0
    written: bool = False
    """The high value reached the PLC at least once (a read-back clear counts after that)."""
    fresh: bool = False
    """No answer (ack or refusal) has shown since the request began, or what the answer reads
    has changed since: the next one is its own, not one left over from the request before."""
    start: tuple[Value | None, ...] = ()
    """What the answer's inputs read when the request began."""
    value: Value | None = None


@dataclass
class _Command:
    name: str
    rule: CommandWrite
    key: tuple[object, ...]
    is_bool: bool
    ack: Expression | None
    refused: Expression | None
    reason: Expression | None
    image: Value | None = None
    """What the PLC's place should hold now."""
    last_written: Value | None = None
    last_level: Value | None = None
    hand: _Handshake = field(default_factory=_Handshake)


class CommandWriter:
    """The write semantics of one profile's commands, scan by scan (see the module docstring).

    ``step`` every scan with the commands' levels, what was read (status signals and points, and
    the read-back of ``cleared_by_plc`` places under the command's name) and the time; then
    ``written`` with whether the write landed.
    """

    def __init__(self, profile: Profile, scan_period_s: float) -> None:
        self.scan_period_s = scan_period_s
        self._commands: dict[str, _Command] = {}
        kinds = input_kinds(profile)
        for name, m in profile.signals.items():
            spec = SIGNALS.get(name)
            if spec is None or not spec.is_command:
                continue
            self._commands[name] = _Command(
                name, m, place_key(name, m), spec.kind is Kind.BOOL,
                _parsed(m.ack, kinds), _parsed(m.refused, kinds), _parsed(m.reason, kinds),
            )  # fmt: skip
        self.refusals: dict[str, str] = {}
        """Command -> why the PLC did not take it (refused, with its reason, or timed out);
        kept while the command's level stays high."""
        self._refresh = True
        self._due: set[str] = set()
        self.magnitudes = frozenset(n for n, c in self._commands.items() if c.rule.magnitude)
        """Speed references written without their sign (``magnitude = true``)."""
        beat = self._commands.get("sup.heartbeat")
        self.heartbeat_echo = beat.rule.echo if beat is not None else None
        """What ``sup.heartbeat`` writes back (``echo``), or ``None`` when it counts."""
        self.echoes = frozenset(n for n, c in self._commands.items() if c.rule.cleared_by_plc)
        """Commands whose place must be read back: requests the PLC clears itself."""
        expressions = [e for c in self._commands.values() for e in (c.ack, c.refused, c.reason)]
        self.reads = self.echoes | {n for e in expressions if e is not None for n in e.inputs}
        if self.heartbeat_echo is not None:
            self.reads |= {self.heartbeat_echo}
        """Every name an ack, refusal or reason reads (points and status signals), and the
        commands read back: what :meth:`step`'s ``read`` must hold (nothing for a profile that
        writes every command every scan)."""

    def unsigned(self, levels: dict[str, Value]) -> dict[str, Value]:
        """``levels`` with each reference mapped ``magnitude = true`` written without its sign
        (its direction goes to the direction commands, :meth:`Commands.directions`); ``levels``
        itself when the profile has none (the usual case: no copy every scan)."""
        if not self.magnitudes:
            return levels
        out = dict(levels)
        for name in self.magnitudes:
            value = out.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[name] = abs(value)
        return out

    def refresh(self) -> None:
        """Write every command again next scan (the link came back; a write failed)."""
        self._refresh = True

    def step(self, levels: Mapping[str, Value], read: Mapping[str, Value], now: float) -> WritePlan:
        """This scan's writes for the commands' ``levels`` (unmapped ones are left out)."""
        events: list[RequestEvent] = []
        due: set[str] = set()
        for name, c in self._commands.items():
            if name not in levels:
                continue
            level = levels[name]
            image = self._image(c, level, read, now, events)
            if c.rule.write == "every_scan" or self._refresh or image != c.last_written:
                due.add(name)
            c.image, c.last_level = image, level
        keys = {self._commands[n].key for n in due}
        values = {
            n: c.image for n, c in self._commands.items() if c.key in keys and c.image is not None
        }
        self._due = set(values)
        return WritePlan(values, tuple(events))

    def written(self, ok: bool) -> None:
        """Whether this scan's write landed: a failed one is written whole again next scan."""
        if not ok:
            self._refresh = True
            return
        self._refresh = False
        for name in self._due:
            c = self._commands[name]
            c.last_written = c.image
            if c.hand.state != "idle" and c.image == c.hand.value:
                c.hand.written = True

    # --- one command ------------------------------------------------------------------------

    def _image(
        self,
        c: _Command,
        level: Value,
        read: Mapping[str, Value],
        now: float,
        events: list[RequestEvent],
    ) -> Value:
        mode = c.rule.write
        if mode in ("every_scan", "on_change"):
            return level
        if not level or (not c.is_bool and level != c.last_level):
            self.refusals.pop(c.name, None)  # no longer wanted (or another value): forgotten
        if mode == "pulse":
            return self._pulse(c, level, read, now, events)
        return self._request(c, level, read, now, events)

    def _rising(self, c: _Command, level: Value) -> bool:
        if c.is_bool:
            return bool(level) and not c.last_level
        return level != c.last_level

    def _pulse(
        self, c: _Command, level: Value, read: Mapping[str, Value], now: float,
        events: list[RequestEvent],
    ) -> Value:  # fmt: skip
        h = c.hand
        if h.state == "idle" and self._rising(c, level):
            c.hand = h = _Handshake("high", now, value=True, fresh=not _answered(c, read),
                                    start=_answer_inputs(c, read))  # fmt: skip
            events.append(RequestEvent(c.name, "requested"))
        if h.state == "high":
            length = c.rule.pulse_s or self.scan_period_s
            if now - h.since < length - 1e-9 or not h.written:
                return True
            h.state = "waiting" if c.ack is not None or c.refused is not None else "idle"
        if h.state == "waiting":
            self._answer(c, read, now, events)
        return False

    def _request(
        self, c: _Command, level: Value, read: Mapping[str, Value], now: float,
        events: list[RequestEvent],
    ) -> Value:  # fmt: skip
        h = c.hand
        idle: Value = False if c.is_bool else level
        if self._rising(c, level) and (h.state == "idle" or not c.is_bool):  # a new target
            c.hand = h = _Handshake("waiting", now, value=level, fresh=not _answered(c, read),
                                    start=_answer_inputs(c, read))  # fmt: skip
            events.append(RequestEvent(c.name, "requested", "" if c.is_bool else str(level)))
        if h.state != "waiting":
            return idle if c.is_bool else (h.value if h.value is not None else level)
        if c.is_bool and not level:
            h.state = "idle"
            events.append(RequestEvent(c.name, "withdrawn"))
            return False
        if c.rule.cleared_by_plc:  # its answer counts once the PLC has cleared it (not before:
            self._cleared(c, read, now, events)  # an answer word may still hold the last one)
        else:
            self._answer(c, read, now, events)
        if h.state == "waiting":
            return h.value if h.value is not None else level
        return False if c.is_bool else h.value if h.value is not None else level

    def _cleared(
        self, c: _Command, read: Mapping[str, Value], now: float, events: list[RequestEvent]
    ) -> None:
        """A request the PLC clears: read back cleared after it was written, it is refused (a
        PLC clears a refused request too) or taken over; else it may time out."""
        h = c.hand
        if h.written and read.get(c.name) is False:
            if _true(c.refused, read):
                self._refused(c, read, events)
            else:
                events.append(RequestEvent(c.name, "taken over", "cleared by the PLC"))
                h.state = "idle"
            return
        self._timeout(c, now, events)

    def _answer(
        self, c: _Command, read: Mapping[str, Value], now: float, events: list[RequestEvent]
    ) -> None:
        """Ack, refusal or time-out of a pulse or request waiting for the PLC. An answer counts
        only after the request reached the PLC and only if it is fresh: one still showing from
        the request before must fall first."""
        h = c.hand
        if h.written and not h.fresh:  # the last answer fell, or the PLC changed it: a new one
            h.fresh = not _answered(c, read) or _answer_inputs(c, read) != h.start
        if h.written and h.fresh and _true(c.refused, read):
            self._refused(c, read, events)
            return
        if h.written and h.fresh and _true(c.ack, read):
            events.append(RequestEvent(c.name, "taken over"))
            h.state = "idle"
            return
        self._timeout(c, now, events)

    def _refused(self, c: _Command, read: Mapping[str, Value], events: list[RequestEvent]) -> None:
        why = self._reason(c, read)
        self.refusals[c.name] = f"the PLC refused it{': ' + why if why else ''}"
        events.append(RequestEvent(c.name, "refused", why))
        c.hand.state = "idle"

    def _timeout(self, c: _Command, now: float, events: list[RequestEvent]) -> None:
        h = c.hand
        if now - h.since >= c.rule.timeout_s:
            why = f"the PLC did not take it over within {c.rule.timeout_s:g} s"
            self.refusals[c.name] = why
            events.append(RequestEvent(c.name, "timed out", why))
            h.state = "idle"

    @staticmethod
    def _reason(c: _Command, read: Mapping[str, Value]) -> str:
        if c.reason is None:
            return ""
        code = _evaluate(c.reason, read)
        if code is None or isinstance(code, bool):
            return "reason unknown"
        number = round(code)
        text = c.rule.reason_texts.get(number)
        return f"{number} ({text})" if text else f"code {number}"


def _parsed(text: str | None, kinds: Mapping[str, ExpressionKind]) -> Expression | None:
    return None if text is None else parse(text, kinds)


def _evaluate(expression: Expression, read: Mapping[str, Value]) -> float | bool | None:
    """The expression's value, or ``None`` while an input is missing or it is undefined."""
    try:
        outcome = expression.evaluate(read)
    except (KeyError, TypeError):
        return None
    return None if isinstance(outcome, Undefined) else outcome


def _true(expression: Expression | None, read: Mapping[str, Value]) -> bool:
    return expression is not None and _evaluate(expression, read) is True


def _answer_inputs(c: _Command, read: Mapping[str, Value]) -> tuple[Value | None, ...]:
    """What the names the ack and the refusal read read now."""
    names = [*(c.ack.inputs if c.ack else ()), *(c.refused.inputs if c.refused else ())]
    return tuple(read.get(n) for n in names)


def _answered(c: _Command, read: Mapping[str, Value]) -> bool:
    """The PLC shows an answer now (its ack or its refusal)."""
    return _true(c.ack, read) or _true(c.refused, read)
