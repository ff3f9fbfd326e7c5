"""Every error crane-ctrl raises on purpose, drawn as one tree.

```
CraneCtrlError                 base: a message a person can act on, never a traceback
 +-- ConfigError               a configuration file cannot be used: one or more located
 |    |                        problems, each naming file, line, key path and the fix
 |    +-- ProfileError         ... and that file is a PLC profile
 +-- CodecError                a value cannot cross between raw PLC data and engineering units
 |    +-- DecodeError          raw data that means nothing (unmapped code, NaN, wrong length)
 |    +-- EncodeError          an engineering value that does not fit the PLC's place
 +-- LinkError                 a request to the PLC failed (links turn these into results)
      +-- LinkLost             the connection is gone
      +-- NoReply              the PLC did not answer in time
      +-- PlcRefused           the PLC answered with an error (e.g. a Modbus exception)
```

Messages name the thing and the value, e.g.
``generic.toml:41 signals."hoist.postion": unknown signal; did you mean "hoist.position"?``.
The CLI prints ``str(error)`` and exits with code 2; nothing below it prints tracebacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CodecError",
    "ConfigError",
    "CraneCtrlError",
    "DecodeError",
    "EncodeError",
    "LinkError",
    "LinkLost",
    "NoReply",
    "PlcRefused",
    "Problem",
    "ProfileError",
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
