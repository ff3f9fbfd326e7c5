"""A simulator site file: the crane, the site under it, and what stands where at the start.

```toml
[crane]                 # CraneParams overrides (rated speeds, SWL, ...); optional
[site]                  # SiteLayout overrides (lanes, stack block); optional
[start]                 # where the crane stands: gantry_m, trolley_m, hoist_m, spreader_ft
[[containers]]          # id, size_ft, mass_t, slot = "truck:T1" | "agv:A1" | "stack:BAY:ROW:TIER"
[[vehicles]]            # area = "truck" | "agv", lane, optional x_m (empty vehicles)
```

Crane and site are configuration of their own, separate from the PLC profile: the same crane may
get a new PLC, and one PLC type serves many sites.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crane_ctrl.config.file import Finding, located, parse_model, read_text
from crane_ctrl.config.toml_lines import key_lines
from crane_ctrl.crane import CraneParams
from crane_ctrl.errors import ConfigError, Problem
from crane_ctrl.interlocks.catalogue import InterlockSettings
from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.site import SiteLayout, Slot, parse_slot
from simulators.plc_logic import PlcParams
from simulators.simulator import CraneSimulator
from simulators.yard import ContainerSpec, VehicleSpec, YardContents

__all__ = ["DEFAULT_SITE", "SiteFile", "load_site", "parse_slot", "yard_model_of"]

DEFAULT_SITE = Path(__file__).resolve().parent / "sites" / "border-gate.toml"
"""The shipped default: a border-gate ARMG with trucks, an AGV and a part-filled stack."""

_STRICT = ConfigDict(strict=True, frozen=True, extra="forbid")


class StartPose(BaseModel):
    model_config = _STRICT

    gantry_m: float = 30.0
    trolley_m: float = 10.0
    hoist_m: float = 15.0
    spreader_ft: Literal[20, 40, 45] = 40


class ContainerEntry(BaseModel):
    model_config = _STRICT

    id: Annotated[str, Field(min_length=1)]
    size_ft: Literal[20, 40, 45]
    mass_t: Annotated[float, Field(gt=0, le=60)]
    slot: str
    high_cube: bool = False

    @field_validator("slot")
    @classmethod
    def _slot_syntax(cls, value: str) -> str:
        parse_slot(value)
        return value

    def spec(self) -> ContainerSpec:
        return ContainerSpec(
            self.id, self.size_ft, self.mass_t, parse_slot(self.slot), self.high_cube
        )


class VehicleEntry(BaseModel):
    model_config = _STRICT

    area: Literal["truck", "agv"]
    lane: Annotated[str, Field(min_length=1)]
    x_m: float | None = None


class SiteFile(BaseModel):
    """Everything a simulator needs besides the PLC profile."""

    model_config = _STRICT

    crane: CraneParams = Field(default_factory=CraneParams)
    site: SiteLayout = Field(default_factory=SiteLayout)
    start: StartPose = Field(default_factory=StartPose)
    containers: list[ContainerEntry] = Field(default_factory=list)
    vehicles: list[VehicleEntry] = Field(default_factory=list)

    def contents(self) -> YardContents:
        return YardContents(
            containers=tuple(c.spec() for c in self.containers),
            vehicles=tuple(VehicleSpec(v.area, v.lane, v.x_m) for v in self.vehicles),
        )

    def simulator(self, plc_params: PlcParams | None = None) -> CraneSimulator:
        """A fresh simulator of this site (``ValueError`` if the yard cannot be laid out)."""
        s = self.start
        return CraneSimulator(
            self.crane,
            self.site,
            self.contents(),
            plc_params=plc_params,
            gantry_m=s.gantry_m,
            trolley_m=s.trolley_m,
            hoist_m=s.hoist_m,
            spreader_ft=s.spreader_ft,
        )


def load_site(path: str | Path = DEFAULT_SITE) -> SiteFile:
    """Load and check a site file, including that its yard can really be laid out and that its
    crane can lift a box clear over the highest obstacle of its site (what the supervisor's
    travel-height interlock needs)."""
    path = Path(path)
    text = read_text(path)
    site = parse_model(text, str(path), SiteFile)
    try:
        InterlockSettings.from_params(site.crane, site.site)
    except ValueError as exc:
        fix = "raise [crane] lift_height_m, or lower what stands highest ([site.stack] max_tiers)"
        finding = Finding(("crane", "lift_height_m"), f"{exc}; {fix}")
        raise located(str(path), key_lines(text), [finding]) from None
    try:
        site.simulator()
    except ValueError as exc:
        raise ConfigError([Problem(str(path), None, "containers", f"{exc}")]) from None
    return site


def yard_model_of(site_file: SiteFile) -> YardModel:
    """The supervisor's yard inventory for a simulator site file (what a TOS would supply)."""
    boxes = [
        Box(c.id, c.size_ft, parse_slot(c.slot), c.mass_t, c.high_cube)
        for c in site_file.containers
    ]
    vehicles = [Slot(v.area, lane=v.lane) for v in site_file.vehicles]
    return YardModel(site_file.site, boxes, vehicles)
