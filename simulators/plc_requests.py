"""The PLC program's spreader section: lock, unlock and telescope, as its personality takes them.

:class:`SpreaderSection` turns the supervisor's spreader commands into what the PLC drives the
spreader with, each PLC cycle. With the level personality that is the commands as held; with an
edge-triggered one (:mod:`simulators.personality`) a rising edge starts a run the PLC finishes on
its own, answered as a handshake (busy, done, error, code) when the personality says so, and
cleared from the request's place by the PLC when it says so (:attr:`SpreaderSection.cleared`:
the commands the PLC wrote back, for the protocol servers to serve). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from crane_ctrl.signals import Value
from simulators.personality import REQUEST_COMMANDS, PlcPersonality
from simulators.spreader import Spreader

__all__ = ["SpreaderDrive", "SpreaderSection"]

LOCK, UNLOCK, TELESCOPE = REQUEST_COMMANDS


@dataclass(frozen=True, slots=True)
class SpreaderDrive:
    """What the PLC drives the spreader with this cycle."""

    lock: bool
    unlock: bool
    size_ref_ft: int
    """Telescope target; 0 holds the telescope where it is."""


@dataclass
class _Answer:
    busy: bool = False
    done: bool = False
    error: bool = False
    code: int = 0


class SpreaderSection:
    """Lock, unlock and telescope as one PLC personality takes them (module docstring)."""

    def __init__(self, personality: PlcPersonality) -> None:
        self.personality = personality
        self._was = dict.fromkeys(REQUEST_COMMANDS, False)
        self._answers = {name: _Answer() for name in REQUEST_COMMANDS}
        self._run: str | None = None
        """LOCK or UNLOCK while the PLC turns the twistlocks on its own."""
        self._run_s = 0.0
        self._target_ft = 0
        """The telescope target taken at the last start (0: hold)."""
        self._codes: dict[str, int] = {}
        """Error code word name -> the code of the request answered last through it."""
        self.cleared: dict[str, Value] = {}
        """Commands the PLC wrote back into their places (cleared requests), latest value."""
        self.write_backs = 0
        """How many times the PLC wrote a command back (servers apply new ones)."""

    def step(
        self,
        commands: MutableMapping[str, Value],
        spreader: Spreader,
        load_t: float,
        *,
        obeying: bool,
        dt: float,
    ) -> SpreaderDrive:
        """One PLC cycle of the section; may clear requests in ``commands`` (the PLC's copy)."""
        if not self.personality.edge_triggered:
            size = int(commands["spreader.size_ref"]) if obeying else 0
            return SpreaderDrive(
                obeying and bool(commands[LOCK]), obeying and bool(commands[UNLOCK]), size
            )
        for name in REQUEST_COMMANDS:
            level = bool(commands.get(name, False))
            rising, self._was[name] = level and not self._was[name], level
            if rising and (name != TELESCOPE or self.personality.telescope_start):
                self._take(name, commands, spreader, load_t, obeying=obeying)
            elif not level and not self._keeps_answers:
                self._execute_fell(name)
        self._finish(spreader, dt)
        if not self.personality.telescope_start:
            self._target_ft = int(commands["spreader.size_ref"])
        return SpreaderDrive(
            obeying and self._run == LOCK,
            obeying and self._run == UNLOCK,
            self._target_ft if obeying else 0,
        )

    def _take(
        self,
        name: str,
        commands: MutableMapping[str, Value],
        spreader: Spreader,
        load_t: float,
        *,
        obeying: bool,
    ) -> None:
        code = self._refusal(name, spreader, load_t, obeying=obeying)
        self._answers[name] = answer = _Answer(busy=code == 0, error=code != 0, code=code)
        if code == 0 and name == TELESCOPE:
            self._target_ft = int(commands["spreader.size_ref"])
        elif code == 0:
            if self._run is not None:
                self._answers[self._run].busy = False  # superseded
            self._run, self._run_s = name, 0.0
        self._set_code(name, answer.code)
        if self.personality.clears_requests and name in self.personality.requests:
            commands[name] = False
            self._was[name] = False
            self.cleared[name] = False
            self.write_backs += 1

    @property
    def _keeps_answers(self) -> bool:
        """Whether an answer outlives its request (cleared by the PLC, or kept by it)."""
        return self.personality.clears_requests or self.personality.answers_kept

    def _execute_fell(self, name: str) -> None:
        """PLCopen: done and error fall with Execute (a run goes on, busy, to its end)."""
        answer = self._answers[name]
        if answer.done or answer.error:
            self._answers[name] = _Answer(busy=answer.busy)
            self._set_code(name, 0)

    def _refusal(self, name: str, spreader: Spreader, load_t: float, *, obeying: bool) -> int:
        """The error code the PLC refuses ``name`` with now, 0 if it takes it."""
        if name not in self.personality.requests:
            return 0  # edge-triggered without a handshake: the PLC's own interlocks only
        codes = self.personality.codes
        if not obeying:
            return codes.not_ready
        if name == LOCK and not all(spreader.landed_sensed()):
            return codes.not_seated
        if name == UNLOCK and load_t > self.personality.unlock_refused_above_t:
            return codes.loaded
        if name == TELESCOPE and not spreader.all_free():
            return codes.box_on_spreader
        return 0

    def _finish(self, spreader: Spreader, dt: float) -> None:
        """Ends a twistlock run at its end position (or at its limit) and a telescope on target."""
        if self._run is not None:
            self._run_s += dt
            reached = spreader.all_locked() if self._run == LOCK else spreader.all_free()
            answer = self._answers[self._run]
            if reached:
                answer.busy, answer.done = False, True
                self._run = None
            elif self._run_s >= self.personality.twistlock_run_limit_s:
                answer.busy, answer.error = False, True
                answer.code = self.personality.codes.not_reached
                self._set_code(self._run, answer.code)
                self._run = None
        tele = self._answers[TELESCOPE]
        if tele.busy and spreader.size_ft == self._target_ft:
            tele.busy, tele.done = False, True

    def _set_code(self, name: str, code: int) -> None:
        if name in self.personality.requests:
            self._codes[self.personality.requests[name].code] = code

    def status(self) -> dict[str, Value]:
        """The answers under the personality's names (none for the level personality)."""
        values: dict[str, Value] = {}
        for name, points in self.personality.requests.items():
            answer = self._answers[name]
            values[points.busy] = answer.busy
            values[points.done] = answer.done
            values[points.error] = answer.error
        for word, code in self._codes.items():
            values[word] = code
        for points in self.personality.requests.values():
            values.setdefault(points.code, 0)
        return values
