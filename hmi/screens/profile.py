"""Profile: the loaded PLC profile; validate another, probe it and swap it in (maintenance,
stopped).

A bad file is rejected with its located error (file:line key: message) and the crane keeps the
profile and link it has. ``p`` probes the chosen file: a second link reads every signal once with
it, and the screen sets each signal's value and quality under the running profile beside the
probe's, differences and bad readings marked and listed first. ``w`` swaps it in; a swap whose
first scans go bad is rolled back by the station, and the message line says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Select

from crane_ctrl.errors import ConfigError
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.profile.shipped import shipped_profiles
from crane_ctrl.runtime.profile_trial import ProbeReport
from crane_ctrl.runtime.station import StationView
from crane_ctrl.signals import Value
from crane_ctrl.snapshot import Quality
from hmi.format import ABNORMAL
from hmi.screens.base import HmiScreen
from hmi.widgets.text_line import TextLine

__all__ = ["SWAP_TIMEOUT_S", "ProfileScreen", "probe_text", "profile_text", "verdict"]

SWAP_TIMEOUT_S = 30.0
"""A swap may serve or connect a new link (an OPC UA server takes seconds to start)."""


def profile_text(profile: Profile, path: Path | None) -> Text:
    meta = profile.profile
    if isinstance(profile, ModbusProfile):
        link = profile.link
        where = f"modbus {link.host}:{link.port} unit {link.unit_id}"
    else:
        where = f"opc ua {profile.link.endpoint}"
    out = Text(f"{meta.name} {meta.version} · {meta.vendor} {meta.plc_model}\n", "bold")
    out.append(f"file     {path or '(not from a file)'}\n")
    out.append(f"link     {where} (the demo and --plc may point elsewhere)\n")
    out.append(f"signals  {len(profile.signals)} mapped\n")
    if meta.description:
        out.append(f"about    {meta.description}\n", "dim")
    return out


def probe_text(report: ProbeReport, running: str) -> Text:
    """The probe side by side: signal, old value and quality, new value and quality, a mark
    (``≠`` a different value, ``!`` not good in the new); marked signals first."""
    out = Text(f"{report.summary()}\n", ABNORMAL if report.bad else "")
    out.append(
        f"  {'signal':<22} {'old: ' + running:<26} {'new: ' + report.profile_name}\n", "bold"
    )
    marked = [line for line in report.lines if line.differs or line.new_quality is not Quality.GOOD]
    for line in [*marked, *(line for line in report.lines if line not in marked)]:
        mark = "!" if line.new_quality is not Quality.GOOD else "≠" if line.differs else " "
        row = (f"{mark} {line.signal:<22} {_reading(line.old, line.old_quality):<26} "
               f"{_reading(line.new, line.new_quality)}")  # fmt: skip
        if line.new_reason:
            row += f": {line.new_reason}"
        out.append(row + "\n", ABNORMAL if mark != " " else "")
    return out


def _reading(value: Value | None, quality: Quality) -> str:
    if value is None:
        shown = "—"
    elif isinstance(value, float):
        shown = f"{value:.3f}"
    else:
        shown = str(value)
    return f"{shown} {quality}" if quality is Quality.GOOD else f"{shown} {quality.upper()}"


def verdict(path: Path) -> tuple[Text, bool]:
    """Validate ``path``: the OK line, or every located problem; and whether it is good."""
    try:
        profile = load_profile(path)
    except ConfigError as exc:
        out = Text(f"[!] {path} REJECTED\n", ABNORMAL)
        for problem in exc.problems:
            out.append(f"{problem}\n")
        return out, False
    return Text(f"OK {path}: {profile.name} {profile.profile.version}, "
                f"{len(profile.signals)} signals ({profile.protocol})"), True  # fmt: skip


class ProfileScreen(HmiScreen):
    NAME = "profile"
    AUTO_FOCUS = "#path"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "validate", "validate"),
        Binding("p", "probe", "probe (maint., STOPPED)"),
        Binding("w", "swap", "swap in (maint., STOPPED)"),
    ]

    def compose_body(self) -> ComposeResult:
        yield TextLine(id="loaded")
        yield Input(placeholder="a profile file's path (Enter validates, Esc leaves)", id="path")
        shipped = [(p.name, str(p)) for p in shipped_profiles()]
        yield Select(shipped, prompt="or a shipped profile", id="shipped")
        yield TextLine(id="verdict")
        yield TextLine(id="probe")

    @on(Input.Submitted, "#path")
    async def _typed(self) -> None:
        await self.action_validate()

    @on(Select.Changed, "#shipped")
    async def _picked(self) -> None:
        if not self.query_one("#path", Input).value.strip():
            await self.action_validate()

    def show_body(self, view: StationView) -> None:
        profile = self.hmi.bridge.station.profile
        self.query_one("#loaded", TextLine).show(profile_text(profile, view.profile_path))

    def chosen_path(self) -> Path | None:
        typed = self.query_one("#path", Input).value.strip()
        picked = self.query_one("#shipped", Select).value
        if typed:
            return Path(typed)
        return Path(picked) if isinstance(picked, str) else None

    async def _checked(self, what: str) -> tuple[Path, bool] | None:
        """The chosen file and whether it validates (shown); ``None`` if none is chosen (then
        ``what`` is refused)."""
        path = self.chosen_path()
        if path is None:
            await self.hmi.refuse(what, "choose a shipped profile or type a path first")
            return None
        text, good = verdict(path)
        self.query_one("#verdict", TextLine).show(text, abnormal=not good)
        return path, good

    async def action_validate(self) -> None:
        await self._checked("validate profile")

    async def action_probe(self) -> None:
        checked = await self._checked("probe profile")
        if checked is None or not checked[1]:
            return
        path = checked[0]
        station = self.hmi.bridge.station
        running = station.profile.name
        report = await self.hmi.act(f"probe of {path.name} read", station.probe_profile, path,
                                    timeout_s=SWAP_TIMEOUT_S)  # fmt: skip
        if isinstance(report, ProbeReport):
            self.query_one("#probe", TextLine).show(probe_text(report, running),
                                                    abnormal=bool(report.bad))  # fmt: skip
            lost = [line.signal for line in report.lines if line.lost]
            if lost:
                said = f"probe of {path.name}: {', '.join(lost)} not good in the new profile"
                self.hmi.say(f"{said} (marked !); a swap would be rolled back", refused=True)

    async def action_swap(self) -> None:
        checked = await self._checked("swap profile")
        if checked is None:
            return
        path, good = checked
        station = self.hmi.bridge.station
        profile = await self.hmi.act(f"profile {path.name} swapped in", station.swap_profile,
                                     path, timeout_s=SWAP_TIMEOUT_S)  # fmt: skip
        if profile is None and not good:
            self.hmi.say(f"{path} rejected; the crane keeps {station.profile.name}", refused=True)
