"""Write semantics per command (issue 15, item 3): every scan, on change, pulse, request. Pure:
the writer is stepped with levels, what was read and the time; what it writes is checked."""

from __future__ import annotations

import pytest

from crane_ctrl.commands import Commands
from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.command_writes import CommandWriter
from crane_ctrl.profile.loader import parse_profile
from crane_ctrl.profile.model import Profile
from crane_ctrl.signals import Value
from tests.profile_texts import GENERIC_MODBUS, GENERIC_OPCUA, with_signal

SCAN = 0.05
LOCK = "spreader.lock"


def profile(*changes: tuple[str, str], base: str = GENERIC_MODBUS, points: str = "") -> Profile:
    text = base
    for name, mapping in changes:
        text = with_signal(text, name, mapping)
    return parse_profile(text + points, "semantics.toml")


def modbus_word(bit: int, extra: str = "") -> str:
    return f'{{ table = "holding", address = 90, type = "uint16", bit = {bit}{extra} }}'


ACK_POINTS = """
[points]
lock_ack = { table = "input", address = 90, type = "bool", bit = 0 }
lock_refused = { table = "input", address = 90, type = "bool", bit = 1 }
lock_reason = { table = "input", address = 91, type = "uint16" }
"""


class Run:
    """Steps a writer scan by scan; ``writes[name]`` lists (scan, value) of each write."""

    def __init__(self, p: Profile) -> None:
        self.writer = CommandWriter(p, SCAN)
        self.scan = 0
        self.writes: dict[str, list[tuple[int, Value]]] = {}
        self.events: list[str] = []

    def step(
        self, levels: dict[str, Value], read: dict[str, Value] | None = None
    ) -> dict[str, Value]:
        plan = self.writer.step(levels, read or {}, self.scan * SCAN)
        self.writer.written(True)
        for name, value in plan.values.items():
            self.writes.setdefault(name, []).append((self.scan, value))
        self.events += [str(e) for e in plan.events]
        self.scan += 1
        return plan.values

    def values(self, name: str) -> list[Value]:
        return [v for _, v in self.writes.get(name, [])]


def test_every_scan_writes_the_level_every_scan() -> None:
    run = Run(profile())
    for _ in range(5):
        run.step({LOCK: True, "drives.enable": True})
    assert run.values(LOCK) == [True] * 5


def test_on_change_writes_only_changes_and_again_after_a_failed_write() -> None:
    run = Run(profile(("drives.enable", '{ table = "coil", address = 0, write = "on_change" }')))
    for level in (True, True, True, False, False):
        run.step({"drives.enable": level})
    assert run.writes["drives.enable"] == [(0, True), (3, False)]
    run.writer.step({"drives.enable": False}, {}, 1.0)
    run.writer.written(False)  # the write did not land: the PLC may not hold it
    assert run.writer.step({"drives.enable": False}, {}, 1.05).values == {"drives.enable": False}


def test_a_packed_word_is_written_whole_so_an_on_change_bit_is_never_clobbered() -> None:
    p = profile(
        ("drives.enable", modbus_word(0, ', write = "on_change"')),
        (LOCK, modbus_word(1)),
    )
    run = Run(p)
    run.step({"drives.enable": True, LOCK: False})
    values = run.step({"drives.enable": True, LOCK: True})
    assert values == {"drives.enable": True, LOCK: True}  # its mate rides along at its value


def test_pulse_is_one_pulse_per_rising_edge_of_its_length_however_long_the_level() -> None:
    run = Run(
        profile(("plc.reset", '{ table = "coil", address = 3, write = "pulse", pulse_s = 0.2 }'))
    )
    for _ in range(20):
        run.step({"plc.reset": True})
    assert run.writes["plc.reset"] == [(0, True), (4, False)]  # 0.2 s at 20 Hz, then low
    run.step({"plc.reset": False})
    run.step({"plc.reset": True})
    assert run.writes["plc.reset"][-1] == (21, True)  # re-armed by the level falling


def test_pulse_with_an_ack_is_re_armed_only_once_taken_over() -> None:
    p = profile((LOCK, '{ table = "coil", address = 1, write = "pulse", ack = "lock_ack" }'),
                points=ACK_POINTS)  # fmt: skip
    run = Run(p)
    run.step({LOCK: True}, {"lock_ack": False})
    run.step({LOCK: False}, {"lock_ack": False})
    run.step({LOCK: True}, {"lock_ack": False})  # a new edge while the first waits: ignored
    assert run.values(LOCK) == [True, False]
    run.step({LOCK: False}, {"lock_ack": True})
    assert "spreader.lock taken over" in run.events
    run.step({LOCK: True}, {"lock_ack": False})
    assert run.values(LOCK) == [True, False, True]


def test_request_cleared_by_the_plc_is_written_once_and_never_set_again() -> None:
    p = profile((LOCK, '{ table = "coil", address = 1, write = "request", cleared_by_plc = true }'))
    run = Run(p)
    run.step({LOCK: True}, {LOCK: False})
    for _ in range(3):  # the PLC has not taken it yet: the place reads back true
        run.step({LOCK: True}, {LOCK: True})
    run.step({LOCK: True}, {LOCK: False})  # cleared by the PLC: taken over
    for _ in range(10):
        run.step({LOCK: True}, {LOCK: False})
    assert run.values(LOCK) == [True, False]
    assert run.events == ["spreader.lock requested", "spreader.lock taken over: cleared by the PLC"]
    assert not run.writer.refusals


def test_request_the_plc_clears_as_it_refuses_it_is_refused_not_taken_over() -> None:
    p = profile(
        (LOCK, '{ table = "coil", address = 1, write = "request", cleared_by_plc = true, '
               'refused = "lock_refused", reason = "lock_reason", '
               'reason_texts = { 3 = "spreader not seated" } }'),
        points=ACK_POINTS,
    )  # fmt: skip
    run = Run(p)
    run.step({LOCK: True}, {LOCK: False, "lock_refused": False, "lock_reason": 0})
    run.step({LOCK: True}, {LOCK: False, "lock_refused": True, "lock_reason": 3})
    assert run.writer.refusals == {LOCK: "the PLC refused it: 3 (spreader not seated)"}
    assert run.events == [
        "spreader.lock requested",
        "spreader.lock refused: 3 (spreader not seated)",
    ]


def test_request_refused_gives_the_plc_reason_in_its_words_until_no_longer_asked() -> None:
    p = profile(
        (LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_ack", '
               'refused = "lock_refused", reason = "lock_reason", '
               'reason_texts = { 3 = "spreader not seated" } }'),
        points=ACK_POINTS,
    )  # fmt: skip
    run = Run(p)
    quiet: dict[str, Value] = {"lock_ack": False, "lock_refused": False, "lock_reason": 0}
    run.step({LOCK: True}, quiet)
    run.step({LOCK: True}, {**quiet, "lock_refused": True, "lock_reason": 3})
    assert run.writer.refusals == {LOCK: "the PLC refused it: 3 (spreader not seated)"}
    assert run.values(LOCK) == [True, False]
    for _ in range(5):
        run.step({LOCK: True}, quiet)
    assert run.values(LOCK) == [True, False]  # not asked again while the level stays high
    run.step({LOCK: False}, quiet)
    assert not run.writer.refusals


def test_request_not_taken_over_times_out_with_a_reason() -> None:
    p = profile((LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_ack", '
                       "timeout_s = 0.5 }"), points=ACK_POINTS)  # fmt: skip
    run = Run(p)
    for _ in range(12):
        run.step({LOCK: True}, {"lock_ack": False})
    assert run.writer.refusals == {LOCK: "the PLC did not take it over within 0.5 s"}
    assert run.values(LOCK) == [True, False]


def test_request_withdrawn_when_no_longer_asked() -> None:
    p = profile((LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_ack" }'),
                points=ACK_POINTS)  # fmt: skip
    run = Run(p)
    run.step({LOCK: True}, {"lock_ack": False})
    run.step({LOCK: False}, {"lock_ack": False})
    assert run.values(LOCK) == [True, False]
    assert run.events[-1] == "spreader.lock withdrawn"


def test_a_number_request_asks_each_new_value_once() -> None:
    p = profile(
        ("spreader.size_ref", '{ table = "holding", address = 104, type = "uint16", '
                              'write = "request", ack = "lock_ack" }'),
        points=ACK_POINTS,
    )  # fmt: skip
    run = Run(p)
    for size in (40, 40, 20, 20, 20):
        run.step({"spreader.size_ref": size}, {"lock_ack": False})
    assert run.values("spreader.size_ref") == [40, 20]
    assert run.events == ["spreader.size_ref requested: 40", "spreader.size_ref requested: 20"]


def test_opcua_request_cleared_by_the_plc_is_read_back() -> None:
    p = profile((LOCK, '{ node = "s=Crane.Spreader.LockRequest", type = "Boolean", '
                       'access = "read_write", write = "request", cleared_by_plc = true }'),
                base=GENERIC_OPCUA)  # fmt: skip
    assert CommandWriter(p, SCAN).echoes == {LOCK}


@pytest.mark.parametrize(
    ("name", "mapping", "points", "says"),
    [
        ("hoist.load", '{ table = "input", address = 30, type = "int16", write = "pulse" }', "",
         "hoist.load is a status signal, read from the PLC: remove `write`"),
        ("sup.heartbeat", '{ table = "holding", address = 101, type = "uint16", write = "on_change" }',
         "", 'write = "every_scan"'),
        ("hoist.speed_ref", '{ table = "holding", address = 105, type = "int16", write = "pulse" }',
         "", "a pulse or a request is for a bool command"),
        (LOCK, '{ table = "coil", address = 1, write = "request" }', "",
         'add ack = "<expression true once taken over>"'),
        (LOCK, '{ table = "coil", address = 1, pulse_s = 0.2 }', "", 'set write = "pulse"'),
        (LOCK, '{ table = "coil", address = 1, ack = "lock_ack" }', ACK_POINTS,
         "`ack` belongs to a handshake"),
        (LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_akc" }', ACK_POINTS,
         "unknown point"),
        (LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_reason" }', ACK_POINTS,
         "`ack` must give true or false"),
        (LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_ack", '
               'reason = "lock_reason" }', ACK_POINTS, "a reason is read when the PLC refuses"),
        (LOCK, modbus_word(1, ', write = "request", cleared_by_plc = true'), "",
         "give the request a register or node of its own"),
        ("hoist.speed_ref", '{ table = "holding", address = 105, type = "uint16", magnitude = true }',
         "", "the PLC takes the direction from hoist.up and hoist.down: map hoist.up and hoist.down "
         "too, or remove magnitude"),
        ("spreader.size_ref", '{ table = "holding", address = 105, type = "uint16", magnitude = true }',
         "", "magnitude is for a speed reference"),
        ("drives.enable", '{ table = "coil", address = 0, echo = "plc.heartbeat" }', "",
         "echo is for sup.heartbeat"),
        ("sup.heartbeat", '{ table = "holding", address = 101, type = "uint16", echo = "plc.heartbeet" }',
         "", "neither a status signal this profile maps nor a point"),
        ("hoist.load", '{ table = "input", address = 30, type = "int16", magnitude = true }', "",
         "hoist.load is a status signal, read from the PLC: remove `magnitude`"),
    ],
)  # fmt: skip
def test_write_semantics_errors_are_located_with_the_fix(
    name: str, mapping: str, points: str, says: str
) -> None:
    text = with_signal(GENERIC_MODBUS, name, mapping)
    if 'holding", address = 90' in mapping:
        text = with_signal(text, "drives.enable", modbus_word(0))
    with pytest.raises(ProfileError) as caught:
        parse_profile(text + points, "semantics.toml")
    message = str(caught.value)
    assert says in message, message
    assert "semantics.toml:" in message


def test_the_shared_place_refusal_names_each_commands_own_part_of_it() -> None:
    """Two requests in one word: each at its own bit, told apart in the refusal."""
    text = with_signal(
        GENERIC_MODBUS, LOCK, modbus_word(1, ', write = "request", cleared_by_plc = true')
    )
    text = with_signal(text, "drives.enable", modbus_word(4))
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "word.toml")
    assert "drives.enable (bit 4) shares holding 90 with this request (bit 1)" in str(caught.value)


def test_the_shared_node_refusal_names_each_commands_own_bit() -> None:
    node = '{ node = "s=Sup.Cmd", type = "UInt16", access = "read_write", bit = %d%s }'
    text = with_signal(
        GENERIC_OPCUA, LOCK, node % (0, ', write = "request", cleared_by_plc = true')
    )
    text = with_signal(text, "spreader.unlock", node % (2, ""))
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "node.toml")
    assert "spreader.unlock (bit 2) shares s=Sup.Cmd with this request (bit 0)" in str(caught.value)


def test_an_answer_left_over_from_the_last_request_is_not_taken_for_this_ones() -> None:
    """A PLC whose answer word keeps the last request's answer until it takes the next one:
    the supervisor waits for that answer to fall before it counts one for the new request."""
    p = profile(
        (LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_ack", '
               'refused = "lock_refused" }'),
        points=ACK_POINTS,
    )  # fmt: skip
    run = Run(p)
    stale = {"lock_ack": True, "lock_refused": False}
    for _ in range(3):  # the last lock's "done" still shows
        run.step({LOCK: True}, stale)
    assert run.values(LOCK) == [True]
    assert run.events == ["spreader.lock requested"]
    run.step({LOCK: True}, {"lock_ack": False, "lock_refused": False})  # the PLC takes it
    run.step({LOCK: True}, stale)  # and answers this one
    assert run.events == ["spreader.lock requested", "spreader.lock taken over"]
    assert run.values(LOCK) == [True, False]


def test_an_answer_before_the_request_was_written_does_not_count() -> None:
    p = profile((LOCK, '{ table = "coil", address = 1, write = "request", ack = "lock_ack", '
                       'refused = "lock_refused" }'), points=ACK_POINTS)  # fmt: skip
    writer = CommandWriter(p, SCAN)
    quiet = {"lock_ack": False, "lock_refused": False}
    writer.step({LOCK: True}, quiet, 0.0)
    writer.written(False)  # the request did not reach the PLC
    writer.step({LOCK: True}, {"lock_ack": False, "lock_refused": True}, 0.05)
    assert not writer.refusals


def test_a_new_answer_replacing_the_last_one_in_one_plc_cycle_counts() -> None:
    """``ack = "lock_ack or lock_done"``: the last request's done still shows when the new one
    begins, and the PLC replaces it with this one's ack in one cycle; the ack never falls, but
    what it reads changed: it is this request's answer (hostile finding F4)."""
    p = profile(
        (LOCK, '{ table = "coil", address = 1, write = "request", '
               'ack = "lock_ack or lock_done" }'),
        points=ACK_POINTS + 'lock_done = { table = "discrete_input", address = 92 }\n',
    )  # fmt: skip
    run = Run(p)
    stale = {"lock_ack": False, "lock_done": True}
    run.step({LOCK: True}, stale)
    run.step({LOCK: True}, stale)  # written; nothing new from the PLC yet
    assert run.events == ["spreader.lock requested"]
    run.step({LOCK: True}, {"lock_ack": True, "lock_done": False})
    assert run.events == ["spreader.lock requested", "spreader.lock taken over"]
    assert not run.writer.refusals


def test_a_magnitude_reference_is_written_without_its_sign_beside_its_direction_bits() -> None:
    p = profile(
        ("hoist.speed_ref", '{ table = "holding", address = 105, type = "uint16", scale = 0.001, '
                            "magnitude = true }"),
        ("hoist.up", '{ table = "holding", address = 106, type = "bool", bit = 0 }'),
        ("hoist.down", '{ table = "holding", address = 106, type = "bool", bit = 1 }'),
    )  # fmt: skip
    writer = CommandWriter(p, SCAN)
    assert writer.magnitudes == {"hoist.speed_ref"}
    levels = Commands(hoist_speed_ref=-0.4).signals(1, 40)
    assert (levels["hoist.up"], levels["hoist.down"]) == (False, True)
    out = writer.unsigned(levels)
    assert out["hoist.speed_ref"] == 0.4
    assert out["gantry.speed_ref"] == levels["gantry.speed_ref"]  # not mapped as a magnitude
    stop = Commands().signals(1, 40)
    assert (stop["hoist.up"], stop["hoist.down"]) == (False, False)
