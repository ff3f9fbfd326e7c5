"""The simulator's fault panel (demo and test rigs, maintenance only): inject and clear faults.

``f`` on the Comms screen (7), or "Simulator faults" in the command palette, opens it, but only
when the station knows a simulator fault channel (the demo's, a test rig's: a real PLC has none,
and then the palette has no such entry and the key says so) and only for a logged-in maintenance
user (anyone else gets the refusal on the message line, journaled by the station). The faults
and their parameters are the simulator's own catalogue, read through the station; every
injection and clearance is a station action
(:meth:`~crane_ctrl.runtime.station.CraneStation.inject_fault`, ``clear_fault``), which checks
the session and the role and journals it with the user. The station's call to the fault channel
has a deadline; a channel that is gone or refuses, and a parameter the simulator cannot take
(``speed_mps=lots``), come back as a refusal on the message line, shown in the panel too.

Keys: the list of faults first (arrows choose, Enter goes to its fields); Enter in a field, or
the Inject button, injects the chosen fault with the fields' text (an empty field takes the
parameter's default); ``c`` clears the fault chosen in the Active list, ``x`` clears them all,
``r`` reads them again, ``?`` lists the keys. Escape leaves a field, then closes. As everywhere,
no single-character key fires while a field or a button has the focus: it is typed, or does
nothing (and the HMI's own keys, 1..9, ``A``, ``L``, wait until the panel is closed).
"""

from __future__ import annotations

from typing import ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from crane_ctrl.errors import CraneCtrlError
from crane_ctrl.operation.machine import Role
from crane_ctrl.runtime.sim_faults import ActiveFault, FaultKind, FaultParam, SimFaults
from hmi.console import Console
from hmi.screens.base import in_form, letter_actions, typed_in_form
from hmi.widgets.text_line import TextLine

__all__ = ["MAX_PARAM_CHARS", "FaultPanel", "fault_channel", "open_fault_panel"]

MAX_PARAM_CHARS = 200
"""The longest text a parameter field takes (a request must stay a short line)."""
_NONE_ACTIVE = "none active"
_PANEL = "the simulator's fault panel"


def fault_channel(hmi: Console) -> str | None:
    """Where the station's simulator fault channel is (``HOST:PORT``), or ``None``: no
    simulator (a real PLC), or no station reached yet."""
    try:
        channel = hmi.bridge.station.fault_channel
    except CraneCtrlError:  # a station over the seam that has not said hello yet
        return None
    return None if channel is None else str(channel)


async def open_fault_panel(hmi: Console) -> None:
    """The fault panel, if the station has a fault channel and the user is maintenance; else
    why not, on the message line (and in the journal)."""
    channel = fault_channel(hmi)
    if channel is None:
        await hmi.refuse(_PANEL, f"{_PANEL}: this station supervises no simulator (no fault "
                         "channel): it is for the demo and test rigs")  # fmt: skip
        return
    if await hmi.require(Role.MAINTENANCE, _PANEL):
        hmi.push_screen(FaultPanel(channel))


def _kind_prompt(kind: FaultKind) -> Text:
    once = "" if kind.clears else " (acts once)"
    return Text.assemble((f"{kind.name:<17}", "bold"), f"{kind.help}{once}", no_wrap=True,
                         overflow="ellipsis")  # fmt: skip


def _active_prompt(fault: ActiveFault) -> Text:
    return Text.assemble((f"{fault.key:<22}", "bold"), fault.describe(), no_wrap=True,
                         overflow="ellipsis")  # fmt: skip


def _about(kind: FaultKind) -> str:
    if not kind.params:
        return f"{kind.name}: takes no parameters. Enter or Inject injects it."
    return f"{kind.name}: " + " · ".join(p.describe() for p in kind.params)


def _placeholder(param: FaultParam) -> str:
    return f"{param.name} (needed)" if param.required else f"{param.name}={param.default}"


class FaultPanel(ModalScreen[None]):
    """The simulator's faults: its catalogue with each fault's fields, and those active."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "leave the field, or close"),
        Binding("c", "clear_one", "clear the chosen active fault"),
        Binding("x", "clear_all", "clear all faults"),
        Binding("r", "reload", "read the faults again"),
        Binding("question_mark", "app.keys", "keys"),
    ]
    AUTO_FOCUS = "#kinds"

    def __init__(self, channel: str) -> None:
        super().__init__()
        self.channel = channel
        self.faults: SimFaults | None = None
        """The simulator's catalogue and active faults, as last read."""
        self.kind: FaultKind | None = None
        """The fault whose fields are shown."""
        self.fields: list[tuple[FaultParam, Input]] = []
        self._letters = letter_actions(self.BINDINGS)

    @property
    def hmi(self) -> Console:
        return cast(Console, self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No single-character key fires while a field or a button has the focus."""
        if typed_in_form(self._letters, action, parameters, self.focused):
            return False
        return super().check_action(action, parameters)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog faults"):
            yield Label(Text(f"Simulator faults · channel {self.channel} · demo and test rigs "
                             "only"), classes="caption")  # fmt: skip
            yield OptionList(id="kinds")
            yield Label("", id="about")
            yield Horizontal(id="fault-form")
            yield Label("Active: c clears the chosen one, x all, r reads again; Esc closes",
                        classes="caption")  # fmt: skip
            yield OptionList(id="active")
            yield TextLine(id="panel-message")

    async def on_mount(self) -> None:
        await self.reload("simulator faults read")

    # --- reading

    async def reload(self, done: str) -> None:
        """Read the catalogue and the active faults through the station (``done``: what the
        message line says when it could)."""
        faults = await self.hmi.act(done, self.hmi.bridge.station.sim_faults)
        if isinstance(faults, SimFaults):
            await self._show(faults)
        self._said()

    async def action_reload(self) -> None:
        await self.reload("simulator faults read again")

    async def _show(self, faults: SimFaults) -> None:
        first = self.faults is None
        self.faults = faults
        if first:
            kinds = self.query_one("#kinds", OptionList)
            kinds.set_options(Option(_kind_prompt(k), id=k.name) for k in faults.kinds)
            if faults.kinds:
                kinds.highlighted = 0
                await self._choose(faults.kinds[0])
        active = self.query_one("#active", OptionList)
        chosen = active.highlighted_option
        listed = [Option(_active_prompt(f), id=f.key) for f in faults.active]
        active.set_options(listed or [Option(_NONE_ACTIVE, disabled=True)])
        keys = [f.key for f in faults.active]
        if chosen is not None and chosen.id in keys:
            active.highlighted = keys.index(chosen.id)
        elif keys:
            active.highlighted = 0

    def _said(self) -> None:
        """The message line's outcome, in the panel too (the screen's own is under it)."""
        text, refused = self.hmi.message
        self.query_one("#panel-message", TextLine).show(text, abnormal=refused)

    # --- choosing a fault and its fields

    @on(OptionList.OptionHighlighted, "#kinds")
    async def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        kind = None if self.faults is None else self.faults.kind(event.option.id or "")
        if kind is not None and kind is not self.kind:
            await self._choose(kind)

    @on(OptionList.OptionSelected, "#kinds")
    def selected(self) -> None:
        """Enter on a fault: to its first field (or to Inject, when it takes none)."""
        target = self.fields[0][1] if self.fields else self.query_one("#inject", Button)
        target.focus()

    async def _choose(self, kind: FaultKind) -> None:
        self.kind = kind
        self.query_one("#about", Label).update(Text(_about(kind)))  # the simulator's: no markup
        form = self.query_one("#fault-form", Horizontal)
        await form.remove_children()
        self.fields = [
            (p, Input(placeholder=_placeholder(p), max_length=MAX_PARAM_CHARS, id=f"param-{i}"))
            for i, p in enumerate(kind.params)
        ]
        await form.mount(*(field for _, field in self.fields),
                         Button("Inject", id="inject", variant="warning"))  # fmt: skip

    # --- acting

    @on(Button.Pressed, "#inject")
    @on(Input.Submitted)
    async def inject(self) -> None:
        """Inject the chosen fault with the fields' text (empty: the default)."""
        kind = self.kind
        if kind is None:
            await self.hmi.refuse("inject fault", "inject fault: none chosen (the simulator's "
                                  "faults could not be read: r reads them again)")  # fmt: skip
            self._said()
            return
        params = {p.name: text[:MAX_PARAM_CHARS] for p, field in self.fields
                  if (text := field.value.strip())}  # fmt: skip
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        done = f"fault {kind.name} injected" + (f" ({shown})" if shown else "")
        key = await self.hmi.act(done, self.hmi.bridge.station.inject_fault, kind.name, params)
        if key is None:
            self._said()
            return
        for _, field in self.fields:
            field.value = ""
        await self.reload(done)

    async def action_clear_one(self) -> None:
        chosen = self.query_one("#active", OptionList).highlighted_option
        if chosen is None or chosen.id is None:
            await self.hmi.refuse("clear fault", "clear fault: no active fault chosen (x clears "
                                  "them all)")  # fmt: skip
            self._said()
            return
        await self._clear(chosen.id, f"fault {chosen.id} cleared")

    async def action_clear_all(self) -> None:
        await self._clear(None, "all simulator faults cleared")

    async def _clear(self, key: str | None, done: str) -> None:
        await self.hmi.act(done, self.hmi.bridge.station.clear_fault, key)
        if self.hmi.message[1]:  # refused: the message says why
            self._said()
            return
        await self.reload(done)

    def action_leave(self) -> None:
        """Out of a field to the list of faults; from the lists, close the panel."""
        if in_form(self.focused):
            self.query_one("#kinds", OptionList).focus()
        else:
            self.dismiss(None)
