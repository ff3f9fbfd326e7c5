"""The job-order forms of the operations centre: add a job to a crane (``j``: from, to, size,
declared mass, as the local HMI's Jobs form) and cancel one (``x``: its id). What they give is a
``job.add`` or ``job.cancel`` order's arguments (``docs/fleet.md``).

The forms check what they can know here: the slots' syntax, the size, the mass, the job id's
form. What only the crane knows (its site's slots, the box at the source, whether the job can be
cancelled now) the crane checks, and its refusal is said on the message line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from crane_ctrl.site import parse_slot, slot_text
from hmi.ops.forms.order_form import OrderForm

__all__ = [
    "SIZES_FT", "CancelJobModal", "JobOrderModal", "parse_job_id", "parse_job_order",
]  # fmt: skip

SIZES_FT = (20, 40, 45)
"""The container sizes a job order may name, feet."""
JOB_ID_MAX = 64
"""The longest job id the cancel form takes (the station's are ``J7``, a TOS order's
``ORD-1~2``)."""
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:~-]*")
_SLOTS = "truck:T1, agv:A1, stack:BAY:ROW[:TIER] or stack:NAME[:TIER]"


def _slot(name: str, text: str) -> str:
    if not text:
        raise ValueError(f"{name}: empty: give a slot ({_SLOTS})")
    try:
        return slot_text(parse_slot(text))
    except ValueError:
        raise ValueError(f"{name}: {text[:40]!r} is not a slot: give {_SLOTS}") from None


def parse_job_order(source: str, target: str, size: object, mass: str) -> dict[str, object]:
    """The add-job form's fields as ``job.add``'s arguments; ``ValueError`` naming the field
    that is wrong and how to put it right."""
    args: dict[str, object] = {"from": _slot("from", source.strip()),
                               "to": _slot("to", target.strip())}  # fmt: skip
    if args["from"] == args["to"]:
        raise ValueError(f"to: the same slot as from ({args['to']}): give where the box goes")
    if size not in SIZES_FT:
        raise ValueError(f"size: choose {', '.join(map(str, SIZES_FT))} ft")
    args["size_ft"] = size
    mass = mass.strip()
    if mass:
        try:
            tonnes = float(mass)
        except ValueError:
            raise ValueError(f"mass: {mass[:40]!r} is not a number of tonnes: give one (32.5) "
                             "or leave it empty") from None  # fmt: skip
        if not (math.isfinite(tonnes) and tonnes > 0.0):
            raise ValueError(f"mass: {mass[:40]} t: give more than 0 t, or leave it empty")
        args["declared_mass_t"] = tonnes
    return args


def parse_job_id(text: str) -> str:
    """The cancel form's job id; ``ValueError`` naming what is wrong and the fix."""
    job = text.strip()
    if not job:
        raise ValueError("job: empty: give the id of the job to cancel (J7, or a TOS order's)")
    if len(job) > JOB_ID_MAX or not _JOB_ID.fullmatch(job):
        raise ValueError(f"job: {job[:40]!r} is not a job id: letters, digits and . _ : ~ - "
                         f"only, at most {JOB_ID_MAX}, e.g. J7")  # fmt: skip
    return job


class JobOrderModal(OrderForm[Mapping[str, object]]):
    """A job order for one crane: dismisses with ``job.add``'s arguments."""

    BUTTON = "Add the job"

    def compose_fields(self) -> ComposeResult:
        yield Input(placeholder="from: truck:T1", id="from", max_length=80)
        yield Input(placeholder="to: stack:7:3:1", id="to", max_length=80)
        yield Select([(f"{s} ft", s) for s in SIZES_FT], value=40, allow_blank=False, id="size")
        yield Input(placeholder="declared mass t (optional)", id="mass", max_length=40)

    def read(self) -> Mapping[str, object]:
        size = self.query_one("#size", Select).value
        return parse_job_order(self.field("from"), self.field("to"), size, self.field("mass"))


class CancelJobModal(OrderForm[str]):
    """The id of a job to cancel (the crane's job, if it has one, to start with)."""

    BUTTON = "Cancel the job"

    def __init__(self, title: str, job: str | None) -> None:
        super().__init__(title)
        self.job = job

    def compose_fields(self) -> ComposeResult:
        yield Label("A box the job left hanging stays where it is until it is set down by hand.")
        yield Input(self.job or "", placeholder="job id: J7", id="job", max_length=80)

    def read(self) -> str:
        return parse_job_id(self.field("job"))
