"""The simulator's control channel checks every parameter (issue 17, deliver 6, part): a number
must be finite and in its range, of the right type; a line nested too deep is answered, never a
traceback."""

from __future__ import annotations

import json

import pytest

from simulators.control import ControlChannel
from simulators.simulator import CraneSimulator


@pytest.fixture
def channel() -> ControlChannel:
    return ControlChannel(CraneSimulator())


@pytest.mark.parametrize(
    ("fault", "params", "says"),
    [
        ("wind", {"speed_mps": "nan"}, "speed_mps must be a finite number from 0 to 80, not nan"),
        ("wind", {"speed_mps": 1e308}, "from 0 to 80, not 1e+308"),
        ("wind", {"speed_mps": -50}, "from 0 to 80, not -50.0"),
        ("wind", {"speed_mps": 12, "gust_period_s": 0}, "gust_period_s must be"),
        ("link_latency", {"seconds": -1}, "seconds must be a finite number from 0 to 60"),
        ("link_latency", {"seconds": 1e9}, "from 0 to 60"),
        ("force", {"signal": "plc.estop_ok", "value": "yes"}, "a number, true or false"),
        ("twistlock_jammed", {"corner": 5}, "corner must be 1, 2, 3 or 4"),
        ("twistlock_jammed", {"corner": True}, "corner must be a int"),
        ("overweight", {"container": "X", "mass_t": "inf"}, "mass_t must be a finite number"),
    ],
)
def test_a_parameter_out_of_its_range_or_type_is_refused_with_its_range(
    channel: ControlChannel, fault: str, params: dict[str, object], says: str
) -> None:
    answer = channel.handle(json.dumps({"op": "inject", "fault": fault, "params": params}).encode())
    assert answer["ok"] is False
    assert says in answer["error"]
    assert channel.sim.faults.active == {}


def test_a_good_parameter_is_taken(channel: ControlChannel) -> None:
    answer = channel.handle(b'{"op": "inject", "fault": "wind", "params": {"speed_mps": 12}}')
    assert answer == {"ok": True, "key": "wind"}


def test_a_line_nested_thirty_thousand_deep_is_answered(channel: ControlChannel) -> None:
    answer = channel.handle(b"[" * 30_000 + b"]" * 30_000)
    assert answer == {"ok": False, "error": "not a request: nested too deep"}
