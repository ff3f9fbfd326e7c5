"""The simulated PLC's personalities, cycle by cycle (no supervisor): edge-triggered commands,
handshake answers and refusals, the requests the PLC clears, the minimum reset pulse and the
restart inhibit after a reset."""

from __future__ import annotations

from dataclasses import replace

from crane_ctrl.signals import Value
from simulators.personality import LEVEL, S7_MB_SERVER, TWINCAT, PlcPersonality
from simulators.simulator import CraneSimulator

DT = 0.01


class Rig:
    """A simulator whose supervisor only beats its heartbeat (every cycle) and holds commands."""

    def __init__(self, personality: PlcPersonality, *, seated: bool = True) -> None:
        self.sim = CraneSimulator(personality=personality)
        if seated:  # the pins read pressed: the twistlocks may turn, the PLC takes a lock
            self.sim.plant.spreader.stuck_pins.update({1: True, 2: True, 3: True, 4: True})
        self.beat = 0
        self.beating = True
        self.sim.command({"drives.enable": True})

    def run(self, seconds: float, **commands: Value) -> None:
        self.sim.command({k.replace("__", "."): v for k, v in commands.items()})
        for _ in range(round(seconds / DT)):
            if self.beating:
                self.beat += 1
                self.sim.command({"sup.heartbeat": self.beat})
            self.sim.step(DT)

    def status(self, name: str) -> Value:
        return self.sim.status()[name]

    @property
    def turn(self) -> list[float]:
        return list(self.sim.plant.spreader.twistlocks)


def test_edge_triggered_lock_held_high_locks_once() -> None:
    rig = Rig(TWINCAT)
    rig.run(0.1)
    rig.run(0.02, spreader__lock=True)
    assert rig.status("fbLock.bBusy") is True
    rig.run(2.0)
    assert rig.turn == [1.0] * 4
    assert rig.status("fbLock.bDone") is True
    rig.run(2.0, spreader__unlock=True)  # lock still held high
    assert rig.turn == [0.0] * 4
    rig.run(3.0)  # the held lock level does nothing more
    assert rig.turn == [0.0] * 4


def test_edge_triggered_twistlocks_run_to_completion_after_a_one_cycle_request() -> None:
    rig = Rig(TWINCAT)
    rig.run(0.1)
    rig.run(DT, spreader__lock=True)
    rig.run(2.0, spreader__lock=False)
    assert rig.turn == [1.0] * 4


def test_level_personality_turns_the_twistlocks_only_while_held() -> None:
    rig = Rig(LEVEL)
    rig.run(0.1)
    rig.run(0.3, spreader__lock=True)
    rig.run(2.0, spreader__lock=False)
    assert 0.0 < rig.turn[0] < 1.0


def test_lock_refused_unless_seated_with_code_3_and_the_request_cleared() -> None:
    rig = Rig(S7_MB_SERVER, seated=False)
    rig.run(0.1)
    rig.run(0.05, spreader__lock=True)
    assert rig.status("Answer.LockError") is True
    assert rig.status("Answer.ErrorCode") == S7_MB_SERVER.codes.not_seated == 3
    assert rig.sim.plc.commands["spreader.lock"] is False  # the PLC cleared the request
    count, cleared = rig.sim.written_back()
    assert (count, dict(cleared)) == (1, {"spreader.lock": False})
    assert rig.turn == [0.0] * 4


def test_telescope_refused_with_a_box_on_the_spreader() -> None:
    rig = Rig(S7_MB_SERVER)
    rig.run(0.1)
    rig.run(2.0, spreader__lock=True)  # locked: as with a box on the spreader
    rig.run(0.05, spreader__size_ref=20, spreader__telescope=True)
    assert rig.status("Answer.TeleError") is True
    assert rig.status("Answer.ErrorCode") == S7_MB_SERVER.codes.box_on_spreader
    rig.run(10.0)
    assert rig.status("spreader.size") == 40


def test_telescope_starts_on_its_start_bit_only() -> None:
    rig = Rig(TWINCAT, seated=False)
    rig.run(0.1)
    rig.run(1.0, spreader__size_ref=20)
    assert rig.status("spreader.size") == 40
    rig.run(0.05, spreader__telescope=True)
    assert rig.status("fbTelescope.bBusy") is True
    rig.run(30.0)
    assert rig.status("spreader.size") == 20
    assert rig.status("fbTelescope.bDone") is True


def _tripped(personality: PlcPersonality) -> Rig:
    rig = Rig(personality)
    rig.run(0.1)
    rig.beating = False
    rig.run(personality.params.watchdog_s + 0.2)
    rig.beating = True
    rig.run(0.1)
    assert rig.status("plc.watchdog_trip") is True
    return rig


def test_reset_shorter_than_the_minimum_pulse_is_ignored_and_a_longer_one_resets() -> None:
    rig = _tripped(S7_MB_SERVER)
    rig.run(0.05, plc__reset=True)
    rig.run(0.1, plc__reset=False)
    assert rig.status("plc.watchdog_trip") is True
    rig.run(0.15, plc__reset=True)
    rig.run(0.05, plc__reset=False)
    assert rig.status("plc.watchdog_trip") is False


def test_restart_inhibit_holds_the_references_after_a_reset() -> None:
    rig = _tripped(S7_MB_SERVER)
    rig.run(0.2, plc__reset=True, gantry__speed_ref=0.5)
    rig.run(0.3, plc__reset=False)
    assert rig.status("plc.watchdog_trip") is False
    assert rig.status("plc.restart_inhibit") is True
    assert rig.sim.plant.inputs.gantry_speed_ref_mps == 0.0
    rig.run(1.0)
    assert rig.status("plc.restart_inhibit") is False
    assert rig.sim.plant.inputs.gantry_speed_ref_mps == 0.5


def test_life_bit_toggles_every_half_second() -> None:
    rig = Rig(S7_MB_SERVER)
    seen = []
    for _ in range(4):
        seen.append(rig.status("Status.LifeBit"))
        rig.run(0.5)
    assert seen == [False, True, False, True]


def test_the_cli_offers_every_personality() -> None:
    from crane_ctrl.cli.sim import PERSONALITY_NAMES
    from simulators.personality import PERSONALITIES

    assert tuple(PERSONALITIES) == PERSONALITY_NAMES


def test_answers_fall_with_the_request_by_default_plcopen_execute() -> None:
    rig = Rig(TWINCAT)
    rig.run(0.1)
    rig.run(2.0, spreader__lock=True)
    assert rig.status("fbLock.bDone") is True
    rig.run(0.05, spreader__lock=False)
    assert rig.status("fbLock.bDone") is False


def test_answers_kept_stay_after_the_request_falls_until_the_next_request_replaces_them() -> None:
    """Hostile finding F5: a PLC that neither follows Execute nor clears the request keeps its
    last done until the next request, whose busy replaces it in the same cycle."""
    rig = Rig(replace(TWINCAT, answers_kept=True))
    rig.run(0.1)
    rig.run(2.0, spreader__lock=True)
    rig.run(0.5, spreader__lock=False)
    assert rig.status("fbLock.bDone") is True  # kept
    assert rig.sim.plc.commands["spreader.lock"] is False  # the PLC did not touch the request
    rig.run(2.0, spreader__unlock=True)
    rig.run(0.1, spreader__unlock=False)
    rig.run(DT, spreader__lock=True)  # the next lock: done falls as busy rises, one cycle
    assert (rig.status("fbLock.bBusy"), rig.status("fbLock.bDone")) == (True, False)


def test_direction_bits_sign_the_speed_magnitude_and_neither_or_both_stand_still() -> None:
    rig = Rig(replace(LEVEL, direction_bits=True), seated=False)
    rig.run(0.5, hoist__speed_ref=0.3)  # a magnitude with no direction bit: the hoist stands
    assert rig.sim.plc.reference("hoist") == 0.0
    z0 = rig.sim.plant.hoist.position_m
    rig.run(1.0, hoist__speed_ref=0.3, hoist__down=True)
    assert rig.sim.plc.reference("hoist") == -0.3
    assert rig.sim.plant.hoist.position_m < z0
    rig.run(0.1, hoist__speed_ref=-0.3, hoist__down=False, hoist__up=True)  # its sign ignored
    assert rig.sim.plc.reference("hoist") == 0.3
    rig.run(0.1, hoist__up=True, hoist__down=True)
    assert rig.sim.plc.reference("hoist") == 0.0


def _echo_run(rig: Rig, seconds: float, *, echo: bool) -> None:
    """The supervisor's side: echo the PLC's life counter, or count on its own."""
    rig.beating = False
    for _ in range(round(seconds / DT)):
        rig.beat += 1
        beat = rig.sim.status()["plc.heartbeat"] if echo else 20_000 + rig.beat
        rig.sim.command({"sup.heartbeat": beat})
        rig.sim.step(DT)


def test_an_echo_plc_keeps_an_echoing_supervisor_and_trips_a_counting_one() -> None:
    echoing = Rig(replace(LEVEL, heartbeat_echo=True))
    _echo_run(echoing, 5.0, echo=True)
    assert not echoing.sim.plc.watchdog_trip
    counting = Rig(replace(LEVEL, heartbeat_echo=True))
    _echo_run(counting, 0.5, echo=True)  # armed by a real echo first
    _echo_run(counting, 3.0, echo=False)
    assert counting.sim.plc.watchdog_trip
