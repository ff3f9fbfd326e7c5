"""A PNG per scenario: positions, sway, the speed references written, the wind, and markers where
faults were injected (red) and cleared (green) and the operator acted (grey).

Matplotlib's object API on the Agg canvas: no pyplot, no display, no global state, so plots can
be drawn in parallel worker processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from crane_ctrl.rig.expectations import SPEED_REFS
from crane_ctrl.rig.timeline import Firing, Observed, Sample

__all__ = ["write_plot"]

_PANELS = (
    ("position, m", ("gantry.position", "trolley.position", "hoist.position")),
    ("sway, m", ("sway.trolley", "sway.gantry")),
    ("speed ref written, m/s", SPEED_REFS),
    ("wind, m/s", ("env.wind",)),
)
_MARKS = (("faults", "tab:red", "-"), ("clears", "tab:green", "--"), ("actions", "grey", ":"))


def write_plot(title: str, observed: Observed, path: Path) -> Path:
    figure = Figure(figsize=(10, 9), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(_PANELS), 1, sharex=True)
    times = [s.time_s for s in observed.samples]
    for ax, (label, names) in zip(axes, _PANELS, strict=True):
        for name in names:
            ax.plot(times, _series(observed.samples, name), label=name, linewidth=1)
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize="small")
        _mark(ax, observed, label_them=ax is axes[0])
    axes[-1].set_xlabel("crane time, s")
    figure.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    return path


def _series(samples: Sequence[Sample], name: str) -> list[float]:
    """A numeric signal over the run; NaN where it is unknown (a gap in the line)."""
    out = []
    for s in samples:
        v = s.values.get(name)
        out.append(float(v) if isinstance(v, int | float) else float("nan"))
    return out


def _mark(ax: Axes, observed: Observed, *, label_them: bool) -> None:
    for attribute, colour, style in _MARKS:
        firings: list[Firing] = getattr(observed, attribute)
        for firing in firings:
            if firing.time_s is None:
                continue
            ax.axvline(firing.time_s, color=colour, linestyle=style, linewidth=1)
            if label_them:
                ax.annotate(
                    firing.what,
                    (firing.time_s, 1.0),
                    xycoords=("data", "axes fraction"),
                    rotation=90,
                    fontsize="x-small",
                    va="top",
                    ha="right",
                    color=colour,
                )
