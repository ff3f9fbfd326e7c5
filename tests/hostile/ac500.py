"""The hostile tester's invented PLC: an ABB AC500 V3 behind its CODESYS Modbus TCP slave.

Its "manual" (what the PLC programmer handed over; nobody on the team designed it):

* Status lives in **input registers** (FC4), commands in **holding registers** (FC3/FC16).
* 32-bit values are **DCBA** (the gateway's "little endian" option); positions are DINT in
  **mm**; speeds INT in **per mille of rated** (gantry 2.2, trolley 0.8, hoist 1.0 m/s); load INT
  in 10 kg; wind UINT in 0.1 m/s.
* Spreader size is a **code word**: 0 = moving, 1 = 20 ft, 2 = 40 ft, 3 = 45 ft.
* Limits are **"AT LIMIT" bits** (1 = operated) in input 1, the e-stop is ``ESTOP_ACTIVE``
  (input 0 bit 1): both must be inverted, and the status block is proven alive by the PLC's life
  counter (input 3).
* Lock, unlock and telescope are **request bits**, one holding word each. The PLC answers per
  request with an **ACK** bit (taken, running), a DONE bit and a **REFUSED** bit in the answer
  word (input 10), with the **reason code** in input 12. The master must drop the request after
  the answer; ACK/DONE/REFUSED fall with it (PLCopen Execute). The PLC does not clear requests.
* **Telescope**: target code in holding 104 + start bit holding 103 (rising edge).
* **Reset**: rising edge held at least **300 ms** (an on-delay); shorter pulses are ignored.
* Per-axis enables (holding 100 bits 1..3), a restart inhibit (1 s after a reset), watchdog 1 s.
* Sway: rope angles INT in **0.1 degree**, rope length UINT in **cm**.
* The yard: 20/40-ft slots centred at the same x (``simulators/sites/mixed-slots.toml``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from crane_ctrl.clock import ManualClock
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.modbus import ModbusLink
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.profile.model import ModbusProfile, Profile
from crane_ctrl.runtime.supervisor import Supervisor, SupervisorSettings
from crane_ctrl.sequencer.automatic_move import Sequencer, Transfer
from crane_ctrl.site import parse_slot
from crane_ctrl.testing import wait_until
from simulators.personality import PlcPersonality, RequestPoints
from simulators.plc_params import PlcParams
from simulators.runner import Served, serve
from simulators.simulator import CraneSimulator
from simulators.site_file import load_site, yard_model_of
from tests.integration.test_personality_jobs_over_sockets import Journal

ROOT = Path(__file__).resolve().parents[2]
PROFILE_PATH = ROOT / "tests" / "data" / "abb-ac500-modbus.toml"
SITE_PATH = ROOT / "simulators" / "sites" / "mixed-slots.toml"
PERIOD_S = 0.05
JOB_LIMIT_S = 400.0

AC500 = PlcPersonality(
    name="abb-ac500",
    description="ABB AC500 V3: request bits with ACK/DONE/REFUSED + reason word, 300 ms reset",
    edge_triggered=True,
    telescope_start=True,
    requests=MappingProxyType(
        {
            "spreader.lock": RequestPoints("Lock.Ack", "Lock.Done", "Lock.Refused", "Reason"),
            "spreader.unlock": RequestPoints(
                "Unlock.Ack", "Unlock.Done", "Unlock.Refused", "Reason"
            ),
            "spreader.telescope": RequestPoints("Tele.Ack", "Tele.Done", "Tele.Refused", "Reason"),
        }
    ),
    clears_requests=False,
    min_reset_pulse_s=0.3,
    params=PlcParams(watchdog_s=1.0, restart_delay_s=1.0),
)


@dataclass
class Job:
    sim: CraneSimulator
    sequencer: Sequencer
    journal: Journal
    supervisor: Supervisor | None = None
    served: Served | None = None
    clock: ManualClock = field(default_factory=ManualClock)
    scans: int = 0
    notes: dict[str, object] = field(default_factory=dict)


def profile_from(text: str | None, tmp: Path | None) -> Profile:
    if text is None:
        return load_profile(PROFILE_PATH)
    assert tmp is not None
    path = tmp / "ac500.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path)


async def run_job(
    *,
    on_scan: Callable[[Job], object] | None = None,
    personality: PlcPersonality = AC500,
    profile: Profile | None = None,
    job_from: str = "truck:T2",
    job_to: str = "stack:A20-3:1",
    box: str = "TGHU7654321",
    limit_s: float = JOB_LIMIT_S,
    start_job: bool = True,
    yield_s: float = 0.0,
) -> Job:
    """The mixed-slots job (20-ft box truck T2 -> A20-3, telescoping 40 -> 20 ft first) over
    real sockets in lock-step; ``on_scan`` after each scan's write, before the PLC's cycle; it
    may return "stop" to end the run early."""
    profile = profile or load_profile(PROFILE_PATH)
    site = load_site(SITE_PATH)
    yard = yard_model_of(site)
    sim = site.simulator(personality=personality)
    job = Job(sim, Sequencer(site.crane, yard), Journal())
    settings = SupervisorSettings(crane=site.crane, site=site.site)
    assert isinstance(profile, ModbusProfile)
    async with serve(sim, profile) as served:
        link = ModbusLink(profile, job.clock, host=served.host, port=served.port)
        async with link:
            await wait_until(lambda: link.health.state is LinkState.UP, within=10, what="link up")
            supervisor = Supervisor(
                profile, link, job.clock, settings, sequencer=job.sequencer, journal=job.journal
            )
            job.supervisor, job.served = supervisor, served

            async def scan() -> object:
                await supervisor.scan_once()
                job.scans += 1
                said = on_scan(job) if on_scan is not None else None
                sim.run(PERIOD_S, 0.01)
                await served.server.publish()
                job.clock.advance(PERIOD_S)
                if yield_s:  # let the link's reconnect task (real-time backoff) run
                    await asyncio.sleep(yield_s)
                return said

            for _ in range(100):
                await scan()
                if supervisor.view.snapshot.comms_ok:
                    break
            assert supervisor.view.snapshot.comms_ok, supervisor.view.snapshot.comms_reason
            if start_job:
                transfer = Transfer("J1", yard.boxes[box], parse_slot(job_to))
                job.sequencer.start(transfer, job.clock.now())
            for _ in range(int(limit_s / PERIOD_S)):
                if await scan() == "stop":
                    break
                if start_job and job.sequencer.outcome is not None:
                    break
    return job


def fine_sway_profile(tmp: Path, **replace: str) -> Profile:
    """The AC500 profile with the sway sensor's firmware upgraded to 0.01 degree (the manual's
    0.1 degree makes every job fail: finding F2); ``replace``: more text substitutions."""
    text = PROFILE_PATH.read_text(encoding="utf-8")
    text = text.replace('scale = 0.1,  unit = "deg"', 'scale = 0.01, unit = "deg"')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return profile_from(text, tmp)
