"""The HMI on a lock-step station: the test drives the scans, the app shows what they produced.

``Hmi`` bundles the app, its Pilot and the rig; ``hmi.step(n)`` runs n scans and refreshes the
screen; ``hmi.until(condition, within_s=...)`` scans (crane time, bounded) until the view agrees.
No sleeps: Pilot's ``pause`` lets the app process what the keys and refreshes queued.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from crane_ctrl.runtime.bridge import DirectBridge
from crane_ctrl.runtime.station import StationView, User
from crane_ctrl.testing import StationRig
from hmi.app import CraneHmi
from hmi.screens.base import HmiScreen

PROFILES = Path(__file__).resolve().parents[2] / "plc_profiles"
GENERIC = PROFILES / "generic-modbus.toml"


@dataclass
class Hmi:
    app: CraneHmi
    pilot: Pilot[None]
    rig: StationRig

    async def step(self, scans: int = 1) -> StationView:
        view = await self.rig.scan(scans)
        await self.show()
        return view

    async def show(self) -> None:
        await self.pilot.pause()
        self.app.refresh_view()
        await self.pilot.pause()

    async def until(
        self, condition: Callable[[StationView], bool], *, within_s: float, what: str = "it"
    ) -> StationView:
        view = await self.rig.until(condition, within_s=within_s, what=what)
        await self.show()
        return view

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.show()

    @property
    def screen(self) -> HmiScreen:
        screen = self.app.screen
        assert isinstance(screen, HmiScreen), screen
        return screen

    def text(self, selector: str) -> str:
        """The plain text of a TextLine on the screen in front."""
        from hmi.widgets.text_line import TextLine

        return self.screen.query_one(selector, TextLine).plain

    @property
    def message(self) -> str:
        return self.app.message[0].plain


@asynccontextmanager
async def hmi_on(
    rig: StationRig, user: User | None, *, size: tuple[int, int] = (100, 30),
    journal_path: Path | None = None,
) -> AsyncIterator[Hmi]:  # fmt: skip
    app = CraneHmi(DirectBridge(rig.station), user=user, journal_path=journal_path,
                   refresh_hz=None)  # fmt: skip
    async with app.run_test(size=size) as pilot:
        hmi = Hmi(app, pilot, rig)
        await hmi.show()
        yield hmi
