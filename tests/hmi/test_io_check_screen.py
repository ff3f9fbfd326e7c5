"""I/O check: the profile's points in a table of their own, under the signals, with address, raw,
value with unit (or the code's text), quality and what each means; a profile without points
shows no such table."""

from __future__ import annotations

from textual.widgets import DataTable

from crane_ctrl.testing import StationRig
from hmi.screens.io_check import IO_REFRESH_EVERY
from hmi.widgets.text_line import TextLine
from tests.hmi.conftest import GENERIC, PROFILES, Hmi, hmi_on

SWAY_ANGLE = PROFILES / "generic-modbus-sway-angle.toml"


async def repaint(hmi: Hmi) -> None:
    """Enough refreshes for the I/O tables to repaint once."""
    for _ in range(IO_REFRESH_EVERY):
        await hmi.step()


def cells(table: DataTable[str], key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


async def test_io_check_shows_the_points_with_value_unit_quality_and_text() -> None:
    async with StationRig(SWAY_ANGLE) as rig, hmi_on(rig, rig.operator, size=(160, 50)) as hmi:
        await hmi.press("6")
        await repaint(hmi)
        assert hmi.screen.NAME == "io"
        points = hmi.screen.query_one("#io-points", DataTable)
        assert points.display
        assert hmi.text("#io-points-title").startswith("7 points of the PLC: no canonical signals")
        name, place, raw, value, quality, text = cells(points, "rope_length_m")
        assert (name, place, quality, text) == (
            "rope_length_m", "input 16", "good", "rope length, sheaves to twistlocks"
        )  # fmt: skip
        rope = rig.view.supervisor.snapshot.point("rope_length_m").value
        assert isinstance(rope, float)
        assert value == f"{rope:.3f} m"
        assert raw == f"0x{round(rope * 1000):04X}"
        reason = cells(points, "refusal_reason")
        assert reason[1:5] == ["input 17 bits 8-11", "0", "0 (none)", "good"]
        assert cells(points, "plc_wind_trip")[3] == "false"
        signals = hmi.screen.query_one("#io", DataTable)
        assert "rope_length_m" not in {str(row.value) for row in signals.rows}

        rig.sim.faults.inject("force_raw", signal="refusal_reason", raw=3)
        rig.sim.faults.inject("force_raw", signal="plc_wind_trip", raw=1)
        await repaint(hmi)
        assert cells(points, "refusal_reason")[2:4] == ["3", "3 (wind too high)"]
        assert cells(points, "plc_wind_trip")[2:5] == ["1", "true", "good"]
        assert "PLC_WIND_TRIP" in hmi.screen.query_one("#banner", TextLine).plain


async def test_io_check_of_a_profile_without_points_shows_no_points_table() -> None:
    async with StationRig(GENERIC) as rig, hmi_on(rig, rig.operator) as hmi:
        await hmi.press("6")
        await repaint(hmi)
        assert not hmi.screen.query_one("#io-points", DataTable).display
        assert not hmi.screen.query_one("#io-points-title", TextLine).display
        assert hmi.screen.query_one("#io", DataTable).row_count > 50
