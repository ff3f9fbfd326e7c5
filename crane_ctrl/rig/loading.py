"""Load a rig scenario: validate the file, resolve its profile and site, parse its conditions.

Every problem is located (``file:line key.path: problem; fix``) the way profiles and site files
are: pydantic's schema first, then the checks that need more than the schema: the fault
catalogue, the yard (a container must stand where a job collects it), the job queue's own
refusals, the interlock and alarm catalogues, the jobs that actions cancel, and the condition
parser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crane_ctrl.alarms.conditions import supervisor_alarms
from crane_ctrl.config.file import Finding, located, parse_model, read_text
from crane_ctrl.config.file_kinds import SCENARIO
from crane_ctrl.config.toml_lines import key_lines
from crane_ctrl.interlocks.evaluate import INTERLOCKS
from crane_ctrl.operation.jobs import JobQueue, JobRefused
from crane_ctrl.operation.machine import Mode
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.rig.conditions import Condition, ConditionError, Vocabulary, parse
from crane_ctrl.rig.scenario import RIG_FAULTS, FaultEntry, ScenarioFile
from crane_ctrl.rig.vocabulary import vocabulary
from crane_ctrl.site import SiteLayout, Slot, parse_slot, slot_text
from simulators.faults import FAULTS, FaultError, check_fault
from simulators.personality import PERSONALITIES, PlcPersonality
from simulators.personality_file import load_personality
from simulators.site_file import DEFAULT_SITE, ContainerEntry, SiteFile, load_site

__all__ = ["PROFILES_DIR", "Scenario", "load_scenario"]

REPO = Path(__file__).resolve().parents[2]
PROFILES_DIR = REPO / "plc_profiles"
"""Where a scenario's ``profile`` is looked for when it is not beside the scenario."""

Key = tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """A checked scenario, ready to run."""

    path: Path
    name: str
    spec: ScenarioFile
    profile_path: Path
    site: SiteFile
    """The site file with the scenario's yard changes applied."""
    personality: PlcPersonality
    """The simulated PLC's personality (``personality`` in the file)."""
    conditions: Mapping[Key, Condition]
    """Every condition of the file, parsed, by the key path that gives it."""
    job_sizes: Mapping[str, int]
    """Each job's container size, ft (given, or that of the box at its source)."""

    @property
    def mode(self) -> Mode:
        return Mode[self.spec.mode]

    def condition(self, *path: str | int) -> Condition:
        return self.conditions[tuple(str(p) for p in path)]


def load_scenario(path: str | Path) -> Scenario:
    """Load and check ``path``; :class:`~crane_ctrl.errors.ConfigError` lists every problem."""
    path = Path(path)
    text = read_text(path)
    spec = parse_model(text, str(path), ScenarioFile, SCENARIO)
    findings: list[Finding] = []
    profile = _resolve(path, spec.profile, ("profile",), (PROFILES_DIR,), findings)
    site = _site(path, spec, findings)
    personality = _personality(path, spec.personality, findings)
    sizes: dict[str, int] = {}
    if site is not None:
        findings += _job_findings(spec, site, sizes)
        findings += _fault_findings(spec.faults, site)
    conditions = _conditions(spec, vocabulary(j.id for j in spec.jobs), findings)
    findings += _expect_findings(spec, site)
    findings += _action_findings(spec)
    if findings:
        raise located(str(path), key_lines(text), findings)
    assert profile is not None
    assert site is not None
    assert personality is not None
    load_profile(profile)  # a broken profile is reported in its own file's terms
    name = spec.name or path.stem
    return Scenario(path, name, spec, profile, site, personality, conditions, sizes)


# --- files --------------------------------------------------------------------------------------


def _resolve(
    scenario: Path, given: str, key: Key, also: Sequence[Path], findings: list[Finding]
) -> Path | None:
    candidates = [scenario.parent / given, *(base / given for base in also)]
    for candidate in candidates:
        try:
            if candidate.is_file():
                return candidate
        except OSError as exc:  # e.g. a name longer than the file system allows
            reason = exc.strerror or str(exc)
            findings.append(Finding(key, f"not a usable file name ({reason}); give the path "
                                    "of a file beside the scenario"))  # fmt: skip
            return None
    tried = ", ".join(str(c) for c in candidates)
    findings.append(Finding(key, f"no such file (tried {tried}); give a path beside the scenario"))
    return None


def _personality(path: Path, given: str, findings: list[Finding]) -> PlcPersonality | None:
    """A preset by name, or a personality file beside the scenario (a mistake in it is
    reported in that file's own terms)."""
    if given.endswith(".toml"):
        found = _resolve(path, given, ("personality",), (), findings)
        return None if found is None else load_personality(str(found))
    if given not in PERSONALITIES:
        known = ", ".join(PERSONALITIES)
        findings.append(Finding(("personality",), f"no PLC personality {given!r}; use one of "
                                f"{known}, or a personality file (.toml)"))  # fmt: skip
        return None
    return PERSONALITIES[given]


def _site(path: Path, spec: ScenarioFile, findings: list[Finding]) -> SiteFile | None:
    if spec.site is None:
        site_path: Path | None = DEFAULT_SITE
    else:
        bases = (REPO, DEFAULT_SITE.parent)
        site_path = _resolve(path, spec.site, ("site",), bases, findings)
    if site_path is None:
        return None
    site = load_site(site_path)
    known = {c.id for c in site.containers}
    for i, cid in enumerate(spec.remove):
        if cid not in known:
            findings.append(Finding(("remove", str(i)), f"no container {cid!r} in the site"))
    containers = [c for c in site.containers if c.id not in spec.remove] + spec.containers
    changed = site.model_copy(
        update={
            "containers": containers,
            "vehicles": [*site.vehicles, *spec.vehicles],
            "start": spec.start or site.start,
        }
    )
    try:
        changed.simulator()
    except ValueError as exc:
        findings.append(Finding(("containers",), f"the yard cannot be laid out: {exc}"))
        return None
    return changed


# --- jobs and faults ----------------------------------------------------------------------------


def _job_findings(spec: ScenarioFile, site: SiteFile, sizes: dict[str, int]) -> list[Finding]:
    """Each job must find its box: the yard is followed through the jobs in order. Fills
    ``sizes`` with each job's container size."""
    findings: list[Finding] = []
    where: dict[Slot, ContainerEntry] = {parse_slot(c.slot): c for c in site.containers}
    queue = JobQueue(site.site, site.crane)
    for i, job in enumerate(spec.jobs):
        key: Key = ("jobs", str(i))
        source, to = parse_slot(job.from_slot), parse_slot(job.to)
        box = where.pop(source, None)
        if box is None:
            findings.append(
                Finding(
                    (*key, "from"), f"no container stands at {job.from_slot} when this job starts"
                )
            )
            continue
        size = sizes[job.id] = job.size_ft or box.size_ft
        if size != box.size_ft:
            findings.append(
                Finding(
                    (*key, "size_ft"),
                    f"{box.id} at {job.from_slot} is a {box.size_ft} ft container",
                )
            )
        taken = _standing_in(site.site, where, to, size)
        if taken is not None:
            at, standing = taken
            also = "" if at == to else f", the same place as {job.to}"
            findings.append(Finding((*key, "to"), f"{standing.id} stands at {slot_text(at)}{also}"))
        try:
            queue.add(source, to, size, 0.0, job_id=job.id, declared_mass_t=job.mass_t)
        except JobRefused as exc:
            findings += [Finding(key, f"the job queue refuses it: {r}") for r in exc.args]
        where[to] = box
    return findings


def _standing_in(
    site: SiteLayout, where: Mapping[Slot, ContainerEntry], to: Slot, size_ft: int
) -> tuple[Slot, ContainerEntry] | None:
    """The container (and where it stands) that takes the place a ``size_ft`` box in ``to``
    would: the same vehicle, or a stack footprint overlapping at the same tier."""
    for slot, box in where.items():
        try:
            if site.shares_place(to, size_ft, slot, box.size_ft):
                return slot, box
        except (KeyError, ValueError):  # a slot the site does not know: the queue says so
            return None
    return None


def _fault_findings(faults: Sequence[FaultEntry], site: SiteFile) -> list[Finding]:
    findings: list[Finding] = []
    boxes = {c.id for c in site.containers}
    lanes = {v.lane for v in site.vehicles} | {parse_slot(c.slot).lane for c in site.containers}
    for i, fault in enumerate(faults):
        key: Key = ("faults", str(i))
        problem = _fault_problem(fault, boxes, lanes)
        if problem is not None:
            findings.append(Finding((*key, "fault"), problem))
        elif _one_shot(fault.fault) and (fault.clear_after_s or fault.clear_when):
            findings.append(Finding(key, f"fault {fault.fault} is one-shot: nothing to clear"))
    return findings


def _fault_problem(fault: FaultEntry, boxes: set[str], lanes: set[str]) -> str | None:
    if fault.fault in RIG_FAULTS:
        seconds = fault.params.get("seconds")
        ok = set(fault.params) == {"seconds"} and isinstance(seconds, int | float) and seconds > 0
        return None if ok else f"{fault.fault} takes params = {{ seconds = <positive number> }}"
    try:
        check_fault(fault.fault, fault.params)
    except FaultError as exc:
        rig = ", ".join(RIG_FAULTS)
        return f"{exc}" + (f" (or a rig fault: {rig})" if "unknown fault" in str(exc) else "")
    box, lane = fault.params.get("container"), fault.params.get("lane")
    if box is not None and box not in boxes:
        return f"no container {box!r} in the yard ({', '.join(sorted(boxes))})"
    if lane is not None and lane not in lanes:
        return f"no vehicle in lane {lane!r} ({', '.join(sorted(lanes))})"
    return None


def _action_findings(spec: ScenarioFile) -> list[Finding]:
    """A ``cancel`` must name a job of the scenario."""
    jobs = [j.id for j in spec.jobs]
    known = ", ".join(jobs) or "none"
    return [
        Finding(("actions", str(i), "job"), f"no job {a.job!r} in [[jobs]]; jobs: {known}")
        for i, a in enumerate(spec.actions)
        if a.job is not None and a.job not in jobs
    ]


def _one_shot(name: str) -> bool:
    fault = FAULTS.get(name)
    return fault is not None and fault.clear is None


# --- conditions and expectations ----------------------------------------------------------------


def _condition_texts(spec: ScenarioFile) -> list[tuple[Key, str]]:
    texts: list[tuple[Key, str | None]] = [(("stop_when",), spec.stop_when)]
    for i, f in enumerate(spec.faults):
        texts += [
            (("faults", str(i), "when"), f.when),
            (("faults", str(i), "clear_when"), f.clear_when),
        ]
    texts += [(("actions", str(i), "when"), a.when) for i, a in enumerate(spec.actions)]
    stops = spec.expect.stops
    texts += [(("expect", "stops", str(i), "after"), s.after) for i, s in enumerate(stops)]
    conds = spec.expect.conditions
    texts += [(("expect", "conditions", str(i), "holds"), c.holds) for i, c in enumerate(conds)]
    return [(key, text) for key, text in texts if text is not None]


def _conditions(
    spec: ScenarioFile, names: Vocabulary, findings: list[Finding]
) -> dict[Key, Condition]:
    parsed: dict[Key, Condition] = {}
    for key, text in _condition_texts(spec):
        try:
            parsed[key] = parse(text, names)
        except ConditionError as exc:
            findings.append(Finding(key, f"{exc} (in {text!r})"))
    return parsed


def _expect_findings(spec: ScenarioFile, site: SiteFile | None) -> list[Finding]:
    expect = spec.expect
    jobs = {j.id for j in spec.jobs}
    alarms = {a.id for a in supervisor_alarms()}
    boxes = None if site is None else {c.id for c in site.containers}
    checks: list[tuple[str, Sequence[str | None], set[str] | None, str]] = [
        ("jobs", [e.id for e in expect.jobs], jobs, "job"),
        ("alarms", [e.id for e in expect.alarms], alarms, "alarm"),
        ("trips", [e.id for e in expect.trips], set(INTERLOCKS), "interlock"),
        ("containers", [e.id for e in expect.containers], boxes, "container"),
    ]
    findings = [
        Finding(
            ("expect", part, str(i), "id"),
            f"no {what} {given!r}; {what}s: {', '.join(sorted(known)) or 'none'}",
        )
        for part, ids, known, what in checks
        if known is not None
        for i, given in enumerate(ids)
        if given not in known
    ]
    for i, stop in enumerate(expect.stops):
        if stop.after_fault is not None and stop.after_fault > len(spec.faults):
            key = ("expect", "stops", str(i), "after_fault")
            findings.append(Finding(key, f"there are {len(spec.faults)} faults (from 1)"))
    return findings
