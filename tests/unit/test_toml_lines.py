"""The line scanner finds where a valid TOML document gives each key."""

from __future__ import annotations

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from crane_ctrl.config.toml_lines import key_lines

DOC = '''# comment
[profile]
name = "x"   # trailing
description = """
not = a key
"""

[link]
protocol = "modbus"

[signals]
"hoist.position" = { table = "input", address = 4, map = { "1" = 20 } }
plain.dotted = 1

[signals."gantry.speed"]
table = 'input'
"quoted key" = 2
'''


def test_keys_tables_and_inline_keys_are_located() -> None:
    lines = key_lines(DOC)
    assert lines.line_of(["profile"]) == 2
    assert lines.line_of(["profile", "name"]) == 3
    assert lines.line_of(["link", "protocol"]) == 9
    assert lines.line_of(["signals", "hoist.position"]) == 12
    assert lines.line_of(["signals", "hoist.position", "address"]) == 12
    assert lines.line_of(["signals", "hoist.position", "map", "1"]) == 12
    assert lines.line_of(["signals", "plain", "dotted"]) == 13
    assert lines.line_of(["signals", "gantry.speed", "table"]) == 16
    assert lines.line_of(["signals", "gantry.speed", "quoted key"]) == 17


def test_text_inside_a_multiline_string_is_not_a_key() -> None:
    assert not key_lines(DOC).has(["profile", "not"])


def test_unknown_key_falls_back_to_the_nearest_table() -> None:
    lines = key_lines(DOC)
    assert lines.line_of(["signals", "hoist.load"]) == 11
    assert lines.line_of(["nowhere"]) is None


names = st.from_regex(r"[a-z][a-z0-9_.]{0,12}", fullmatch=True)


@given(st.lists(names, min_size=1, max_size=8, unique=True))
def test_every_generated_signal_key_is_found_on_its_line(keys: list[str]) -> None:
    body = "\n".join(f'"{k}" = {{ address = {i} }}' for i, k in enumerate(keys))
    text = f"[signals]\n{body}\n"
    assert set(tomllib.loads(text)["signals"]) == set(keys)
    lines = key_lines(text)
    for i, k in enumerate(keys):
        assert lines.line_of(["signals", k, "address"]) == i + 2
