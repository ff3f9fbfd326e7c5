"""The demo in a real terminal, as the operator uses it (issue 18, deliverable 7).

``make run`` is ``.venv/bin/crane-ctrl demo`` once the package is installed; this test runs the
same command with this interpreter (``python -m crane_ctrl demo``, the repository first on
``PYTHONPATH``) so that it installs nothing, with ``--no-jobs`` (no demo jobs queued, the machine
left STOPPED: the job typed here is the one that runs), ``--port 0`` (free ports) and a journal
and temporary directory of its own. It runs in tmux at 120x40; ``tmux send-keys`` types and
``tmux capture-pane`` reads the screen. The operator: types a job into the Jobs form, RESETs and
STARTs, STOPs while the crane travels (STOPPING, then STOPPED, the job interrupted), RESETs,
resumes the job with START, acknowledges a wind pre-alarm raised through the simulator's fault
channel (``crane-ctrl fault``), clears the wind, and quits with Ctrl-Q: the demo exits 0, leaves no
process behind, no traceback anywhere, and the terminal as it found it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crane_ctrl.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TMUX = shutil.which("tmux")
NO_TMUX = "tmux is not installed (scripts/system-deps test installs it)"
pytestmark = [
    pytest.mark.skipif(TMUX is None, reason=NO_TMUX),
    pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the demo's processes"),
]

COLUMNS, LINES = 120, 40
"""The terminal's size (docs/screenshots shows the HMI at this size too)."""
POLL_S = 0.1
"""How often :meth:`Terminal.wait_for_screen` reads the screen again."""
HMI_UP_S = 45.0
"""Bound for the demo to show its first screen (two Python processes start on a busy machine)."""
REACT_S = 15.0
"""Bound for the screen to show what a key or a fault did (a screen's first showing takes seconds
on a busy machine)."""
MOVING_S = 30.0
"""Bound for the crane to be seen travelling after START (the planner plans the first leg)."""
QUIT_S = 20.0
"""Bound for the demo to exit after Ctrl-Q (the station leaves the crane safe first)."""
STOP_AT_MPS = 0.6
"""STOP is pressed once the trolley travels this fast (it does, at 0.8 m/s, for some 6 s on its
way to lane T1): its ramp down at 0.4 m/s^2 keeps STOPPING on the screen for 1.5 s or more."""
MOVING_MPS = 0.05
"""An axis this fast moves (the screen shows creep below 0.01 m/s as a settling drive)."""
EXITED = "demo exited with status"
"""What the pane's shell prints after the demo (then it stays, to show the terminal usable)."""
WIND_MPS = 17.0
"""Above the wind pre-alarm (15 m/s), below the wind stop (20 m/s): an alarm, and the job goes on."""


@dataclass
class Terminal:
    """A tmux server of its own, its socket in ``workdir`` (``-S``: gone with the directory,
    where ``-L`` leaves one behind in /tmp/tmux-UID), with one pane running the demo."""

    workdir: Path
    started: float = field(default_factory=time.monotonic)
    transcript: list[tuple[str, float, str]] = field(default_factory=list)
    """Each step: its name, when it was seen (s from the start) and the screen that showed it."""

    def steps(self) -> str:
        return ", ".join(f"{what} ({at:.1f} s)" for what, at, _ in self.transcript)

    def tmux(self, *args: str) -> str:
        command = [str(TMUX), "-u", "-S", str(self.socket), "-f", str(self.workdir / "tmux.conf")]
        done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=10,
                              env=_tmux_env(), check=True)  # fmt: skip
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def type(self, text: str) -> None:
        """Type ``text`` literally (a key per character)."""
        self.tmux("send-keys", "-t", "demo", "-l", text)

    def press(self, *keys: str) -> None:
        """Press keys by tmux's names (``Tab``, ``Enter``, ``Escape``, ``C-q``, ``r``)."""
        self.tmux("send-keys", "-t", "demo", *keys)

    def flag(self, name: str) -> str:
        """A tmux format variable of the pane (``alternate_on``, ``cursor_flag``, ...)."""
        return self.tmux("display-message", "-p", "-t", "demo", f"#{{{name}}}").strip()

    def wait_for_screen(self, predicate: Callable[[str], bool], bound_s: float, what: str) -> str:
        """The screen once ``predicate`` holds for it, read every :data:`POLL_S`; fails after
        ``bound_s`` naming ``what``, with the last screen and the steps before."""
        deadline = time.monotonic() + bound_s
        while True:
            shown = self.screen()
            if predicate(shown):
                self.transcript.append((what, time.monotonic() - self.started, shown))
                return shown
            if time.monotonic() > deadline:
                pytest.fail(f"the screen did not show {what} within {bound_s:g} s; steps "
                            f"passed: {self.steps()}; the last screen:\n{shown}",
                            pytrace=False)  # fmt: skip
            time.sleep(POLL_S)

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's (hidden) cursor is: Textual keeps it at the focused field's caret."""
        x, y = self.tmux("display-message", "-p", "-t", "demo", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def wait_for_caret(self, field: Field, bound_s: float, what: str) -> None:
        """Until the cursor is in ``field``; fails after ``bound_s`` naming ``what``."""
        deadline = time.monotonic() + bound_s
        while not field.holds(at := self.cursor()):
            if time.monotonic() > deadline:
                pytest.fail(f"the cursor is at {at}, not in {field} ({what}) after {bound_s:g} s;"
                            f" the screen:\n{self.screen()}", pytrace=False)  # fmt: skip
            time.sleep(POLL_S)

    @property
    def socket(self) -> Path:
        return self.workdir / "tmux.sock"

    def pane_pid(self) -> int:
        return int(self.flag("pane_pid"))


def _tmux_env() -> dict[str, str]:
    """This process's environment for tmux (its server passes it to the pane), written out: the
    C-level environment may hold COLUMNS and LINES (readline sets them on import), which would
    size the HMI at 80x24 whatever the pane's size."""
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}


def session_members(sid: int) -> dict[int, str]:
    """Every process in the session ``sid`` (the pane's: its shell, the demo and the demo's
    children; tmux's ``pipe-pane`` too), with its command line."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:  # gone meanwhile
            continue
        if int(stat.rpartition(")")[2].split()[3]) == sid:
            found[int(proc.name)] = command
    return found


def _kill_session(sid: int) -> None:
    for pid in session_members(sid):
        with contextlib.suppress(ProcessLookupError):  # gone meanwhile
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def demo() -> Iterator[Terminal]:
    """The demo started in a tmux pane; afterwards, whatever happened, every process of the
    pane's session killed, the tmux server killed and the directory removed."""
    workdir = Path(tempfile.mkdtemp(prefix="e2e-"))  # short: the seam's socket path lives here
    (workdir / "tmux.conf").write_text("set -g default-shell /bin/sh\n")
    term = Terminal(workdir)
    sid: int | None = None
    try:
        term.tmux("new-session", "-d", "-s", "demo", "-x", str(COLUMNS), "-y", str(LINES),
                  "-e", f"PYTHONPATH={ROOT}", "-e", f"TMPDIR={workdir}",
                  _demo_command(workdir), ";",
                  "pipe-pane", "-o", "-t", "demo",
                  f"cat >> {shlex.quote(str(workdir / 'terminal.out'))}")  # fmt: skip
        sid = term.pane_pid()
        yield term
    finally:
        if sid is not None:
            _kill_session(sid)
        subprocess.run([str(TMUX), "-S", str(term.socket), "kill-server"], capture_output=True,
                       timeout=10, check=False)  # fmt: skip
        shutil.rmtree(workdir, ignore_errors=True)


def _demo_command(workdir: Path) -> str:
    """The pane's shell command: the demo, its exit status, then an interactive shell."""
    demo = [sys.executable, "-m", "crane_ctrl", "demo", "--no-jobs", "--port", "0",
            "--journal", str(workdir / "journal.sqlite")]  # fmt: skip
    then = f'echo "{EXITED} $?"; exec /bin/sh -i'
    return f"cd {shlex.quote(str(ROOT))} && {shlex.join(demo)}; {then}"


AXIS = re.compile(r"^(Gantry|Trolley|Hoist) +├\S+┤ +(-?[\d.]+) m +\S +([+-][\d.]+) m/s +ref "
                  r"([+-][\d.]+)", re.M)  # fmt: skip
"""An axis line of the Overview: ``Gantry  ├─●──┤   30.00 m  · +0.00 m/s  ref +0.00``."""


def status(screen: str) -> str:
    """The status line (mode · machine · job · link), under the screen bar and the banner."""
    return screen.splitlines()[2]


def banner(screen: str) -> str:
    return screen.splitlines()[1]


@dataclass(frozen=True)
class Axis:
    """An axis as the Overview shows it: position (m), speed and speed reference (m/s)."""

    position: float
    speed: float
    ref: float


def axes(screen: str) -> dict[str, Axis]:
    return {m[1]: Axis(float(m[2]), float(m[3]), float(m[4])) for m in AXIS.finditer(screen)}


def footer(screen: str) -> str:
    """The footer: the keys of what has the focus (a form field: none but ^p)."""
    return screen.splitlines()[-1]


@dataclass(frozen=True)
class Field:
    """A form field on the screen: its row, and the columns from its text's start to its edge."""

    y: int
    x: int
    end: int

    def holds(self, cursor: tuple[int, int]) -> bool:
        return cursor[1] == self.y and self.x <= cursor[0] < self.end

    def shows(self, text: str) -> Callable[[str], bool]:
        """Whether a screen shows ``text`` in this field."""
        return lambda screen: screen.splitlines()[self.y][self.x : self.end].rstrip() == text


def field_at(screen: str, placeholder: str) -> Field:
    """The form field that shows ``placeholder`` (it is empty)."""
    for y, line in enumerate(screen.splitlines()):
        if placeholder in line:
            x = line.index(placeholder)
            return Field(y, x, line.index("▎", x))
    raise AssertionError(f"no field {placeholder!r} on the screen:\n{screen}")


def trolley_faster_than(mps: float) -> Callable[[str], bool]:
    def fast(screen: str) -> bool:
        trolley = axes(screen).get("Trolley")
        return trolley is not None and abs(trolley.speed) >= mps

    return fast


def moving(screen: str) -> bool:
    return any(abs(axis.speed) >= MOVING_MPS for axis in axes(screen).values())


def machine(state: str) -> Callable[[str], bool]:
    return lambda screen: status(screen).startswith(f"FULLAUTOMATIC · {state} · ")


def fault(control: str, *args: str) -> None:
    """``crane-ctrl fault --control HOST:PORT ...`` as an operator types it in another terminal,
    run in this process (a second interpreter would only add its start-up to the test's time)."""
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        code = main(["fault", "--control", control, *args])
    assert code == 0, said.getvalue()


def test_an_operator_session_in_a_real_terminal(demo: Terminal) -> None:
    control = _hmi_up(demo)
    _type_a_job(demo)
    _start(demo)
    _stop_mid_job(demo)
    _reset_and_resume(demo)
    _acknowledge_a_wind_alarm(demo, control)
    _quit(demo)


def _hmi_up(term: Terminal) -> str:
    """The Overview, logged in as the demo's operator, STOPPED (no demo jobs): the fault channel's
    address from the message line."""
    shown = term.wait_for_screen(
        lambda s: "1 Overview" in s and "· operator (operator)" in s and "link up" in s
        and machine("STOPPED")(s) and "fault control" in s, HMI_UP_S, "the HMI up",
    )  # fmt: skip
    assert status(shown).startswith("FULLAUTOMATIC · STOPPED · no job running"), shown
    assert banner(shown).strip() == "no alarms", shown
    found = re.search(r"fault control (127\.0\.0\.1:\d+)", shown)
    assert found is not None, shown
    return found[1]


def _type_a_job(term: Terminal) -> None:
    """Tab into the form, a field at a time: each key waits for the caret to be where it goes (a
    key sent while the focus moves is handled by the widget that had it: typed into the wrong
    field, or dropped as a command key)."""
    term.press("4")
    term.wait_for_screen(lambda s: "Queue (x cancels" in s and "x cancel job" in footer(s),
                         REACT_S, "Jobs, the queue chosen")  # fmt: skip
    for key, placeholder, text in (("Tab", "from truck:T1", "truck:T1"),
                                   ("Tab", "to stack:1:1:1", "stack:7:3:1")):  # fmt: skip
        field = field_at(term.screen(), placeholder)
        term.press(key)
        term.wait_for_caret(field, REACT_S, f"the caret in the field {placeholder!r}")
        term.type(text)
        term.wait_for_screen(field.shows(text), REACT_S, f"{text} typed")
    term.press("Enter")
    row = re.compile(r"J1 +truck:T1 +stack:7:3:1 +40 ft +queued")
    shown = term.wait_for_screen(lambda s: bool(row.search(s)), REACT_S, "J1 queued")
    assert "✓ job J1 queued: truck lane T1 → stack bay 7 row 3 tier 1" in shown, shown
    form = shown.splitlines()[field_at(shown, "from truck:T1").y]
    assert "stack:7:3:1" not in form, shown  # the form emptied for the next job


def _start(term: Terminal) -> None:
    term.press("Escape")  # out of the form: the letters are commands again (the footer says so)
    term.wait_for_screen(lambda s: "x cancel job" in footer(s), REACT_S, "the queue chosen")
    term.press("r")
    term.wait_for_screen(machine("IDLE"), REACT_S, "IDLE after RESET")
    term.press("s")
    shown = term.wait_for_screen(
        lambda s: machine("EXECUTE")(s) and "J1 truck lane T1 → stack bay 7 row 3 tier 1" in s,
        REACT_S, "J1 running",
    )  # fmt: skip
    assert "J1 truck lane T1" in status(shown), shown


def _stop_mid_job(term: Terminal) -> None:
    term.press("1")
    term.wait_for_screen(trolley_faster_than(STOP_AT_MPS), MOVING_S, "the trolley travelling")
    term.press("t")
    shown = term.wait_for_screen(machine("STOPPING"), REACT_S, "STOPPING")
    assert "✓ STOP sent" in shown, shown
    shown = term.wait_for_screen(machine("STOPPED"), REACT_S, "STOPPED")
    assert " · interrupted · " in status(shown), shown
    assert all(a.ref == 0 and abs(a.speed) < MOVING_MPS for a in axes(shown).values()), shown


def _reset_and_resume(term: Terminal) -> None:
    stopped_at = axes(term.screen())
    term.press("r")
    shown = term.wait_for_screen(machine("IDLE"), REACT_S, "IDLE after STOP and RESET")
    assert "J1 truck lane T1 → stack bay 7 row 3 tier 1 · interrupted" in status(shown), shown
    term.press("s")  # START goes on with the interrupted job, planned again from here
    term.wait_for_screen(lambda s: machine("EXECUTE")(s) and " · interrupted · " not in status(s),
                         REACT_S, "J1 resumed")  # fmt: skip
    term.wait_for_screen(lambda s: moving(s) and axes(s) != stopped_at, MOVING_S,
                         "the crane moving again")  # fmt: skip


def _acknowledge_a_wind_alarm(term: Terminal, control: str) -> None:
    """A wind pre-alarm from the simulator's fault channel, acknowledged on the Alarms screen
    (``k``: the alarm under the cursor, the list's top row: the newest of the medium ones)."""
    term.press("A")  # what a busy machine may have raised meanwhile (a late plan): acknowledged
    term.wait_for_screen(lambda s: "✓ all alarms acknowledged" in s
                         and "UNACKNOWLEDGED" not in banner(s), REACT_S, "nothing to ack")  # fmt: skip
    fault(control, "inject", "wind", f"speed_mps={WIND_MPS:g}")
    waiting = re.compile(r"▲ 1 UNACKNOWLEDGED of \d+ shown · A ack all · MEDIUM WIND_PREALARM")
    shown = term.wait_for_screen(lambda s: bool(waiting.search(banner(s))), REACT_S,
                                 "the wind pre-alarm in the banner")  # fmt: skip
    assert f"Wind  {WIND_MPS:.1f} m/s [!] PRE-ALARM" in shown, shown
    term.press("3")
    unacked = re.compile(r"▲ UNACK +MEDIUM +WIND_PREALARM")
    term.wait_for_screen(lambda s: bool(unacked.search(s)), REACT_S, "WIND_PREALARM in the list")
    term.press("k")
    acked = re.compile(r"■ ACKED +MEDIUM +WIND_PREALARM +\d\d:\d\d:\d\d +operator ")
    shown = term.wait_for_screen(lambda s: bool(acked.search(s)), REACT_S, "WIND_PREALARM acked")
    assert re.search(r"\d+ shown, all acknowledged", banner(shown)), shown
    assert "✓ WIND_PREALARM acknowledged" in shown, shown
    fault(control, "clear", "wind")
    term.press("1")
    shown = term.wait_for_screen(lambda s: "Wind   0.0 m/s" in s, REACT_S, "the wind calm again")
    assert "PRE-ALARM" not in shown, shown


def _quit(term: Terminal) -> None:
    """Ctrl-Q: the demo exits 0 and takes its processes with it; the terminal is as it was (main
    screen, cursor shown, no mouse reporting, lines wrap, what is typed is echoed); nothing
    wrote a traceback: not to the terminal (``terminal.out``, all the pane received: Textual
    draws on stderr, so stderr cannot go to a file of its own), nor to the HMI's or the station's
    log."""
    sid = term.pane_pid()
    term.press("C-q")
    shown = term.wait_for_screen(lambda s: EXITED in s, QUIT_S, "the demo's exit")
    assert f"{EXITED} 0" in shown, shown
    left = {pid: cmd for pid, cmd in session_members(sid).items() if "crane_ctrl" in cmd}
    assert not left, f"the demo left processes behind: {left}"
    flags = {name: term.flag(name) for name in ("alternate_on", "cursor_flag", "mouse_any_flag",
                                                 "mouse_button_flag", "mouse_standard_flag")}  # fmt: skip
    assert flags == {"alternate_on": "0", "cursor_flag": "1", "mouse_any_flag": "0",
                     "mouse_button_flag": "0", "mouse_standard_flag": "0"}, (flags, shown)  # fmt: skip
    _shell_usable(term)
    for log in ("terminal.out", "journal.log", "journal.station.log"):
        text = (term.workdir / log).read_text(errors="replace")
        assert "Traceback" not in text, f"{log}:\n{text[-4000:]}"
    assert not list(term.workdir.glob("crane-ctrl-seam-*")), "the demo left its seam's directory"


def _shell_usable(term: Terminal) -> None:
    """The shell after the demo echoes a typed command, and a line longer than the terminal
    wraps onto the next (Textual turns wrapping off while it runs)."""
    long = COLUMNS + 10
    term.type(f"printf '%0{long}d\\n' 0")
    term.press("Enter")
    wrapped = f"\n{'0' * COLUMNS}\n{'0' * (long - COLUMNS)}\n"
    term.wait_for_screen(lambda s: f"printf '%0{long}d\\n' 0" in s and wrapped in s, REACT_S,
                         "a typed command echoed and its long line wrapped")  # fmt: skip
