"""The validator refuses node ids no PLC can have (issue 17, deliver 6, part): an invisible
character or a look-alike letter of another script in a string id, a numeric id or an array
index beyond UInt32, an empty namespace URI; each at its line, with the character named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crane_ctrl.errors import ProfileError
from crane_ctrl.profile.loader import parse_profile

TEXT = (Path(__file__).resolve().parents[2] / "plc_profiles" / "generic-opcua.toml").read_text(
    encoding="utf-8"
)
FIRST = re.search(r'node = "(s=[^"]+)"', TEXT)
assert FIRST is not None
NODE = FIRST.group(1)
LINE = TEXT[: FIRST.start()].count("\n") + 1


@pytest.mark.parametrize(
    ("mapping", "says"),
    [
        (f'node = "{NODE[:4]}\u200b{NODE[4:]}"', r"U\+200B \(ZERO WIDTH SPACE\) at position 4"),
        (f'node = "{NODE[:4]}\u0430{NODE[5:]}"', r"U\+0430 \(CYRILLIC SMALL LETTER A\)"),
        ('node = "i=99999999999999999999"', "larger than OPC UA's 4294967295"),
        (f'node = "{NODE}", index = 4294967296', "index"),
        (f'node = "{NODE}", namespace_uri = ""', "namespace_uri"),
    ],
)
def test_a_node_id_no_plc_can_have_is_refused_at_its_line(mapping: str, says: str) -> None:
    text = TEXT.replace(f'node = "{NODE}"', mapping, 1)
    with pytest.raises(ProfileError, match=rf"x.toml:{LINE} .*{says}"):
        parse_profile(text, "x.toml")


def test_the_shipped_node_ids_still_load() -> None:
    assert parse_profile(TEXT, "x.toml").name


def test_a_status_signal_marked_read_write_is_refused() -> None:
    text = TEXT.replace(f'node = "{NODE}"', f'node = "{NODE}", access = "read_write"', 1)
    with pytest.raises(ProfileError, match=rf"x.toml:{LINE} .*a status signal: the supervisor"):
        parse_profile(text, "x.toml")
