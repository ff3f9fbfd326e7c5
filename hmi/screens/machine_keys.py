"""Keys for the machine's PackML commands and the operating mode, shared by several screens."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from crane_ctrl.operation.machine import Mode, PackCommand
from hmi.console import Console
from hmi.screens.choice import ChoiceModal
from hmi.screens.confirm import ConfirmModal

__all__ = ["MACHINE_BINDINGS", "PACKML_BINDINGS", "MachineKeys"]

PACKML_BINDINGS: list[BindingType] = [
    Binding("r", "machine('reset')", "reset"),
    Binding("s", "machine('start')", "start"),
    Binding("h", "machine('hold')", "hold"),
    Binding("u", "machine('unhold')", "unhold"),
    Binding("t", "machine('stop')", "stop"),
    Binding("c", "machine('clear')", "clear"),
    Binding("ctrl+x", "machine('abort')", "abort"),
]
"""The PackML commands' keys, the same on the local HMI and the operations centre's."""
MACHINE_BINDINGS: list[BindingType] = [
    *PACKML_BINDINGS,
    Binding("d", "set_down", "set down"),
    Binding("m", "mode", "mode"),
]


class MachineKeys:
    """Mixin for a screen: the actions of :data:`MACHINE_BINDINGS`."""

    hmi: Console

    async def action_machine(self, command: str) -> None:
        """A PackML command at once; ABORT (drives off at once, the load where it is) only once
        the operator confirms it. STOP never asks: a stop is never delayed."""
        if command != PackCommand.ABORT.value:
            await self.hmi.pack(PackCommand(command))
            return
        hmi = self.hmi

        async def confirmed(yes: bool | None) -> None:
            if yes:
                await hmi.pack(PackCommand.ABORT)
            else:
                hmi.say("abort not sent")

        await hmi.ask("abort", ConfirmModal("ABORT the machine?", "References zero and drives off "
                      "at once; CLEAR, then RESET to go on. STOP (t) ramps down instead."),
                      confirmed)  # fmt: skip

    async def action_set_down(self) -> None:
        """STOPPED with an interrupted job: send its box down to a legal place below it (START
        then carries it out)."""
        await self.hmi.act("set down planned: START to carry it out",
                           self.hmi.bridge.station.set_down)  # fmt: skip

    async def action_mode(self) -> None:
        hmi = self.hmi

        async def chosen(mode: Mode | None) -> None:
            if mode is not None:
                await hmi.act(f"mode {mode.name}", hmi.bridge.station.set_mode, mode)

        options = [(f"{m.name}", m) for m in Mode]
        await hmi.ask("mode", ChoiceModal("Operating mode (machine STOPPED, IDLE or ABORTED)",
                                          options), chosen)  # fmt: skip
