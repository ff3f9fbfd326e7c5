"""The scan's CPU priority: a scan waits for no ordinary process on the host.

A scan that comes late under CPU load is a PLC watchdog trip in the making (issue 16). Planning
and garbage collection are already off the scan's path; what is left is the operating system's
scheduler, which shares a busy core fairly between the scan and whatever else runs (a stress
test, a backup, a compiler). Control software tells the scheduler which work is urgent, as a
soft-PLC runtime does: on Linux the station's process asks for nice :data:`SCAN_NICE`.

The whole process, not the scan's thread alone: the threads of one Python process share its
interpreter lock, and an ordinary-priority thread that holds the lock when a busy core's other
work preempts it keeps the scan waiting until the scheduler comes back to it (measured: a scan's
own work stretched to 122 ms under ``stress-ng``, with only the loop thread raised). A nice value
is a thread's own on Linux (``setpriority`` on its thread id), and a thread or process takes its
creator's: :func:`raise_process` raises every thread there is, and what they start from then on
follows. The planning worker goes back to the priority the station started with
(:func:`back_to`), so that a leg plan never takes a core from a scan.

A nice value, not a real-time policy (``SCHED_FIFO``): a scan loop that spun would starve the
host under a real-time policy, and the PLC's watchdog, not the host, is the crane's last line.

Raising a priority needs ``CAP_SYS_NICE`` (root has it; a service gets it with systemd's
``AmbientCapabilities=CAP_SYS_NICE`` or ``Nice=-10``, a container with ``--cap-add SYS_NICE``).
Without it the station runs at the priority it was given and says so once, with that fix.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crane_ctrl.errors import CraneCtrlError

if TYPE_CHECKING:
    from crane_ctrl.runtime.journal import Journal

__all__ = [
    "SCAN_NICE",
    "SCAN_NICE_ENV",
    "Raised",
    "ScanPriority",
    "back_to",
    "default_scan_nice",
    "parse_nice",
    "raise_process",
    "raise_this_thread",
    "raised",
    "report",
]

log = logging.getLogger(__name__)

SCAN_NICE = -10
"""The station's process: about nine times an ordinary process's share of a busy core, and
woken ahead of it (Linux CFS weights: nice -10 is 9548, nice 0 is 1024)."""
SCAN_NICE_ENV = "CRANE_CTRL_SCAN_NICE"
"""Overrides :data:`SCAN_NICE` where no ``--scan-nice`` is given (the test suite sets 0: its
many stations, each raised, would starve the simulators and clients of the other tests)."""


def parse_nice(text: str) -> int:
    """A nice value, -20 to 19, from ``text``; ``ValueError`` saying the range otherwise."""
    try:
        value = int(text.strip())
    except ValueError:
        value = 99
    if not -20 <= value <= 19:
        raise ValueError(f"a nice value is a whole number from -20 to 19, not {text!r}")
    return value


def default_scan_nice() -> int:
    """``$CRANE_CTRL_SCAN_NICE`` if set, else :data:`SCAN_NICE`; a value that is no nice value
    is refused, naming the variable and the range."""
    text = os.environ.get(SCAN_NICE_ENV, "").strip()
    if not text:
        return SCAN_NICE
    try:
        return parse_nice(text)
    except ValueError:
        why = (f"${SCAN_NICE_ENV} is {text!r}: a nice value is a whole number from -20 to 19 "
               f"(unset it for the default, {SCAN_NICE})")  # fmt: skip
        raise CraneCtrlError(why) from None


def report(priority: ScanPriority | None, journal: Journal) -> None:
    """Say what the station's raise got: a warning (once) if it was not taken, and always a
    journal entry (``system supervisor: scan priority``)."""
    if priority is None:
        return
    if priority.why_not:
        log.warning("%s", priority.sentence())
    journal.record("system", "supervisor", event="scan priority", nice=priority.now,
                   why_not=priority.why_not)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScanPriority:
    """What :func:`raise_this_thread` did."""

    before: int | None
    """The thread's nice value before (``None``: the platform has no per-thread nice)."""
    now: int | None
    """Its nice value after."""
    why_not: str = ""
    """Empty when the priority asked for was taken; else why not, and the fix."""

    def sentence(self) -> str:
        if not self.why_not:
            return f"scan priority: nice {self.now} (was {self.before})"
        return f"scan priority not raised: {self.why_not}"


def raise_this_thread(nice: int = SCAN_NICE) -> ScanPriority:
    """Give the calling thread (and what it starts from now on) nice value ``nice``, if that is
    higher than its own priority and the process may raise it; never lowers a priority."""
    if not sys.platform.startswith("linux"):
        return ScanPriority(None, None, f"per-thread priorities are Linux-only ({sys.platform})")
    tid = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, tid)
    if before <= nice:
        return ScanPriority(before, before)
    try:
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    except PermissionError:
        return ScanPriority(before, before, (
            f"nice {nice} needs CAP_SYS_NICE, which this process lacks; it runs at nice "
            f"{before}, and under CPU load its scans may come late: run it as a service with "
            "AmbientCapabilities=CAP_SYS_NICE (systemd) or --cap-add SYS_NICE (a container)"
        ))  # fmt: skip
    return ScanPriority(before, os.getpriority(os.PRIO_PROCESS, tid))


@dataclass(frozen=True, slots=True)
class Raised:
    """What :func:`raise_process` did, and how to undo it."""

    priority: ScanPriority
    """The calling thread's before and after (the process's, for the journal)."""
    before: dict[int, int]
    """Each thread raised (its id) and its nice value before."""

    @property
    def base(self) -> int | None:
        """The calling thread's nice value before: what the planning worker goes back to."""
        return self.priority.before

    def restore(self) -> None:
        """Every thread still there back to its nice value before (lowering needs no right)."""
        for tid, nice in self.before.items():
            with suppress(ProcessLookupError):  # the thread ended meanwhile
                os.setpriority(os.PRIO_PROCESS, tid, nice)


def raise_process(nice: int = SCAN_NICE) -> Raised:
    """Every thread of this process (the calling one first) at nice ``nice`` where that is
    higher than its own priority and the process may raise it; never lowers one."""
    own = raise_this_thread(nice)
    if own.before is None or own.now == own.before:
        return Raised(own, {})
    raised = {threading.get_native_id(): own.before}
    for entry in os.listdir("/proc/self/task"):
        tid = int(entry)
        if tid in raised:
            continue
        with suppress(ProcessLookupError):  # ended meanwhile
            before = os.getpriority(os.PRIO_PROCESS, tid)
            if before > nice:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
                raised[tid] = before
    return Raised(own, raised)


@contextmanager
def raised(nice: int | None = SCAN_NICE) -> Iterator[ScanPriority | None]:
    """This process at ``nice`` for the block (:func:`raise_process`), and back after it (a
    supervisor run in-process, by a test, leaves the process as it found it); ``None``: left
    as it is."""
    if nice is None:
        yield None
        return
    done = raise_process(nice)
    try:
        yield done.priority
    finally:
        done.restore()


def back_to(nice: int) -> None:
    """In a process a raised thread started (the planning worker): go back to nice ``nice``,
    never higher than it is now (lowering a priority needs no privilege)."""
    if sys.platform.startswith("linux"):
        now = os.getpriority(os.PRIO_PROCESS, 0)
        if nice > now:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
