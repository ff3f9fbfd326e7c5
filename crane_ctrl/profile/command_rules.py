"""The rules for a command's write semantics (``write``, ``pulse_s``, ``ack``, ...), each finding
with its key path and the fix. :mod:`crane_ctrl.profile.command_writes` says what they mean.

* They belong to commands: a status signal or a point that sets one is told to remove it.
* ``sup.heartbeat`` is written every scan: it is what the PLC's watchdog watches.
* A number command (a speed reference, the telescope target) is written ``every_scan`` or
  ``on_change``; only the telescope target may also be a ``request`` (acknowledged, never
  cleared by the PLC: a target has no idle value).
* ``pulse_s`` goes with ``pulse``; ``ack``, ``refused``, ``reason``, ``reason_texts`` and
  ``timeout_s`` with ``pulse`` or ``request``; ``cleared_by_plc`` with a bool ``request``.
* A ``request`` says how the supervisor sees it taken over: an ``ack`` or ``cleared_by_plc``.
  ``reason`` needs ``refused``; ``reason_texts`` needs ``reason``.
* ``ack`` and ``refused`` are bool expressions, ``reason`` a number, over ``[points]`` and the
  status signals this profile maps.
* ``echo`` goes with ``sup.heartbeat`` only and names a status signal this profile maps or a
  point (the PLC's life counter or life bit), of a number or a bool.
* ``magnitude`` goes with a speed reference, whose axis's two direction commands
  (``gantry.forward`` and ``gantry.reverse``, ``hoist.up`` and ``hoist.down``, ...) are then
  mapped too: without them the PLC could not tell which way to move. A direction command mapped
  without ``magnitude`` on its reference is allowed (a PLC that wants both).
* A request the PLC clears is alone in its place: a register or node also carrying another
  command would be written again with it and could set the request again after the PLC cleared
  it. A method call has no place to clear and takes no write semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from crane_ctrl.config.file import Finding
from crane_ctrl.profile.command_writes import place_key
from crane_ctrl.profile.derived import input_kinds
from crane_ctrl.profile.derived_rules import ExpressionStart
from crane_ctrl.profile.expression import Expression, ExpressionProblem, check
from crane_ctrl.profile.expression import Kind as ExpressionKind
from crane_ctrl.profile.model import CommandWrite, Profile, SignalMapping, method_of
from crane_ctrl.signals import DIRECTION_COMMANDS, SIGNALS, Kind, SignalSpec

__all__ = ["check_command_writes"]

Path = tuple[str, ...]
WRITE_FIELDS: tuple[str, ...] = tuple(CommandWrite.model_fields)
_HANDSHAKE_FIELDS = ("ack", "refused", "reason", "reason_texts", "timeout_s")
_EXPRESSIONS = {"ack": ExpressionKind.BOOL, "refused": ExpressionKind.BOOL,
                "reason": ExpressionKind.NUMBER}  # fmt: skip


def check_command_writes(
    profile: Profile, start: ExpressionStart | None = None
) -> Iterator[Finding]:
    """Every rule above, for every signal and point of ``profile``."""
    for section, table in (("signals", profile.signals), ("points", profile.points)):
        for name, m in table.items():
            spec = SIGNALS.get(name) if section == "signals" else None
            if spec is not None and spec.is_command:
                yield from _command(profile, spec, m, start)
                continue
            for key in _set(m, WRITE_FIELDS):
                what = "a status signal" if section == "signals" else "a point"
                yield Finding(
                    (section, name, key),
                    f"`{key}` says how a command is written; {name} is {what}, read from the "
                    f"PLC: remove `{key}`",
                    name if section == "signals" else None,
                )


def _set(m: SignalMapping, keys: tuple[str, ...]) -> list[str]:
    return [k for k in keys if k in m.model_fields_set]


def _command(
    profile: Profile, spec: SignalSpec, m: SignalMapping, start: ExpressionStart | None
) -> Iterator[Finding]:
    path: Path = ("signals", spec.name)
    name = spec.name

    def finding(key: str, message: str) -> Finding:
        return Finding((*path, key), message, name)

    if method_of(m) is not None:
        return  # the method rules refuse every field a call does not take
    yield from _magnitude(profile, name, m, finding)
    yield from _echo(profile, name, m, finding)
    mode = m.write
    if name == "sup.heartbeat" and mode != "every_scan":
        yield finding("write", 'sup.heartbeat changes every scan and the PLC watchdog watches '
                      'it: write = "every_scan" (or leave `write` out)')  # fmt: skip
        return
    if (spec.kind is not Kind.BOOL and mode == "pulse") or (
        mode == "request" and spec.kind is not Kind.BOOL and name != "spreader.size_ref"
    ):
        yield finding("write", f'{name} is a {spec.kind.value}: write = "every_scan" or '
                      '"on_change" (a pulse or a request is for a bool command; the telescope '
                      'target may also be a request)')  # fmt: skip
        return
    yield from _misplaced(m, finding)
    if mode == "request" and m.ack is None and not m.cleared_by_plc:
        how = "" if spec.kind is not Kind.BOOL else ", or cleared_by_plc = true if it clears it"
        yield finding("write", f"a request waits for the PLC to take it over: add ack = "
                      f'"<expression true once taken over>"{how}')  # fmt: skip
    if m.cleared_by_plc and spec.kind is not Kind.BOOL:
        yield finding("cleared_by_plc", f"{name} is a {spec.kind.value} with no idle value to "
                      "clear to; remove cleared_by_plc and give an ack")  # fmt: skip
    if m.reason is not None and m.refused is None:
        yield finding("reason", 'a reason is read when the PLC refuses: add refused = '
                      '"<expression true when refused>"')  # fmt: skip
    if m.reason_texts and m.reason is None:
        yield finding("reason_texts", 'reason_texts word the refusal reason: add reason = '
                      '"<point giving the code>"')  # fmt: skip
    yield from _expressions(profile, m, path, start)
    if m.cleared_by_plc:
        yield from _alone(profile, name, m, finding)


def _magnitude(
    profile: Profile, name: str, m: SignalMapping, finding: Callable[[str, str], Finding]
) -> Iterator[Finding]:
    if not m.magnitude:
        return
    axis = name.removesuffix(".speed_ref")
    if axis == name or axis not in DIRECTION_COMMANDS:
        yield finding("magnitude", "magnitude is for a speed reference (gantry.speed_ref, "
                      f"trolley.speed_ref, hoist.speed_ref), not {name}: remove it")  # fmt: skip
        return
    missing = [d for d in DIRECTION_COMMANDS[axis] if d not in profile.signals]
    if missing:
        yield finding("magnitude", f"{name} is written without its sign, so the PLC takes the "
                      f"direction from {' and '.join(DIRECTION_COMMANDS[axis])}: map "
                      f"{' and '.join(missing)} too, or remove magnitude")  # fmt: skip


def _echo(
    profile: Profile, name: str, m: SignalMapping, finding: Callable[[str, str], Finding]
) -> Iterator[Finding]:
    if m.echo is None:
        return
    if name != "sup.heartbeat":
        yield finding("echo", f"echo is for sup.heartbeat (the watchdog's life sign), not {name}: "
                      "remove it")  # fmt: skip
        return
    known = input_kinds(profile)
    if m.echo not in known:
        yield finding("echo", f"echo names {m.echo!r}, which is neither a status signal this "
                      "profile maps nor a point: give the PLC's life counter, e.g. "
                      'echo = "plc.heartbeat"')  # fmt: skip


def _misplaced(m: SignalMapping, finding: Callable[[str, str], Finding]) -> Iterator[Finding]:
    mode = m.write
    if "pulse_s" in m.model_fields_set and mode != "pulse":
        yield finding("pulse_s", f'pulse_s is the length of a pulse; set write = "pulse" or '
                      f"remove pulse_s (write is {mode!r})")  # fmt: skip
    if not m.handshake:
        for key in _set(m, _HANDSHAKE_FIELDS):
            yield finding(key, f'`{key}` belongs to a handshake: set write = "request" (or '
                          f'"pulse") or remove `{key}` (write is {mode!r})')  # fmt: skip
    if m.cleared_by_plc and mode != "request":
        yield finding("cleared_by_plc", 'a PLC clears a request it takes over: set write = '
                      '"request" or remove cleared_by_plc')  # fmt: skip


def _expressions(
    profile: Profile, m: SignalMapping, path: Path, start: ExpressionStart | None
) -> Iterator[Finding]:
    known = input_kinds(profile)
    for key, kind in _EXPRESSIONS.items():
        text = getattr(m, key)
        if text is None:
            continue
        where = (*path, key)
        first = start(where) if start is not None else None
        parsed = check(text, known)
        if isinstance(parsed, ExpressionProblem):
            why = f"{parsed.message} (it reads [points] and the status signals this profile maps)"
            yield Finding(where, f"{_column(first, parsed.column)}: {why}", path[1])
        elif isinstance(parsed, Expression) and parsed.kind is not kind:
            want = "true or false" if kind is ExpressionKind.BOOL else "a number (the code)"
            yield Finding(where, f"{_column(first, 1)}: `{key}` must give {want}, but "
                          f"{text!r} gives a {parsed.kind}", path[1])  # fmt: skip


def _column(first: int | None, column: int) -> str:
    return f"column {column} of the expression" if first is None else f"column {first + column - 1}"


def _alone(
    profile: Profile, name: str, m: SignalMapping, finding: Callable[[str, str], Finding]
) -> Iterator[Finding]:
    key = place_key(name, m)
    for other, om in profile.signals.items():
        spec = SIGNALS.get(other)
        if other == name or spec is None or not spec.is_command or method_of(om) is not None:
            continue
        if place_key(other, om) == key:
            yield finding("cleared_by_plc", f"{other} ({_part(om)}) shares {m.word()} with this "
                          f"request ({_part(m)}), so writing it would set the request again "
                          "after the PLC cleared it; give the request a register or node of its "
                          "own, or an ack instead of cleared_by_plc")  # fmt: skip
            return


def _part(m: SignalMapping) -> str:
    """Which part of its register or node ``m`` is: ``bit 1``, ``[2] bit 0``, ``all of it``."""
    return m.place().removeprefix(m.word()).strip() or "all of it"
