"""The rig plot tells the run's story: the step and the twistlocks on lanes of their own, event
labels that never overlap (measured on the drawn figure), panels only for what changed."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping, Sequence

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from crane_ctrl.rig.conditions import Scalar
from crane_ctrl.rig.loading import load_scenario
from crane_ctrl.rig.plot import figure_of
from crane_ctrl.rig.plot.figure import GAP_IN, PANEL_IN
from crane_ctrl.rig.plot.rows import stack
from crane_ctrl.rig.plot.story import story
from crane_ctrl.rig.runner import Options, run_observed
from crane_ctrl.rig.timeline import Firing, Observed, Sample
from tests.profile_texts import ROOT

PERIOD_S = 0.05
Changes = Sequence[tuple[float, Scalar | None]]
"""A signal as (from, value) pieces: [(0, "idle"), (1.0, "lower")]."""

LIFT: dict[str, Changes] = {
    "step": [
        (0, "idle"),
        (1.0, "lower"),
        (3.0, "lock"),
        (3.4, "trial lift"),
        (3.6, "raise"),
        (6.0, "travel"),
        (9.0, "idle"),
    ],
    "phase": [(0, "none"), (1.0, "collect"), (3.6, "deliver"), (9.0, "none")],
    "job.J1": [
        (0, "queued"),
        (1.0, "moving_to_collect"),
        (3.0, "ready_to_collect"),
        (3.6, "moving_to_deliver"),
        (9.0, "done"),
    ],
    "machine": [(0, "execute")],
    "mode": [(0, "fullautomatic")],
    "comms.ok": [(0, True)],
    **{f"{axis}.ready": [(0, True)] for axis in ("gantry", "trolley", "hoist")},
    "load.pins": [(0, False), (3.0, True), (3.6, False)],
    "load.locked": [(0, False), (3.4, True)],
    "load.unlocked": [(0, True), (3.1, False)],
    "spreader.lock": [(0, False), (3.0, True), (3.4, False)],
    **{f"spreader.locked_{c}": [(0, False), (3.4, True)] for c in (1, 2, 3, 4)},
    **{f"spreader.unlocked_{c}": [(0, True), (3.1, False)] for c in (1, 2, 3, 4)},
    "gantry.position": [(0, 30.0), (6.0, 40.0)],
    "trolley.position": [(0, 10.0)],
    "hoist.position": [(0, 15.0), (1.0, 4.0), (3.6, 12.0)],
    "hoist.speed_ref": [(0, 0.0), (1.0, -0.5), (3.0, 0.0), (3.6, 0.5), (6.0, 0.0)],
    "gantry.speed_ref": [(0, 0.0), (6.0, 1.0), (9.0, 0.0)],
    "trolley.speed_ref": [(0, 0.0)],
    "sway.trolley": [(0, 0.0)],
    "sway.gantry": [(0, 0.0)],
    "hoist.load": [(0, 0.0), (3.5, 24.0)],
    "env.wind": [(0, 0.0)],
}
"""A job that lowers, locks, lifts and travels in 10 s, in still air with no sway."""


def at(changes: Changes, t: float) -> Scalar | None:
    value: Scalar | None = None
    for start, v in changes:
        if start <= t + 1e-9:
            value = v
    return value


def observed(
    signals: Mapping[str, Changes] = LIFT,
    *,
    duration_s: float = 10.0,
    trips: Changes = (),
    skip: tuple[float, float] | None = None,
    events: Mapping[str, list[Firing]] | None = None,
) -> Observed:
    """A run sampled every scan from ``signals``; ``trips`` as (from, "ID ID") pieces;
    ``skip``: no scans between these times (the supervisor frozen)."""
    samples = []
    for i in range(round(duration_s / PERIOD_S) + 1):
        t = round(i * PERIOD_S, 6)
        if skip is not None and skip[0] < t < skip[1]:
            continue
        tripped = frozenset(str(at(trips, t) or "").split())
        values = {name: at(changes, t) for name, changes in signals.items()}
        samples.append(Sample(t, values, trips=tripped))
    o = Observed(samples=samples, end_s=duration_s, ended_by="every job ended",
                 jobs={"J1": ("done", "")})  # fmt: skip
    for name, value in (events or {}).items():
        setattr(o, name, value)
    return o


def changed(name: str, changes: Changes) -> dict[str, Changes]:
    return {**LIFT, name: changes}


def axes_named(figure: Figure) -> dict[str, Axes]:
    return {str(ax.get_label()): ax for ax in figure.axes}


def row_labels(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def texts(figure: Figure, *gids: str) -> list[Text]:
    found = figure.findobj(lambda a: isinstance(a, Text) and a.get_gid() in gids)
    return [t for t in found if isinstance(t, Text)]


def drawn_boxes(figure: Figure, *gids: str) -> list[tuple[str, Bbox]]:
    """Each text's extent as drawn: its box where it has one (the event flags)."""
    figure.canvas.draw()
    out = []
    for t in texts(figure, *gids):
        patch = t.get_bbox_patch()
        box = t.get_window_extent() if patch is None else patch.get_window_extent()
        out.append((t.get_text(), box))
    return out


def overlapping(boxes: list[tuple[str, Bbox]]) -> list[tuple[str, str]]:
    return [
        (a, b)
        for (a, p), (b, q) in itertools.combinations(boxes, 2)
        if p.x0 < q.x1 - 0.5 and q.x0 < p.x1 - 0.5 and p.y0 < q.y1 - 0.5 and q.y0 < p.y1 - 0.5
    ]


CLOSE_EVENTS = {
    "faults": [Firing("fault 1 (wind)", 5.0), Firing("fault 2 (estop)", 5.05)],
    "clears": [Firing("clearing of fault 1 (wind)", 5.05)],
    "actions": [Firing("action 1 (reset)", 5.1), Firing("action 2 (unhold)", 5.1, "refused: why"),
                Firing("action 3 (stop)", None, "never taken: its time or condition never came")],
}  # fmt: skip


@pytest.fixture(scope="module")
def lift() -> Figure:
    """The plain lift, drawn once for the tests that only look at it."""
    return figure_of("lift", observed())


@pytest.fixture(scope="module")
def close() -> Figure:
    return figure_of("close", observed(events=CLOSE_EVENTS))


# --- lanes --------------------------------------------------------------------------------------


def test_the_step_and_the_job_are_labelled_bands(lift: Figure) -> None:
    figure = lift
    lanes = axes_named(figure)
    assert row_labels(lanes["band:step"]) == ["step"]
    labels = {t.get_text() for t in texts(figure, "band-label")}
    assert {"idle", "lower", "lock", "trial lift", "raise", "travel"} <= labels
    assert {"J1 collect", "J1 deliver"} <= labels


def test_twistlocks_and_landing_pins_have_rows_of_their_own(lift: Figure) -> None:
    rows = row_labels(axes_named(lift)["lane:spreader"])
    assert rows == ["load.pins", "spreader.lock (written)", "load.locked", "load.unlocked"]


def rows_of(o: Observed, lane: str) -> list[str]:
    """The rows a lane would show (the figure draws them as its tick labels, as above)."""
    found = [x for x in story(o).lanes if x.name == lane]
    return [row.label for x in found for row in x.rows]


def test_a_corner_that_disagrees_gets_a_row_per_corner() -> None:
    jammed = changed("spreader.locked_2", [(0, False)])
    assert [r for r in rows_of(observed(jammed), "spreader") if r.startswith("spreader.")] == [
        "spreader.lock (written)",
        "spreader.locked_1", "spreader.locked_2", "spreader.locked_3", "spreader.locked_4",
    ]  # fmt: skip


def test_corners_that_agree_but_not_with_the_derived_row_get_one_row() -> None:
    never_locked = changed("load.locked", [(0, False)])  # a fourth corner both locked and unlocked
    rows = rows_of(observed(never_locked), "spreader")
    assert "spreader.locked_1..4" in rows
    assert "load.locked" not in rows


def test_trips_that_stop_the_crane_get_rows_and_routine_permits_do_not() -> None:
    trips = [(0, "NOT_LANDED"), (5.0, "NOT_LANDED WIND_STOP"), (7.0, "")]
    assert rows_of(observed(trips=trips), "trips and alarms") == ["trip WIND_STOP"]


def test_the_rigs_start_up_makes_no_rows_but_a_later_drop_does() -> None:
    start = changed("comms.ok", [(0, False), (0.1, True)])
    assert rows_of(observed(start), "PLC and drives") == []
    dropped = changed("comms.ok", [(0, False), (0.1, True), (4.0, False), (4.05, True)])
    assert rows_of(observed(dropped), "PLC and drives") == ["comms.ok"]


def test_a_stretch_with_no_scan_is_unknown_not_the_last_value() -> None:
    told = story(observed(skip=(4.0, 6.0)))
    step = next(lane for lane in told.bands if lane.name == "step")
    assert [(round(a, 6), round(b, 6)) for a, b in step.unknown] == [(4.05, 6.0)]
    assert all(b.end_s <= 4.05 + 1e-9 or b.start_s >= 6.0 - 1e-9 for b in step.bands)


# --- labels that never overlap ------------------------------------------------------------------


def test_events_a_scan_apart_get_flags_that_do_not_overlap(close: Figure) -> None:
    figure = close
    flags = drawn_boxes(figure, "event")
    assert sorted(text for text, _ in flags) == sorted(["1", "2", "3", "4", "5"] * 2)  # strip, key
    assert overlapping(flags) == []
    assert overlapping(drawn_boxes(figure, "event", "event-key")) == []


def test_the_key_lists_each_event_with_its_time_and_what_did_not_happen(close: Figure) -> None:
    figure = close
    key = [t.get_text() for t in texts(figure, "event-key")]
    assert key == [
        "5.00 s   fault 1 (wind)",
        "5.05 s   fault 2 (estop)",
        "5.05 s   clearing of fault 1 (wind)",
        "5.10 s   action 1 (reset)",
        "5.10 s   action 2 (unhold): refused: why",
    ]
    shown = " ".join(t.get_text() for t in figure.texts)
    assert "did not happen: action 3 (stop): never taken" in shown


def test_short_steps_close_together_get_labels_that_do_not_overlap() -> None:
    steps = [(i * 0.1, f"step {i % 7}") for i in range(40)] + [(4.0, "travel")]
    many = {**changed("step", steps), "machine": [(0, "execute"), (2.0, "held"), (2.1, "execute")]}
    events = {"faults": [Firing(f"fault {i} (wind)", 2.0 + 0.05 * i) for i in range(1, 13)]}
    figure = figure_of("crowded", observed(many, events=events))
    labels = drawn_boxes(figure, "band-label", "event", "event-key")
    assert len(labels) > 30
    assert overlapping(labels) == []


def test_a_label_with_no_room_is_left_out_and_the_note_says_so() -> None:
    steps = [(i * 0.05, f"s{i}") for i in range(200)]
    figure = figure_of("no room", observed(changed("step", steps)))
    assert overlapping(drawn_boxes(figure, "band-label")) == []
    assert "No room for" in " ".join(t.get_text() for t in figure.texts)


def test_stack_puts_a_span_in_the_lowest_row_with_room() -> None:
    assert stack([(0, 10), (5, 15), (12, 20), (30, 40)], gap=1) == [0, 1, 0, 0]
    assert stack([(0, 10), (0, 10), (0, 10)], gap=1, max_rows=2) == [0, 1, None]


# --- panels only for what changed ---------------------------------------------------------------


def test_a_constant_signal_gets_no_panel_and_the_note_names_it(lift: Figure) -> None:
    figure = lift
    names = axes_named(figure)
    assert {n for n in names if n.startswith("panel:")} == {
        "panel:position, m", "panel:speed ref written, m/s", "panel:load, t",
    }  # fmt: skip
    note = " ".join(t.get_text() for t in figure.texts)
    assert "sway (sway.trolley 0.000, sway.gantry 0.000)" in note
    assert "wind (env.wind 0.000)" in note


def test_an_unknown_signal_gets_no_panel() -> None:
    told = story(observed(changed("sway.trolley", [(0, None)])))
    assert "sway, m" not in [p.title for p in told.panels]
    assert "sway (sway.trolley unknown, sway.gantry 0.000)" in told.left_out


def test_the_figure_grows_by_a_panel_for_each_panel_shown(lift: Figure) -> None:
    still = lift.get_size_inches()[1]
    windy = figure_of("windy", observed(changed("env.wind", [(0, 0.0), (5.0, 22.0)])))
    assert windy.get_size_inches()[1] == pytest.approx(still + PANEL_IN + GAP_IN)
    assert "panel:wind, m/s" in axes_named(windy)


# --- a real run ---------------------------------------------------------------------------------


def test_a_real_run_at_standstill_shows_the_estop_and_no_panels() -> None:
    scenario = load_scenario(ROOT / "simulators" / "scenarios" / "estop-at-standstill.toml")
    run = asyncio.run(run_observed(scenario, Options()))
    figure = figure_of(scenario.name, run)
    lanes = axes_named(figure)
    assert "plc.estop_ok" in row_labels(lanes["lane:PLC and drives"])
    assert "ESTOP (trip, alarm)" in row_labels(lanes["lane:trips and alarms"])
    assert "band:PackML state" in lanes
    assert not [n for n in lanes if n.startswith("panel:")]  # the crane never moved
    assert overlapping(drawn_boxes(figure, "event", "event-key", "band-label")) == []
