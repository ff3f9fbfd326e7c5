"""``plc.reset`` as an OPC UA method ``Reset()`` (issue 15), in lock-step with the in-memory twin:
the supervisor's reset pulse calls the method once, and the call clears a latched watchdog, asked
for or automatically. A call the PLC refuses fails the write, naming the method, and is retried.
"""

from __future__ import annotations

from crane_ctrl.clock import ManualClock
from crane_ctrl.link_report import LinkState
from crane_ctrl.links.memory import MemoryLink
from crane_ctrl.profile.loader import load_profile
from crane_ctrl.runtime.supervisor import SupervisorSettings
from crane_ctrl.testing import LockStep
from simulators.memory import MemoryPlc
from simulators.simulator import CraneSimulator
from tests.profile_texts import PROFILES
from tests.unit.test_opcua_method_profile import method_profile


async def test_each_reset_pulse_calls_the_method_once_and_clears_the_watchdog() -> None:
    settings = SupervisorSettings(watchdog_auto_reset=False)
    async with LockStep(method_profile(), settings=settings) as rig:
        await rig.until(lambda v: v.snapshot.comms_ok, within_s=2, what="comms")
        rig.sim.plc.watchdog_trip = True
        await rig.until(lambda v: v.snapshot.flag("plc.watchdog_trip", unsafe=False),
                        within_s=1, what="watchdog seen")  # fmt: skip
        await rig.scan(20)
        assert rig.sim.plc.watchdog_trip, "auto reset is off: nothing resets it by itself"
        assert rig.plc.calls == []
        rig.supervisor.request_reset()
        await rig.until(lambda v: not v.snapshot.flag("plc.watchdog_trip", unsafe=True),
                        within_s=1, what="watchdog cleared")  # fmt: skip
        assert rig.plc.calls == ["plc.reset"]
        await rig.scan(20)
        assert rig.plc.calls == ["plc.reset"], "one pulse, one call"
        assert not rig.sim.plc.commands["plc.reset"], "the call's press is released"
        rig.supervisor.request_reset()
        await rig.scan(10)
        assert rig.plc.calls == ["plc.reset", "plc.reset"]


async def test_a_watchdog_latched_before_the_start_is_reset_through_the_method() -> None:
    async with LockStep(method_profile()) as rig:
        rig.sim.plc.watchdog_trip = True  # left latched by the supervisor that stopped before
        await rig.until(lambda v: v.snapshot.comms_ok and not rig.sim.plc.watchdog_trip,
                        within_s=3, what="automatic reset")  # fmt: skip
        assert rig.plc.calls == ["plc.reset"]
        await rig.scan(60)
        assert rig.plc.calls == ["plc.reset"], "once: not again"
        assert not rig.sim.plc.watchdog_trip


async def test_a_refused_call_fails_the_write_naming_the_method_and_is_tried_again() -> None:
    sim = CraneSimulator()
    plc = MemoryPlc(sim, load_profile(PROFILES / "generic-opcua.toml"))  # it has no Reset()
    async with MemoryLink(method_profile(), plc, ManualClock()) as link:
        assert (await link.write({"plc.reset": False})).ok
        first = await link.write({"plc.reset": True})
        assert not first.ok
        assert "call of nsu=urn:crane-ctrl:sim;s=Crane.Reset() on " in first.error
        assert "for plc.reset failed: BadMethodInvalid" in first.error
        assert not (await link.write({"plc.reset": True})).ok, "tried again while still true"
        assert link.health.state is LinkState.UP, "a refusal is the PLC's answer: the link is fine"
