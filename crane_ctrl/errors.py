"""Every error crane-ctrl raises on purpose, drawn as one tree.

```
CraneCtrlError                 base: a message a person can act on, never a traceback
 +-- ConfigError               a configuration file cannot be used: one or more located
 |    |                        problems, each naming file, line, key path and the fix
 |    +-- ProfileError         ... and that file is a PLC profile
 +-- SettingsError             settings of one configuration model that do not fit together
 |                             (raised inside its validation; also a ValueError), each with the
 |                             key path below that model where the fix goes
 +-- CodecError                a value cannot cross between raw PLC data and engineering units
 |    +-- DecodeError          raw data that means nothing (unmapped code, NaN, wrong length)
 |    +-- EncodeError          an engineering value that does not fit the PLC's place
 +-- LinkError                 a request to the PLC failed (links turn these into results)
 |    +-- LinkLost             the connection is gone
 |    +-- NoReply              the PLC did not answer in time
 |    +-- PlcRefused           the PLC answered with an error (e.g. a Modbus exception)
 |    +-- SimulatedLinkError   the in-memory simulated PLC failed the request as injected:
 |         +-- NoAnswer        ... frozen (also a NoReply)
 |         +-- Disconnected    ... dropped (also a LinkLost)
 |         +-- ExceptionReply  ... a Modbus exception (also a PlcRefused)
 +-- CommandRefused            an operator command not allowed now, with every reason
 |    +-- JobRefused           a job that cannot be queued, cancelled or moved on
 |    +-- SessionRefused       an action whose session the station does not know (or expired)
 +-- LoginRefused              a wrong PIN or a role the roles file does not configure
 +-- SeamError                 a message on the station's seam that breaks its protocol
 |    +-- StationLost          the station cannot be reached over the seam (yet, or any more)
 +-- AlarmError                an alarm action or definition that cannot be carried out
 +-- JournalError              the journal file cannot be opened, read or written
 +-- FleetError                the fleet's Sparkplug B edge node cannot be set up as asked (a
 |    |                        broker URL, group or node id, or its store), naming the option
 |    +-- PayloadError         bytes that are no Sparkplug B payload, or a value its metric's
 |    |    |                   datatype cannot carry
 |    |    +-- OrderError      an operations-centre message (``Operator/...``) that breaks its
 |    |                        protocol: not JSON, a field missing or of the wrong kind
 |    +-- BrokerUnreachable    the operations centre cannot reach its MQTT broker at start
 |    +-- TosOrderError        a TOS job order that cannot be taken: the field and why (the
 |                             dispatcher answers it with a refused event, never raises it on)
 +-- FaultError                a simulator fault that cannot be injected as asked
 +-- PortInUse                 a server's port is taken: which port, and the flag that frees it
 +-- ConditionError            a rig condition that cannot be parsed (also a ValueError)
```

Each class is defined here; the modules that raise them re-export them where their callers
have always found them (``CommandRefused`` from :mod:`crane_ctrl.operation.machine`, ...).

Messages name the thing and the value, e.g.
``generic.toml:41 signals."hoist.postion": unknown signal; did you mean "hoist.position"?``.
The CLI prints ``str(error)`` and exits with code 2; nothing below it prints tracebacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AlarmError",
    "BrokerUnreachable",
    "ClientClosed",
    "CodecError",
    "CommandRefused",
    "ConditionError",
    "ConfigError",
    "CraneCtrlError",
    "DecodeError",
    "Disconnected",
    "EncodeError",
    "ExceptionReply",
    "FaultError",
    "FleetError",
    "JobRefused",
    "JournalError",
    "LinkError",
    "LinkLost",
    "LoginRefused",
    "NoAnswer",
    "NoReply",
    "OrderError",
    "PayloadError",
    "PlcRefused",
    "PortInUse",
    "Problem",
    "ProfileError",
    "RawUnfitError",
    "SafetyViolationError",
    "SeamError",
    "SessionRefused",
    "SettingsError",
    "SimulatedLinkError",
    "StationLost",
    "TosOrderError",
]


class CraneCtrlError(Exception):
    """Base of every deliberate crane-ctrl error."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in a configuration file."""

    file: str
    line: int | None
    """1-based line where the file gives the offending key, or ``None`` when it is not there."""
    path: str
    """TOML key path, e.g. ``signals."hoist.position".address``; empty for the whole file."""
    message: str
    """What is wrong and how to fix it."""
    signal: str | None = None
    """The canonical signal concerned, if any."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(CraneCtrlError):
    """A config file failed to load or validate; ``problems`` lists every problem, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("a ConfigError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self.problems[0]))

    @property
    def file(self) -> str:
        return self.problems[0].file

    def summary(self) -> str:
        """The first problem on one line, with a count of the others."""
        more = len(self.problems) - 1
        if more == 0:
            return str(self.problems[0])
        s = "s" if more > 1 else ""
        return f"{self.problems[0]} (+{more} more problem{s}; --all lists them)"


class ProfileError(ConfigError):
    """A PLC profile failed to load or validate."""


class SettingsError(CraneCtrlError, ValueError):
    """Settings of one configuration model that do not fit together, raised inside its
    validation: ``problems`` holds each as (key path below that model, what is wrong and the
    fix). A file loader appends the path to where the model stands in the file, so each problem
    is located at the key to change (see :func:`crane_ctrl.config.file.parse_model`)."""

    def __init__(self, problems: Sequence[tuple[tuple[str, ...], str]]) -> None:
        if not problems:
            raise ValueError("a SettingsError needs at least one problem")
        self.problems: tuple[tuple[tuple[str, ...], str], ...] = tuple(problems)
        super().__init__("; ".join(_at(path, message) for path, message in self.problems))


def _at(path: tuple[str, ...], message: str) -> str:
    return f"{'.'.join(path)}: {message}" if path else message


class CodecError(CraneCtrlError):
    """A value cannot be converted between raw PLC data and engineering units."""


class DecodeError(CodecError):
    """Raw data from the PLC that has no engineering meaning."""


class EncodeError(CodecError):
    """An engineering value that cannot be written to its PLC place."""


class LinkError(CraneCtrlError):
    """A request to the PLC failed."""


class LinkLost(LinkError):
    """The connection to the PLC is gone."""


class NoReply(LinkError):
    """The PLC did not answer in time."""


class PlcRefused(LinkError):
    """The PLC answered the request with an error."""


class SimulatedLinkError(LinkError):
    """The in-memory PLC failed the request as the injected link fault says."""


class NoAnswer(SimulatedLinkError, NoReply):
    """The PLC does not answer (frozen): a real client would time out."""


class Disconnected(SimulatedLinkError, LinkLost):
    """The connection was dropped; the next request connects again."""


class ExceptionReply(SimulatedLinkError, PlcRefused):
    """A Modbus exception response."""

    def __init__(self, code: int) -> None:
        super().__init__(f"Modbus exception {code}")
        self.code = code


class CommandRefused(CraneCtrlError):
    """A command that is not allowed now; ``reasons`` lists why, each naming the state."""

    def __init__(self, *reasons: str) -> None:
        if not reasons:
            raise ValueError("a CommandRefused needs at least one reason")
        self.reasons: tuple[str, ...] = reasons
        super().__init__("; ".join(reasons))


class JobRefused(CommandRefused):
    """A job that cannot be queued, cancelled or moved on; ``reasons`` says why."""


class SessionRefused(CommandRefused):
    """An action whose session the station does not know: never logged in, logged out,
    expired, or issued by a station that has restarted since. Log in again."""


class LoginRefused(CraneCtrlError):
    """A wrong PIN, an unknown role, or a role the roles file does not configure."""


class SeamError(CraneCtrlError):
    """A message on the station's seam (:mod:`crane_ctrl.runtime.seam`) that breaks its
    protocol: not JSON, an unknown type or action, a value that does not fit, a wrong version;
    the message names the place (``request 7 args[1]: expected a number, got 'x'``)."""


class StationLost(SeamError):
    """The station cannot be reached over the seam: not started yet, stopped, or gone."""


class ClientClosed(SeamError):
    """A client of the seam closed its end, or broke the protocol: the server ends that
    connection's tasks (never reaches the client)."""


class AlarmError(CraneCtrlError):
    """An alarm action or definition that cannot be carried out, said so an operator can act."""


class JournalError(CraneCtrlError):
    """The journal file cannot be opened, read or written; the message names the path."""


class FleetError(CraneCtrlError):
    """The Sparkplug B edge node cannot be set up as asked: the message names the option (or the
    store's path) and the fix. A broker that is away is no error: the node buffers and retries."""


class PayloadError(FleetError):
    """Bytes that are no Sparkplug B payload, or a value its metric's datatype cannot carry."""


class BrokerUnreachable(FleetError):
    """The operations centre (``crane-ctrl ops``) cannot reach its MQTT broker when it starts:
    the message names the broker, why, and the fix. Once it ran, a lost broker is no error: the
    centre shows every crane stale and connects again."""


class OrderError(PayloadError):
    """An operations-centre message (an ``Operator/...`` metric,
    :mod:`crane_ctrl.fleet.operator_wire`) that breaks its protocol: not JSON, a field missing
    or of the wrong kind; the message names the field (``Operator/Command args.size_ft: a whole
    number, not '40x'``)."""


class TosOrderError(FleetError):
    """A TOS job order (``crane-ctrl/tos/v1/BLOCK/orders``) that cannot be taken: :attr:`field`
    names the field at fault, :attr:`reason` says why (``size_ft``: ``one of 20, 40, 45, not
    30``). :mod:`crane_ctrl.fleet.tos_orders` turns it into a refused event for the TOS."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field or 'the message'}: {reason}")
        self.field, self.reason = field, reason


class FaultError(CraneCtrlError):
    """A fault that cannot be injected as asked (unknown name, bad parameter)."""


class PortInUse(CraneCtrlError):
    """A server cannot listen: its port is taken (another demo or simulator, most likely)."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", flag: str = "--port") -> None:
        self.port = port
        self.host = host
        self.flag = flag
        """The command-line flag that chooses another port (``--port``, ``--control-port``)."""
        super().__init__(f"port {port} is in use (another demo or simulator?): pass {flag} 0 "
                         "for any free port, or stop the other one")  # fmt: skip


class SafetyViolationError(CraneCtrlError):
    """A safety invariant broken during a safety-bench case: ends the case; ``violation`` holds
    what was broken, where and when (the bench's own record of it)."""

    def __init__(self, message: str, violation: object) -> None:
        super().__init__(message)
        self.violation = violation


class RawUnfitError(FaultError):
    """A raw value a PLC place cannot hold (the simulator's ``force_raw``), and what would
    fit; the caller adds the signal and the place."""


class ConditionError(CraneCtrlError, ValueError):
    """A condition that cannot be parsed; ``column`` is 1-based."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
