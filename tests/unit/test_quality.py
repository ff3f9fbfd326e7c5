"""The snapshot builder, pure: hand-made link results and times in, each signal's quality out.

Good, bad (implausible or a problem the link reported), good while a missed read is younger than
``max_age_s`` and stale after, missing when not mapped; comms trusted only once the PLC heartbeat
is seen to change, and not while it is frozen, not good, or the data is old, nor at all while the
link has declared itself down. A frozen PLC's readings are as old as its last heartbeat change.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from crane_ctrl.link_report import ReadResult
from crane_ctrl.quality import QualitySettings, SnapshotBuilder
from crane_ctrl.signals import CORNERS, STATUS, Value
from crane_ctrl.snapshot import Quality, Reading, Snapshot
from crane_ctrl.validity import Proof, StatusBlock

SETTINGS = QualitySettings(heartbeat_timeout_s=1.0, max_age_s=0.3)

UNMAPPED = ("lane.clear", "lane.truck_lifted", "sway.trolley", "sway.gantry")
"""Optional signals this test profile leaves out."""

VALUES: dict[str, Value] = {
    "plc.remote": True, "plc.estop_ok": True, "plc.watchdog_trip": False, "plc.fault_code": 0,
    "gantry.position": 100.0, "trolley.position": 20.0, "hoist.position": 17.95,
    "gantry.speed": 0.0, "trolley.speed": 0.5, "hoist.speed": 0.0,
    **{f"{a}.ready": True for a in ("gantry", "trolley", "hoist")},
    **{f"{a}.fault": False for a in ("gantry", "trolley", "hoist")},
    "gantry.limit_fwd_ok": True, "gantry.limit_rev_ok": True,
    "trolley.limit_fwd_ok": True, "trolley.limit_rev_ok": True,
    "hoist.limit_up_ok": True, "hoist.limit_down_ok": True,
    "hoist.load": 0.0, "hoist.slack_rope": False, "spreader.size": 40,
    **{f"spreader.landed_{c}": False for c in CORNERS},
    **{f"spreader.locked_{c}": False for c in CORNERS},
    **{f"spreader.unlocked_{c}": True for c in CORNERS},
    "gantry.storm_pins_up": True, "env.wind": 3.0,
}  # fmt: skip
"""Every mapped status signal but the heartbeat, healthy."""

MAPPED = frozenset(VALUES) | {"plc.heartbeat"}


def read(beat: Value, changes: Mapping[str, Value] | None = None, **problems: str) -> ReadResult:
    """A good read of every mapped signal with PLC heartbeat ``beat``; ``problems`` (keyword
    ``hoist_load`` for ``hoist.load``) are left out of the values with that reason."""
    values = {**VALUES, "plc.heartbeat": beat, **(changes or {})}
    named = {key.replace("_", ".", 1): why for key, why in problems.items()}
    for name in named:
        values.pop(name, None)
    return ReadResult(True, values, named)


FAILED = ReadResult(False, error="link plc-7 (memory): read timed out after 0.2 s")


def builder() -> SnapshotBuilder:
    return SnapshotBuilder(MAPPED, SETTINGS)


def trusted(b: SnapshotBuilder, beat: int = 8, at: float = 0.05) -> Snapshot:
    """Two reads at ``at - 0.05`` and ``at`` with a heartbeat that changed: comms trusted."""
    b.update(read(beat - 1), at - 0.05)
    snapshot = b.update(read(beat), at)
    assert snapshot.comms_ok, snapshot.comms_reason
    return snapshot


# --- one signal's quality ------------------------------------------------------------------------


def test_fresh_plausible_values_are_good_with_the_time_they_were_read() -> None:
    snapshot = builder().update(read(7), 12.5)
    assert snapshot.time_s == 12.5
    assert snapshot.reading("env.wind") == Reading(3.0, Quality.GOOD, 12.5)
    assert snapshot.reading("plc.heartbeat") == Reading(7, Quality.GOOD, 12.5)
    assert {n for n, r in snapshot.readings.items() if r.good} == MAPPED


def test_snapshot_holds_every_status_signal_and_counts_the_scans() -> None:
    b = builder()
    first, second = b.update(read(1), 0.0), b.update(FAILED, 0.05)
    assert set(first.readings) == set(second.readings) == {s.name for s in STATUS}
    assert (first.scan, second.scan) == (1, 2)


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("env.wind", 250.0, "env.wind = 250.0 is implausible (plausible: 0 to 100 m/s)"),
        ("env.wind", float("nan"), "env.wind = nan is implausible (plausible: 0 to 100 m/s)"),
        (
            "spreader.size",
            33,
            "spreader.size = 33 is implausible (plausible: one of 0, 20, 40, 45)",
        ),
        ("hoist.load", -25.0, "hoist.load = -25.0 is implausible (plausible: -20 to 150 t)"),
        ("plc.remote", 1, "plc.remote = 1 is implausible (plausible: true or false)"),
    ],
)
def test_implausible_value_is_bad_keeping_the_last_good_value_and_its_time(
    name: str, value: Value, why: str
) -> None:
    b = builder()
    b.update(read(1), 0.0)
    snapshot = b.update(read(2, {name: value}), 0.05)
    assert snapshot.reading(name) == Reading(VALUES[name], Quality.BAD, 0.0, why)
    assert snapshot.reading("trolley.speed").good


def test_implausible_value_before_any_good_one_is_bad_without_a_value() -> None:
    snapshot = builder().update(read(1, {"env.wind": -1.0}), 0.0)
    assert snapshot.reading("env.wind") == Reading(
        None, Quality.BAD, None, "env.wind = -1.0 is implausible (plausible: 0 to 100 m/s)"
    )


def test_problem_reported_by_the_link_is_bad_with_that_reason_and_the_last_good_value() -> None:
    b = builder()
    b.update(read(1, {"hoist.load": 12.5}), 0.0)
    why = "Modbus exception 2 reading input 12..13"
    snapshot = b.update(read(2, hoist_load=why), 0.05)
    reason = f"hoist.load unreadable: {why}"
    assert snapshot.reading("hoist.load") == Reading(12.5, Quality.BAD, 0.0, reason)


def test_mapped_signal_absent_from_a_good_read_without_a_reason_is_bad() -> None:
    values = dict(VALUES, **{"plc.heartbeat": 1})
    del values["env.wind"]
    snapshot = builder().update(ReadResult(True, values), 0.0)
    assert snapshot.reading("env.wind") == Reading(
        None, Quality.BAD, None, "env.wind unreadable: not in the read result"
    )


def test_bad_signal_is_good_again_on_the_next_plausible_value() -> None:
    b = builder()
    b.update(read(1), 0.0)
    b.update(read(2, {"env.wind": 250.0}), 0.05)
    assert b.update(read(3, {"env.wind": 4.5}), 0.1).reading("env.wind") == Reading(
        4.5, Quality.GOOD, 0.1
    )


def test_unmapped_optional_signals_are_missing_not_mapped_by_the_profile() -> None:
    b = builder()
    snapshots = [b.update(read(1), 0.0), b.update(FAILED, 0.05), b.update(FAILED, 5.0)]
    for snapshot in snapshots:
        for name in UNMAPPED:
            assert snapshot.reading(name) == Reading(
                None, Quality.MISSING, None, "not mapped by the profile"
            )


def test_values_for_unmapped_signals_in_a_read_are_ignored() -> None:
    snapshot = builder().update(read(1, {"lane.clear": True}), 0.0)
    assert snapshot.reading("lane.clear").quality is Quality.MISSING


# --- missed reads ----------------------------------------------------------------------------------


def test_failed_read_keeps_values_good_while_younger_than_max_age() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    for now in (0.1, 0.2, 0.35):  # the last good read was at 0.05: at most 0.3 s old
        snapshot = b.update(FAILED, now)
        assert snapshot.reading("trolley.speed") == Reading(0.5, Quality.GOOD, 0.05)
        assert snapshot.comms_ok, snapshot.comms_reason


def test_failed_read_older_than_max_age_is_stale_with_the_last_value_time_and_link_error() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    b.update(FAILED, 0.2)
    snapshot = b.update(FAILED, 0.4)
    assert snapshot.reading("trolley.speed") == Reading(
        0.5, Quality.STALE, 0.05, f"not read: {FAILED.error}"
    )
    assert snapshot.time_s - (snapshot.reading("trolley.speed").time_s or 0.0) == pytest.approx(
        0.35
    )
    assert {n for n, r in snapshot.readings.items() if r.quality is Quality.STALE} == MAPPED


def test_data_older_than_max_age_is_a_comms_fault_saying_how_old_and_why() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    snapshot = b.update(FAILED, 0.4)
    assert not snapshot.comms_ok
    assert snapshot.comms_reason == f"no data from the PLC (last read 0.35 s ago): {FAILED.error}"


def test_nothing_read_counts_as_a_failed_read() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    snapshot = b.update(None, 1.0)
    assert snapshot.reading("env.wind") == Reading(3.0, Quality.STALE, 0.05, "not read: not read")
    assert snapshot.comms_reason == "no data from the PLC (last read 0.95 s ago): not read"


def test_signal_never_read_is_missing_and_comms_never_trusted() -> None:
    snapshot = builder().update(FAILED, 0.0)
    assert snapshot.reading("env.wind") == Reading(
        None, Quality.MISSING, None, f"not read: {FAILED.error}"
    )
    assert not snapshot.comms_ok
    assert snapshot.comms_reason == f"no data from the PLC (last read never): {FAILED.error}"


def test_bad_signal_then_a_failed_read_goes_stale_keeping_its_last_good_value() -> None:
    b = builder()
    b.update(read(1), 0.0)
    b.update(read(2, {"env.wind": 250.0}), 0.05)
    snapshot = b.update(FAILED, 0.1)
    assert snapshot.reading("env.wind") == Reading(
        3.0, Quality.STALE, 0.0, f"not read: {FAILED.error}"
    )


def test_fresh_data_after_stale_data_is_good_and_trusted_again() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    assert not b.update(FAILED, 2.0).comms_ok
    snapshot = b.update(read(30), 2.05)
    assert snapshot.comms_ok, snapshot.comms_reason
    assert snapshot.reading("trolley.speed") == Reading(0.5, Quality.GOOD, 2.05)


# --- the link declared itself down -----------------------------------------------------------------


def test_link_down_is_a_comms_fault_at_once_with_the_last_link_error() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    snapshot = b.update(FAILED, 0.1, link_up=False)
    assert not snapshot.comms_ok
    assert snapshot.comms_reason == f"link down: {FAILED.error}"


def test_link_down_keeps_readings_good_while_younger_than_max_age_and_stale_after() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    for now in (0.1, 0.2, 0.35):
        snapshot = b.update(FAILED, now, link_up=False)
        assert snapshot.reading("trolley.speed") == Reading(0.5, Quality.GOOD, 0.05)
        assert snapshot.comms_reason == f"link down: {FAILED.error}"
    snapshot = b.update(FAILED, 0.4, link_up=False)
    assert snapshot.reading("trolley.speed") == Reading(
        0.5, Quality.STALE, 0.05, f"not read: {FAILED.error}"
    )
    assert not snapshot.comms_ok
    assert snapshot.comms_reason == f"no data from the PLC (last read 0.35 s ago): {FAILED.error}"


def test_failed_read_with_the_link_up_is_tolerated_but_not_with_the_link_down() -> None:
    up, down = builder(), builder()
    trusted(up, beat=8, at=0.05)
    trusted(down, beat=8, at=0.05)
    assert up.update(FAILED, 0.1).comms_ok
    assert not down.update(FAILED, 0.1, link_up=False).comms_ok


def test_link_up_again_with_fresh_data_restores_comms() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    assert not b.update(FAILED, 0.1, link_up=False).comms_ok
    snapshot = b.update(read(9), 0.15)
    assert snapshot.comms_ok, snapshot.comms_reason
    assert snapshot.reading("trolley.speed") == Reading(0.5, Quality.GOOD, 0.15)


# --- the PLC heartbeat -----------------------------------------------------------------------------


def test_comms_are_not_trusted_until_the_plc_heartbeat_is_seen_to_change() -> None:
    b = builder()
    for now in (0.0, 0.05, 0.1, 3.0):
        snapshot = b.update(read(41), now)
        assert not snapshot.comms_ok
        assert snapshot.comms_reason == "waiting for the PLC heartbeat to change"
        assert snapshot.reading("env.wind").good  # the values are fresh, only not trusted
    snapshot = b.update(read(42), 3.05)
    assert snapshot.comms_ok
    assert snapshot.comms_reason == ""


def test_heartbeat_unchanged_for_less_than_the_timeout_keeps_comms_trusted() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)  # changed at 0.05
    for step in range(1, 20):  # the PLC counts slower than we scan: up to 0.95 s unchanged
        snapshot = b.update(read(8), 0.05 + step * 0.05)
        assert snapshot.comms_ok, snapshot.comms_reason
        assert snapshot.reading("env.wind").good


def test_heartbeat_frozen_past_the_timeout_is_a_comms_fault_and_readings_stale_since_it_froze() -> (
    None
):
    b = builder()
    trusted(b, beat=8, at=0.05)
    snapshot = b.update(read(8), 1.15)
    assert not snapshot.comms_ok
    assert snapshot.comms_reason == "PLC heartbeat frozen at 8 for 1.1 s"
    stale = {n for n, r in snapshot.readings.items() if r.quality is Quality.STALE}
    assert stale == MAPPED
    assert snapshot.reading("trolley.speed") == Reading(
        0.5, Quality.STALE, 0.05, "PLC heartbeat frozen at 8 for 1.1 s"
    )  # read at 1.15, but a frozen PLC's data is as old as its last heartbeat change (0.05)
    assert {r.time_s for n, r in snapshot.readings.items() if n in MAPPED} == {0.05}
    for name in UNMAPPED:
        assert snapshot.reading(name).reason == "not mapped by the profile"


def test_heartbeat_frozen_keeps_an_older_last_good_time_of_a_signal_bad_since_before() -> None:
    b = builder()
    b.update(read(7), 0.0)
    b.update(read(8, {"env.wind": 250.0}), 0.05)  # the heartbeat changes at 0.05, wind is bad
    snapshot = b.update(read(8, {"env.wind": 250.0}), 1.15)
    assert snapshot.reading("env.wind") == Reading(
        3.0, Quality.STALE, 0.0, "PLC heartbeat frozen at 8 for 1.1 s"
    )
    assert snapshot.reading("trolley.speed").time_s == 0.05


def test_comms_recover_when_the_frozen_heartbeat_changes_again() -> None:
    b = builder()
    still = {"trolley.speed": 0.0}  # (a running trolley whose position stood 1.1 s is bad data)
    b.update(read(7, still), 0.0)
    b.update(read(8, still), 0.05)
    assert not b.update(read(8, still), 1.15).comms_ok
    assert not b.update(read(8, still), 1.2).comms_ok
    snapshot = b.update(read(9, still), 1.25)
    assert snapshot.comms_ok, snapshot.comms_reason
    assert {n for n, r in snapshot.readings.items() if r.good} == MAPPED


def test_heartbeat_wrapping_to_zero_counts_as_a_change() -> None:
    b = builder()
    b.update(read(65535), 0.0)
    assert b.update(read(0), 0.05).comms_ok


def test_heartbeat_frozen_during_missed_reads_is_still_detected() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    for now in (0.3, 0.6, 0.9):
        b.update(read(8), now)
        assert b.update(FAILED, now + 0.1).comms_ok
    snapshot = b.update(read(8), 1.15)
    assert snapshot.comms_reason == "PLC heartbeat frozen at 8 for 1.1 s"


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (
            read(1.5),
            "plc.heartbeat is bad: plc.heartbeat = 1.5 is implausible (plausible: -2.14748e+09 to 4.29497e+09)",
        ),
        (
            read(9, plc_heartbeat="undecodable uint16 at input 20"),
            "plc.heartbeat is bad: plc.heartbeat unreadable: undecodable uint16 at input 20",
        ),
    ],
)
def test_heartbeat_not_good_is_a_comms_fault(result: ReadResult, reason: str) -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    snapshot = b.update(result, 0.1)
    assert not snapshot.comms_ok
    assert snapshot.comms_reason == reason
    assert snapshot.reading("env.wind").good  # only the heartbeat is in doubt


def test_heartbeat_good_again_after_being_bad_restores_comms_when_it_changes() -> None:
    b = builder()
    trusted(b, beat=8, at=0.05)
    b.update(read(9, plc_heartbeat="undecodable"), 0.1)
    assert b.update(read(10), 0.15).comms_ok


def test_settings_default_to_one_second_heartbeat_and_six_scans_of_age() -> None:
    assert QualitySettings() == QualitySettings(heartbeat_timeout_s=1.0, max_age_s=0.3)
    assert SnapshotBuilder(MAPPED).settings == QualitySettings()


# --- this crane's plausible ranges (issue 14) ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "good"),
    [
        ("gantry.position", 1e9, False),
        ("gantry.position", 301.5, True),  # past the 300 m travel, within the limit margin
        ("gantry.position", 303.0, False),
        ("trolley.position", 1e6, False),
        ("hoist.position", -40.0, False),
        ("hoist.position", -1.0, True),  # the lower limit sits below ground
        ("hoist.load", -50.0, False),
        ("hoist.load", -10.3, True),  # a landed spreader on slack ropes reads about minus its tare
        ("hoist.load", -12.5, False),
        ("trolley.speed", 1.1, True),
        ("trolley.speed", 1.3, False),  # 0.8 m/s rated: beyond 1.5 times is no real speed
    ],
)
def test_this_cranes_ranges_make_values_no_sensor_on_it_can_show_bad(
    name: str, value: float, good: bool
) -> None:
    from crane_ctrl.crane import CraneParams
    from crane_ctrl.quality import crane_ranges

    b = SnapshotBuilder(MAPPED, SETTINGS, ranges=crane_ranges(CraneParams(), SETTINGS))
    b.update(read(1, {name: value}), 0.0)  # there from the start (a jump would be bad data)
    reading = b.update(read(2, {name: value}), 0.05).reading(name)
    assert reading.good is good, reading
    if not good:
        assert reading.reason.startswith(f"{name} = {value!r} is implausible")
        assert "plausible:" in reading.reason


# --- status blocks not proven alive (the profile's [validity]) ------------------------------------

LIMIT_WORD = StatusBlock(
    "limit_word",
    Proof.LIFE_COUNTER,
    frozenset({"gantry.limit_fwd_ok", "gantry.limit_rev_ok"}),
    source="limits_life",
    timeout_s=0.5,
)


def with_life(result: ReadResult, life: int) -> ReadResult:
    return ReadResult(result.ok, result.values, result.problems, proofs={"limit_word": life})


def test_signals_of_a_block_whose_life_counter_froze_are_bad_naming_the_block_comms_stay_ok() -> (
    None
):
    b = SnapshotBuilder(MAPPED, SETTINGS, blocks=[LIMIT_WORD])
    b.update(with_life(read(1), 10), 0.0)
    good = b.update(with_life(read(2), 11), 0.1)
    assert good.comms_ok
    assert good.good("gantry.limit_fwd_ok")
    b.update(with_life(read(3), 11), 0.5)
    frozen = b.update(with_life(read(4), 11), 0.65)
    assert frozen.comms_ok
    r = frozen.reading("gantry.limit_fwd_ok")
    assert (r.quality, r.value, r.time_s) == (Quality.BAD, True, 0.5)
    assert r.reason == (
        'status block "limit_word" is not proven alive: its life counter limits_life has not '
        "changed for 0.6 s (at 11; timeout 0.5 s)"
    )
    assert frozen.good("trolley.limit_fwd_ok")  # not in the block
    assert b.update(with_life(read(5), 12), 0.7).good("gantry.limit_fwd_ok")


def test_a_block_is_bad_from_the_start_until_its_life_counter_changes() -> None:
    b = SnapshotBuilder(MAPPED, SETTINGS, blocks=[LIMIT_WORD])
    first = b.update(with_life(read(1), 10), 0.0)
    assert first.reading("gantry.limit_rev_ok").bad
    assert first.reading("gantry.limit_rev_ok").value is None  # never good: no value to keep
    assert not b.update(with_life(read(2), 10), 0.05).good("gantry.limit_rev_ok")
    assert b.update(with_life(read(3), 11), 0.1).good("gantry.limit_rev_ok")
