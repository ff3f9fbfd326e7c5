"""PLC personalities: how the simulated PLC program takes the supervisor's commands.

Real crane PLCs differ in what their programmers made of the same crane, and their manuals say
it; a personality is the simulated PLC's manual. It is chosen with the simulator
(``CraneSimulator(..., personality=...)``, ``crane-ctrl sim --personality twincat``), never from
the profile's write settings: the PLC behaves as its own program says, and a profile that
disagrees with it fails against it as it would on the crane.

* **level** (the default, :data:`LEVEL`): every command acts while it is held. The twistlocks turn
  only while lock or unlock is held; the telescope follows ``spreader.size_ref``; ``plc.reset``
  acts on its rising edge.
* **edge-triggered** (``edge_triggered``): lock, unlock and (with ``telescope_start``) telescope
  act on the rising edge of their command only; a level held high does nothing more. The PLC then
  runs the twistlocks to their end position on its own (fully locked or fully unlocked, within
  :attr:`PlcPersonality.twistlock_run_limit_s`), and telescopes to the target ``spreader.size_ref``
  held at the edge.
* **handshake requests** (``requests``): for each command named, the PLC publishes busy, done,
  error and an error code under the vendor's names (:class:`RequestPoints`), and refuses what it
  may not do (:class:`ErrorCodes`): a lock unless all four landing pins are pressed, an unlock
  while the ropes carry a load, a telescope with a box on the spreader, anything while it obeys
  no command. ``clears_requests``: the PLC writes 0 into the request's place once it took the
  request over or refused it (its answer then stays until the next request); otherwise the
  answer stays while the request is held and is cleared when it falls (PLCopen ``Execute``),
  unless ``answers_kept``: then done and error stay after the request falls, until the PLC takes
  the next request of that command (its busy replaces the last done in one cycle).
* **direction bits** (``direction_bits``): the PLC takes each speed reference as a magnitude
  and its direction from the axis's direction commands (``gantry.forward``/``reverse``,
  ``trolley.forward``/``reverse``, ``hoist.up``/``down``); neither or both: the axis stands.
  A reference's own sign is ignored (profile: ``magnitude = true`` on the reference).
* **heartbeat echo** (``heartbeat_echo``): the PLC's watchdog takes the supervisor as alive
  only while ``sup.heartbeat`` changes to values of the PLC's own life counter
  (``plc.heartbeat``) published within the watchdog time: the supervisor must echo it (profile:
  ``echo = "plc.heartbeat"`` on ``sup.heartbeat``); a counting supervisor trips it.
* **minimum reset pulse** (``min_reset_pulse_s``): the PLC ignores a ``plc.reset`` shorter than
  this (an on-delay on the input); a longer one resets once it has been high this long.
* **life bit** (``life_bit``): a status bit under that name the PLC toggles every
  ``life_bit_period_s``, for a profile's ``[validity.<block>] life_bit``.
* **its own timing** (``params``): the watchdog time and the restart inhibit after a reset
  (:class:`~simulators.plc_logic.PlcParams`).

Per-axis drive enables (``gantry.enable`` ...) and the latched watchdog are the PLC program's in
every personality; a personality's status names (busy, done, life bit, ...) are served at a
profile's ``[points]`` of the same name (:mod:`simulators.served_status`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from simulators.plc_params import PlcParams

__all__ = [
    "LEVEL",
    "PERSONALITIES",
    "S7_MB_SERVER",
    "TWINCAT",
    "ErrorCodes",
    "PlcPersonality",
    "RequestPoints",
    "personality_named",
]

REQUEST_COMMANDS = ("spreader.lock", "spreader.unlock", "spreader.telescope")
"""The commands a personality may take as edge-triggered handshake requests."""


@dataclass(frozen=True, slots=True)
class RequestPoints:
    """The vendor's names of one request's answer, as the PLC publishes them."""

    busy: str
    done: str
    error: str
    code: str
    """The error code (0 = none); several requests may share one code word."""


@dataclass(frozen=True, slots=True)
class ErrorCodes:
    """The PLC's error codes for a refused or failed request, from its manual."""

    not_ready: int = 1
    """The PLC obeys no command now (not in remote, e-stop, watchdog, restart inhibit)."""
    not_seated: int = 3
    """Lock refused: not all four landing pins are pressed."""
    loaded: int = 4
    """Unlock refused: the ropes carry a load."""
    box_on_spreader: int = 5
    """Telescope refused: a container hangs on the spreader (a twistlock is not unlocked)."""
    not_reached: int = 6
    """The twistlocks did not reach their end position in time (jammed)."""


@dataclass(frozen=True, slots=True)
class PlcPersonality:
    """How one PLC program takes commands (see the module docstring)."""

    name: str = "level"
    description: str = "every command acts while held (the simulator's default)"
    edge_triggered: bool = False
    telescope_start: bool = False
    """The telescope moves only after a rising edge of ``spreader.telescope``, to the target
    held then (edge-triggered personalities)."""
    requests: Mapping[str, RequestPoints] = field(default_factory=dict)
    clears_requests: bool = False
    heartbeat_echo: bool = False
    """The watchdog wants ``plc.heartbeat`` echoed in ``sup.heartbeat`` (module doc)."""
    direction_bits: bool = False
    """Speed references are magnitudes; the direction commands give the way (module doc)."""
    answers_kept: bool = False
    """Done and error stay after the request falls, until the next request of that command
    (neither PLCopen ``Execute`` nor a request the PLC clears)."""
    codes: ErrorCodes = ErrorCodes()
    min_reset_pulse_s: float = 0.0
    life_bit: str | None = None
    life_bit_period_s: float = 0.5
    """The life bit toggles this often, s (slower than the supervisor's scan)."""
    unlock_refused_above_t: float = 0.5
    """A load on the ropes above this refuses an unlock, t."""
    twistlock_run_limit_s: float = 3.0
    """An edge-started twistlock run that has not reached its end position after this long
    stops with error :attr:`ErrorCodes.not_reached`, s (a full turn takes 1.5 s)."""
    params: PlcParams = field(default_factory=PlcParams)


LEVEL = PlcPersonality()


def _points(prefix: str, busy: str, done: str, error: str, code: str) -> RequestPoints:
    return RequestPoints(prefix + busy, prefix + done, prefix + error, prefix + code)


TWINCAT = PlcPersonality(
    name="twincat",
    description=(
        "Beckhoff TwinCAT 3: PLCopen-style function blocks fbLock, fbUnlock, fbTelescope "
        "(bExecute edge, bBusy/bDone/bError/nErrorID, outputs cleared when bExecute falls), "
        "watchdog 0.5 s, restart inhibit 1 s, reset by an OPC UA method"
    ),
    edge_triggered=True,
    telescope_start=True,
    requests=MappingProxyType(
        {
            "spreader.lock": _points("fbLock.", "bBusy", "bDone", "bError", "nErrorID"),
            "spreader.unlock": _points("fbUnlock.", "bBusy", "bDone", "bError", "nErrorID"),
            "spreader.telescope": _points("fbTelescope.", "bBusy", "bDone", "bError", "nErrorID"),
        }
    ),
    params=PlcParams(watchdog_s=0.5, restart_delay_s=1.0),
)
"""A Beckhoff TwinCAT 3 PLC (``plc_profiles/beckhoff-twincat-opcua.toml``)."""

S7_MB_SERVER = PlcPersonality(
    name="s7-mbserver",
    description=(
        "Siemens S7-1200/1500 with MB_SERVER: request bits cleared by the PLC, an answer word "
        "(busy/done/error per request) and one error code word, reset ignored under 100 ms, "
        "a 0.5 s life bit, watchdog 1 s, restart inhibit 1 s"
    ),
    edge_triggered=True,
    telescope_start=True,
    requests=MappingProxyType(
        {
            "spreader.lock": _points("Answer.", "LockBusy", "LockDone", "LockError", "ErrorCode"),
            "spreader.unlock": _points(
                "Answer.", "UnlockBusy", "UnlockDone", "UnlockError", "ErrorCode"
            ),
            "spreader.telescope": _points(
                "Answer.", "TeleBusy", "TeleDone", "TeleError", "ErrorCode"
            ),
        }
    ),
    clears_requests=True,
    min_reset_pulse_s=0.1,
    life_bit="Status.LifeBit",
    params=PlcParams(watchdog_s=1.0, restart_delay_s=1.0),
)
"""A Siemens S7-1200/1500 serving a DB through MB_SERVER
(``plc_profiles/siemens-s7-1200-mbserver.toml``)."""

PERSONALITIES: Mapping[str, PlcPersonality] = MappingProxyType(
    {p.name: p for p in (LEVEL, TWINCAT, S7_MB_SERVER)}
)
"""The named presets, by name."""


def personality_named(name: str) -> PlcPersonality:
    """The preset called ``name``; :class:`ValueError` naming the known ones otherwise."""
    found = PERSONALITIES.get(name)
    if found is None:
        known = ", ".join(PERSONALITIES)
        raise ValueError(f"no PLC personality {name!r}; known: {known}")
    return found
