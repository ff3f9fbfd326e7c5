"""Every HMI screen as an SVG, at 80x24 and 120x40, with a job under way (for the docs and the
closing notes): ``.venv/bin/python scripts/screenshots.py [OUT_DIR]`` (default
``docs/screenshots``).

The station runs in lock-step against the bundled simulator: a truck-to-stack job is queued and
scanned until the box travels loaded, a wind gust is injected so that the alarm banner and the
interlock screen have something to say, and then each screen is drawn by Textual's own SVG export.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from crane_ctrl.runtime.bridge import DirectBridge
from crane_ctrl.site import Slot
from crane_ctrl.testing import StationRig
from hmi.app import CraneHmi
from hmi.screens.base import SCREEN_TITLES

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "plc_profiles" / "generic-modbus.toml"
SIZES = ((80, 24), (120, 40))


async def shoot() -> dict[str, str]:
    """Each screen's SVG at each size, by file name."""
    shots: dict[str, str] = {}
    async with StationRig(PROFILE) as rig:
        rig.station.add_job(rig.operator, Slot.truck("T1"), Slot.stack(7, 3, 1), 40)
        await rig.start_automatic()
        await rig.until(lambda v: v.step == "travel" and (v.progress or 0) > 0.45, within_s=200,
                        what="travelling loaded")  # fmt: skip
        rig.sim.faults.inject("wind", speed_mps=17.0)
        await rig.scan(40)
        for width, height in SIZES:
            app = CraneHmi(DirectBridge(rig.station), user=rig.operator, refresh_hz=None)
            async with app.run_test(size=(width, height)) as pilot:
                for number, (name, _) in enumerate(SCREEN_TITLES, start=1):
                    await pilot.press(str(number))
                    await pilot.pause()
                    app.refresh_view()
                    await pilot.pause()
                    title = f"{name} {width}x{height}"
                    shots[f"{number}-{name}-{width}x{height}.svg"] = app.export_screenshot(
                        title=title
                    )
    return shots


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for name, svg in asyncio.run(shoot()).items():
        (out / name).write_text(svg, encoding="utf-8")
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
