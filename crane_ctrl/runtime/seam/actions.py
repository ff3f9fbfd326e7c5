"""The station's actions a client may ask for by name, with their arguments' and result's types.

Each action is a :class:`~crane_ctrl.runtime.station.CraneStation` method that takes the
:class:`~crane_ctrl.runtime.station.User` first; its other parameters and its return type are
read from the method's hints, so the wire forms (:mod:`.wire`) follow the station's own
signatures. Only the names in :data:`ACTION_NAMES` cross the seam.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crane_ctrl.errors import SeamError
from crane_ctrl.runtime.seam.wire import decoder, encoder
from crane_ctrl.runtime.station import CraneStation

__all__ = ["ACTION_NAMES", "Action", "action"]

ACTION_NAMES = (
    "add_job", "cancel_job", "set_down",
    "pack", "set_mode", "reset",
    "jog", "stop_jog", "lock", "unlock", "telescope", "confirm_landing",
    "acknowledge", "shelve", "unshelve", "set_out_of_service",
    "bypass", "end_bypass", "probe_profile", "swap_profile",
    "note_refusal",
    "sim_faults", "inject_fault", "clear_fault",
)  # fmt: skip
"""Every operator action of the station, by its method name."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    hint: Any
    keyword_only: bool
    optional: bool


@dataclass(frozen=True, slots=True)
class Action:
    """One action: its parameters after the user, and what it returns."""

    name: str
    params: tuple[Param, ...]
    result: Any

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.keyword_only)

    def encode_args(
        self, args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        """The arguments (after the user) as JSON; ``TypeError`` if they do not fit."""
        positional = self.positional
        if len(args) > len(positional):
            raise TypeError(f"{self.name} takes {len(positional)} arguments after the user")
        by_name = {p.name: p for p in self.params}
        unknown = set(kwargs) - set(by_name)
        if unknown:
            raise TypeError(f"{self.name} has no argument {', '.join(sorted(unknown))}")
        out = [encoder(p.hint)(a) for p, a in zip(positional, args, strict=False)]
        return out, {k: encoder(by_name[k].hint)(v) for k, v in kwargs.items()}

    def decode_args(
        self, args: Sequence[Any], kwargs: Mapping[str, Any], where: str
    ) -> tuple[list[Any], dict[str, Any]]:
        """The arguments from JSON; :class:`SeamError` naming the one that does not fit."""
        positional = self.positional
        by_name = {p.name: p for p in self.params}
        if len(args) > len(positional) or set(kwargs) - set(by_name):
            raise SeamError(f"{where}: {self.name} takes {self._signature()}")
        given = {p.name for p in positional[: len(args)]} | set(kwargs)
        missing = [p.name for p in self.params if not p.optional and p.name not in given]
        if missing:
            raise SeamError(f"{where}: {self.name} needs {', '.join(missing)}")
        out = [
            decoder(p.hint)(a, f"{where} {p.name}") for p, a in zip(positional, args, strict=False)
        ]
        named = {k: decoder(by_name[k].hint)(v, f"{where} {k}") for k, v in kwargs.items()}
        return out, named

    def encode_result(self, value: Any) -> Any:
        return encoder(self.result)(value)

    def decode_result(self, value: Any, where: str) -> Any:
        return decoder(self.result)(value, where)

    def _signature(self) -> str:
        names = [p.name if not p.optional else f"[{p.name}]" for p in self.params]
        return f"({', '.join(names)})" if names else "no arguments after the user"


@functools.cache
def action(name: str) -> Action:
    """The action called ``name``; :class:`SeamError` for a name not in :data:`ACTION_NAMES`."""
    if name not in ACTION_NAMES:
        raise SeamError(f"no action {name!r}; the station's actions: {', '.join(ACTION_NAMES)}")
    method = getattr(CraneStation, name)
    hints = typing.get_type_hints(method)
    params = list(inspect.signature(method).parameters.values())[2:]  # after self and the user
    return Action(
        name,
        tuple(
            Param(
                p.name,
                hints[p.name],
                keyword_only=p.kind is p.KEYWORD_ONLY,
                optional=p.default is not p.empty,
            )
            for p in params
        ),
        hints.get("return", type(None)),
    )
