"""A PNG per scenario that tells the run's story: numbered events (faults injected and cleared,
the operator's actions, the model's faults) with their key; the job, the sequencer's step and the
PackML state as labelled bands; twistlocks, landing pins, the PLC and the trips and alarms that
stop the crane as yes/no lanes; positions, speed references, sway, load and wind as lines. Only
what changed during the run is drawn; a note says what was left out.

Matplotlib's object API on the Agg canvas: no pyplot, no display, no global state, so plots can
be drawn in parallel worker processes. :func:`figure_of` gives the figure before it is saved.
"""

from __future__ import annotations

from pathlib import Path

from crane_ctrl.rig.plot.figure import DPI, figure_of
from crane_ctrl.rig.timeline import Observed

__all__ = ["figure_of", "write_plot"]


def write_plot(title: str, observed: Observed, path: Path) -> Path:
    figure = figure_of(title, observed)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI)
    return path
