"""Keys for the machine's PackML commands and the operating mode, shared by several screens."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from crane_ctrl.operation.machine import Mode, PackCommand
from hmi.console import Console
from hmi.screens.choice import ChoiceModal

__all__ = ["MACHINE_BINDINGS", "MachineKeys"]

MACHINE_BINDINGS: list[BindingType] = [
    Binding("r", "machine('reset')", "reset"),
    Binding("s", "machine('start')", "start"),
    Binding("h", "machine('hold')", "hold"),
    Binding("u", "machine('unhold')", "unhold"),
    Binding("t", "machine('stop')", "stop"),
    Binding("c", "machine('clear')", "clear"),
    Binding("ctrl+x", "machine('abort')", "abort"),
    Binding("d", "set_down", "set down"),
    Binding("m", "mode", "mode"),
]


class MachineKeys:
    """Mixin for a screen: the actions of :data:`MACHINE_BINDINGS`."""

    hmi: Console

    async def action_machine(self, command: str) -> None:
        await self.hmi.pack(PackCommand(command))

    async def action_set_down(self) -> None:
        """STOPPED with an interrupted job: send its box down to a legal place below it (START
        then carries it out)."""
        await self.hmi.act("set down planned: START to carry it out",
                           self.hmi.bridge.station.set_down)  # fmt: skip

    def action_mode(self) -> None:
        hmi = self.hmi

        async def chosen(mode: Mode | None) -> None:
            if mode is not None:
                await hmi.act(f"mode {mode.name}", hmi.bridge.station.set_mode, mode)

        options = [(f"{m.name}", m) for m in Mode]
        hmi.push_screen(ChoiceModal("Operating mode (machine STOPPED, IDLE or ABORTED)", options),
                        chosen)  # fmt: skip
