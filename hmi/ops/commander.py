"""What the operations centre does with an operator's command: check there is a crane, a
command path and a login; give it to the path in a worker (the screen never waits for the
network); say on the message line what came of it: done, refused with the station's words,
failed, or no answer in time. Nothing the network or a station does reaches the app as an
exception."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from textual.app import App

from crane_ctrl.fleet.command_path import Answer, CommandPath, Verdict
from crane_ctrl.fleet.fleet_view import CraneKey
from crane_ctrl.operation.machine import Role

__all__ = ["WORKER_WITHIN_S", "Commander"]

log = logging.getLogger(__name__)

WORKER_WITHIN_S = 30.0
"""The longest one command may take from the key to its answer: the path bounds each step
(connecting, the two login steps, the answer: 5 s each); this bounds them all together."""
_SAID = {
    Verdict.REFUSED: "REFUSED",
    Verdict.FAILED: "FAILED",
    Verdict.NO_ANSWER: "NO ANSWER",
}
Say = Callable[..., None]
"""The app's ``say(text, refused=...)``."""
Then = Callable[[Answer], object]
_T = TypeVar("_T")


class Commander:
    """The app's commands to the cranes over ``path`` (``None``: the app only shows)."""

    def __init__(self, app: App[None], path: CommandPath | None, say: Say) -> None:
        self.app, self.path, self.say = app, path, say

    @property
    def operator_text(self) -> str:
        """``kim (operator): 2 crane session(s)``; or how to log in."""
        path = self.path
        if path is None:
            return "view only (no command path)"
        who = path.operator
        if who is None:
            return "nobody logged in: L logs in"
        return f"{who[0]} ({who[1]}): {len(path.sessions)} crane session(s)"

    def send(self, crane: CraneKey | None, cmd: str, what: str,
             args: Mapping[str, object] | None = None, *, then: Then | None = None
             ) -> bool:  # fmt: skip
        """Give ``cmd`` to ``crane`` in a worker; ``then(answer)`` after its answer is said.
        Whether it went (or why not: said)."""
        path = self._ready(crane, what)
        if path is None or crane is None:
            return False
        self.say(f"{what} at {crane}: sent, waiting for the answer")
        self._work(self._send(path, crane, cmd, what, args or {}, then))
        return True

    def ready(self, crane: CraneKey | None, what: str) -> bool:
        """Whether ``what`` could go to ``crane`` now (a path, a crane, a login); if not, why
        is said. A form asks this before it opens: no question is put that cannot be sent."""
        return self._ready(crane, what) is not None

    def logged_in(self, what: str) -> bool:
        """Whether there is a path and a login for ``what`` (to a crane chosen later); if not,
        why is said."""
        if self.path is None:
            return self._ready(None, what) is not None  # (says so)
        if self.path.operator is None:
            self.say(f"{what}: nobody is logged in: L logs in", refused=True)
            return False
        return True

    def jog(self, crane: CraneKey | None, axis: str, direction: int) -> None:
        """One key press of a jog: a ``landing.jog`` unless the last is not answered or not
        due (the path paces them); each holds at the station for its dead-man time."""
        path = self._ready(crane, "jog")
        if path is not None and crane is not None:
            self._work(self._jog(path, crane, axis, direction))

    def log_in(self, user: str, role: Role, pin: str) -> None:
        path = self.path
        if path is None:
            self.say("view only: no command path to log in to", refused=True)
            return

        async def keep() -> None:
            await path.log_in(user, role, pin)
            self.say(f"{user} ({role}) for this ops session: each crane checks the PIN at the "
                     "first action there")  # fmt: skip

        self._work(keep())

    def log_out(self) -> None:
        path = self.path
        if path is None or path.operator is None:
            self.say("nobody is logged in", refused=True)
            return

        async def leave() -> None:
            self.say((await path.log_out()).why)

        self._work(leave())

    # --- in the workers

    async def _send(self, path: CommandPath, crane: CraneKey, cmd: str, what: str,
                    args: Mapping[str, object], then: Then | None) -> None:  # fmt: skip
        answer = await _bounded(path.command(crane, cmd, args), f"{what} at {crane}")
        self.tell(crane, what, answer)
        if then is not None:
            then(answer)

    async def _jog(self, path: CommandPath, crane: CraneKey, axis: str, direction: int) -> None:
        answer = await _bounded(path.jog(crane, axis, direction), f"jog at {crane}")
        if answer is None:
            return  # a key repeat within the jog's repeat time: the last one holds
        what = f"jog {axis} {direction:+d}"
        if answer.done:
            self.say(f"{what} at {crane}: each key press holds it for the crane's dead-man "
                     "time; let go (or space) to stop")  # fmt: skip
        else:
            self.tell(crane, what, answer)

    def tell(self, crane: CraneKey, what: str, answer: Answer) -> None:
        """Say what came of ``what`` at ``crane``."""
        if answer.done:
            self.say(f"{what} at {crane}: done")
            return
        self.say(f"{what} at {crane}: {_SAID[answer.verdict]}: {answer.why}", refused=True)

    def _work(self, job: Awaitable[None]) -> None:
        self.app.run_worker(self._guarded(job), group="commands", exit_on_error=False)

    async def _guarded(self, job: Awaitable[None]) -> None:
        try:
            await job
        except Exception as exc:  # a defect, not the operator's: the app lives on
            log.exception("an ops command failed")
            self.say(f"internal error {type(exc).__name__}: {exc} (in the log; please report "
                     "it)", refused=True)  # fmt: skip

    def _ready(self, crane: CraneKey | None, what: str) -> CommandPath | None:
        """The path, if ``what`` can go to ``crane`` now; else ``None`` (and why is said)."""
        if self.path is None:
            self.say(f"{what}: view only: this operations centre has no command path",
                     refused=True)  # fmt: skip
        elif crane is None:
            self.say(f"{what}: no crane chosen: select one (1 Fleet, Enter drills in)",
                     refused=True)  # fmt: skip
        elif self.path.operator is None:
            self.say(f"{what}: nobody is logged in: L logs in", refused=True)
        else:
            return self.path
        return None


async def _bounded(job: Awaitable[_T], what: str) -> _T | Answer:
    try:
        async with asyncio.timeout(WORKER_WITHIN_S):
            return await job
    except TimeoutError:
        return Answer(Verdict.NO_ANSWER, f"{what}: no answer within {WORKER_WITHIN_S:g} s")
