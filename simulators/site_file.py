"""A simulator site file: the crane, the site under it, and what stands where at the start.

```toml
[crane]                 # CraneParams overrides (rated speeds, SWL, lift height, the shortest
                        # rope min_rope_length_m, wind limits wind_prealarm/stop/storm_mps ...)
[site]                  # SiteLayout overrides: name; [[site.truck_lanes]], [[site.agv_lanes]]
                        # (id, y_m, x_min_m, x_max_m, stop_x_m, stop_x_20ft_m ..., deck_*;
                        # listing lanes of either kind replaces every default lane);
[site.stack]            # a bay grid (bays, rows, pitches, origin) and/or named slots:
                        # [[site.stack.slots]] (name, x_m, y_m, sizes) and
                        # [[site.stack.slot_rows]] (name, y_m, x_m = [...], sizes, names)
[start]                 # where the crane stands: gantry_m, trolley_m, hoist_m, spreader_ft
[[containers]]          # id, size_ft, mass_t, slot = "truck:T1" | "agv:A1" |
                        # "stack:BAY:ROW:TIER" | "stack:NAME:TIER"; high_cube
[[vehicles]]            # area = "truck" | "agv", lane, optional x_m or for_size_ft (empty ones)
```

The format for maintenance engineers: ``simulators/sites/README.md``. Crane and site are
configuration of their own, separate from the PLC profile: the same crane may get a new PLC, and
one PLC type serves many sites. Every problem is located (``file:line key.path: problem; fix``):
the schema, then what needs more than one table: every lane and slot within the crane's reach,
every container's slot on the site and taking its size, every vehicle in a lane of the site,
the crane able to lift a box over its yard, and the yard able to be laid out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crane_ctrl.config.file import Finding, located, parse_model, read_text
from crane_ctrl.config.file_kinds import SITE
from crane_ctrl.config.toml_lines import key_lines
from crane_ctrl.crane import CraneParams, not_used
from crane_ctrl.errors import SettingsError
from crane_ctrl.interlocks.catalogue import InterlockSettings
from crane_ctrl.operation.yard_model import Box, YardModel
from crane_ctrl.site import SiteLayout, Slot, parse_slot
from simulators.personality import PlcPersonality
from simulators.plc_logic import PlcParams
from simulators.simulator import CraneSimulator
from simulators.sway_sensor import SwaySensor
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
    """Where its deck centre stands; default: its lane's stop (for ``for_size_ft``)."""
    for_size_ft: Literal[20, 40, 45] | None = None
    """The container size an empty vehicle comes for: it stands at its lane's stop for it."""

    def stands_at(self, site: SiteLayout) -> float | None:
        """Its deck centre x, m, when given or set by ``for_size_ft`` (else the lane's stop)."""
        if self.x_m is not None or self.for_size_ft is None:
            return self.x_m
        return site.lane(self.area, self.lane).stop_x(self.for_size_ft)


class SiteFile(BaseModel):
    """Everything a simulator needs besides the PLC profile."""

    model_config = _STRICT

    crane: CraneParams = Field(default_factory=CraneParams)
    site: SiteLayout = Field(default_factory=SiteLayout)
    start: StartPose = Field(default_factory=StartPose)
    containers: list[ContainerEntry] = Field(default_factory=list)
    vehicles: list[VehicleEntry] = Field(default_factory=list)

    @field_validator("crane")
    @classmethod
    def _only_figures_in_use(cls, crane: CraneParams) -> CraneParams:
        """A ``[crane]`` figure nothing reads is refused at its key
        (:data:`~crane_ctrl.crane.NOT_USED`)."""
        problems = not_used(crane)
        if problems:
            raise SettingsError(problems)
        return crane

    def contents(self) -> YardContents:
        return YardContents(
            containers=tuple(c.spec() for c in self.containers),
            vehicles=tuple(
                VehicleSpec(v.area, v.lane, v.stands_at(self.site)) for v in self.vehicles
            ),
        )

    def simulator(
        self,
        plc_params: PlcParams | None = None,
        personality: PlcPersonality | None = None,
        *,
        sway_sensor: SwaySensor | None = None,
    ) -> CraneSimulator:
        """A fresh simulator of this site (``ValueError`` if the yard cannot be laid out);
        ``sway_sensor``: what its sway sensor reads (default: the true offset)."""
        s = self.start
        return CraneSimulator(
            self.crane,
            self.site,
            self.contents(),
            plc_params=plc_params,
            personality=personality,
            gantry_m=s.gantry_m,
            trolley_m=s.trolley_m,
            hoist_m=s.hoist_m,
            spreader_ft=s.spreader_ft,
            sway_sensor=sway_sensor,
        )


def load_site(path: str | Path = DEFAULT_SITE) -> SiteFile:
    """Load and check a site file, including that its lanes and slots lie within the crane's
    reach, that each container's slot and each vehicle's lane exist on the site, that its yard can
    really be laid out and that its crane can lift a box clear over the highest obstacle of its
    site (what the supervisor's travel-height interlock needs)."""
    path = Path(path)
    text = read_text(path)
    site = parse_model(text, str(path), SiteFile, SITE)
    findings = [*_reach_findings(site), *_container_findings(site), *_vehicle_findings(site)]
    findings += _lift_findings(site)
    if findings:
        raise located(str(path), key_lines(text), findings)
    try:
        site.simulator()
    except ValueError as exc:
        raise located(str(path), key_lines(text), [_layout_finding(site, str(exc))]) from None
    return site


def _layout_finding(site: SiteFile, problem: str) -> Finding:
    """The yard cannot be laid out: at the container the simulator names, if it names one."""
    named = [i for i, c in enumerate(site.containers) if f"place container {c.id} " in problem]
    key = ("containers", str(named[0]), "slot") if named else ("containers",)
    return Finding(key, f"the yard cannot be laid out: {problem}")


def _reach_findings(site: SiteFile) -> list[Finding]:
    crane = site.crane
    reach = f"gantry 0..{crane.gantry_travel_m} m, trolley 0..{crane.trolley_travel_m} m"
    fix = "move it, or correct [crane] gantry_travel_m, span_m or cantilever_m"
    return [
        Finding(("site", *key), f"{what} lies outside the crane's reach ({reach}); {fix}")
        for key, what in site.site.reach_problems(crane.gantry_travel_m, crane.trolley_travel_m)
    ]


def _container_findings(site: SiteFile) -> list[Finding]:
    findings = []
    for i, c in enumerate(site.containers):
        try:
            site.site.check_slot(parse_slot(c.slot), c.size_ft)
        except (KeyError, ValueError) as exc:
            findings.append(Finding(("containers", str(i), "slot"), str(exc.args[0])))
    return findings


def _vehicle_findings(site: SiteFile) -> list[Finding]:
    findings = []
    for i, v in enumerate(site.vehicles):
        try:
            lane = site.site.lane(v.area, v.lane)
        except KeyError as exc:
            findings.append(Finding(("vehicles", str(i), "lane"), str(exc.args[0])))
            continue
        x = v.stands_at(site.site)
        if x is not None and not lane.x_min_m <= x <= lane.x_max_m:
            key = "x_m" if v.x_m is not None else "for_size_ft"
            findings.append(Finding(
                ("vehicles", str(i), key),
                f"a vehicle at x {x} m is outside lane {lane.id} "
                f"(x {lane.x_min_m}..{lane.x_max_m} m)",
            ))  # fmt: skip
    return findings


def _lift_findings(site: SiteFile) -> list[Finding]:
    crane = site.crane
    try:
        InterlockSettings.from_params(crane, site.site)
    except ValueError as exc:
        if crane.hoist_highest_m < crane.lift_height_m:
            key, fix = "min_rope_length_m", "shorten [crane] min_rope_length_m if the ropes allow"
        else:
            key, fix = "lift_height_m", "raise [crane] lift_height_m"
        fix += ", or lower what stands highest ([site.stack] max_tiers)"
        return [Finding(("crane", key), f"{exc}; {fix}")]
    return []


def yard_model_of(site_file: SiteFile) -> YardModel:
    """The supervisor's yard inventory for a simulator site file (what a TOS would supply),
    each vehicle where the file puts it."""
    boxes = [
        Box(c.id, c.size_ft, parse_slot(c.slot), c.mass_t, c.high_cube)
        for c in site_file.containers
    ]
    vehicles = [Slot(v.area, lane=v.lane) for v in site_file.vehicles]
    stands = {v.lane: v.stands_at(site_file.site) for v in site_file.vehicles}
    given = {lane: x for lane, x in stands.items() if x is not None}
    return YardModel(site_file.site, boxes, vehicles, vehicle_x=given)
