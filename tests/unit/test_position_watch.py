"""A position inside the travel that disagrees with its axis's speed is bad in that scan.

Found by the hostile set of issue 14 (tests/hostile14): a trolley encoder frozen for 10 s while
the trolley ran at 0.67 m/s read 4.02 m throughout (6.4 m behind the crane) and nothing held: the
clearances over the stacks were judged where the trolley was not. A gantry word that jumped
0.5 m for one scan went by unseen as well. Both values are within the crane's travel, so only
the axis's own speed can tell them from the truth.
"""

from __future__ import annotations

from crane_ctrl.position_watch import PositionWatch
from crane_ctrl.snapshot import Quality, Reading

PERIOD_S = 0.05


def _readings(t: float, position: float, speed: float) -> dict[str, Reading]:
    return {
        "trolley.position": Reading(position, Quality.GOOD, t),
        "trolley.speed": Reading(speed, Quality.GOOD, t),
    }


def _run(watch: PositionWatch, positions: list[float], speed: float) -> list[str]:
    """What the watch says of each scan's trolley position (``""``: good)."""
    said = []
    for i, position in enumerate(positions):
        t = i * PERIOD_S
        bad = watch.check(_readings(t, position, speed), t)
        said.append(bad["trolley.position"].reason if bad else "")
    return said


def test_a_position_that_follows_its_speed_stays_good() -> None:
    positions = [2.0 + 0.674 * i * PERIOD_S for i in range(400)]
    assert _run(PositionWatch(), positions, 0.674) == [""] * 400


def test_a_frozen_encoder_on_a_running_axis_is_bad_within_half_a_second() -> None:
    positions = [2.0 + 0.674 * i * PERIOD_S for i in range(40)] + [3.3] * 40
    said = _run(PositionWatch(), positions, 0.674)
    first = next(i for i, why in enumerate(said) if why)
    assert 40 <= first <= 40 + round(0.5 / PERIOD_S)
    assert "disagrees with trolley.speed" in said[first]
    assert all(said[first:]), "bad for as long as it stays frozen"


def test_a_frozen_encoder_at_creep_speed_is_bad_within_three_seconds() -> None:
    positions = [3.0 - 0.1 * i * PERIOD_S for i in range(20)] + [2.9] * 80
    said = _run(PositionWatch(), positions, -0.1)
    first = next(i for i, why in enumerate(said) if why)
    assert (first - 20) * PERIOD_S <= 3.0


def test_a_half_metre_jump_for_one_scan_is_bad_in_that_scan_and_a_second_after() -> None:
    positions = [60.0 + 2.0 * i * PERIOD_S for i in range(100)]
    positions[50] += 0.5
    said = _run(PositionWatch(), positions, 2.0)
    assert said[:50] == [""] * 50
    assert "moved +0.60 m since the last scan" in said[50]
    assert all(said[50 : 50 + round(1.0 / PERIOD_S)])
    assert said[-1] == ""


def test_an_axis_at_rest_may_be_corrected_by_centimetres_but_not_jump() -> None:
    corrected = [5.0] * 50 + [5.01] * 50  # a beacon's correction
    assert _run(PositionWatch(), corrected, 0.0) == [""] * 100
    said = _run(PositionWatch(), [82.25] * 50 + [82.75] + [82.25] * 49, 0.0)
    assert said[:50] == [""] * 50
    assert "moved +0.50 m since the last scan" in said[50]
    assert "moved -0.50 m since the last scan" in said[51]


def test_a_reading_not_renewed_this_scan_is_not_compared_again() -> None:
    watch = PositionWatch()
    watch.check(_readings(0.0, 1.0, 2.0), 0.0)
    for i in range(1, 6):  # polls missed: the same reading, the speed's integral must not grow
        assert watch.check(_readings(0.0, 1.0, 2.0), i * PERIOD_S) == {}
