"""Configuration text is bounded before it is parsed (issue 17, deliver 6, part): nesting deeper
than any configuration needs, or text longer, is a located error, never an internal one; a file
that is not UTF-8 names the byte and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from crane_ctrl.config.file import MAX_NESTING, MAX_TOML_CHARS, read_text, read_toml
from crane_ctrl.errors import ConfigError


def test_nesting_deeper_than_any_configuration_is_refused_at_its_line() -> None:
    text = "a = 1\nb = " + "[" * 50_000 + "]" * 50_000 + "\n"
    with pytest.raises(ConfigError, match=rf"x.toml:2: .*nested more than {MAX_NESTING} deep"):
        read_toml(text, "x.toml")


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    deep = "[" * (MAX_NESTING + 5)
    text = f'a = "{deep}"\nb = \'{deep}\'\n# {deep}\nc = [[1], [2]]\nd = "\\"{deep}"\n'
    assert read_toml(text, "x.toml")["c"] == [[1], [2]]


def test_text_longer_than_any_configuration_is_refused() -> None:
    with pytest.raises(ConfigError, match="more than any configuration file needs"):
        read_toml("#" * (MAX_TOML_CHARS + 1), "x.toml")


def test_a_file_that_is_not_utf8_names_the_byte_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_bytes(b'a = 1\nb = "\xff"\n')
    with pytest.raises(ConfigError, match=r"x.toml:2: not UTF-8 text at byte 11"):
        read_text(path)


@pytest.mark.parametrize("command", [["profile", "validate"], ["sim", "--site"]])
def test_the_commands_say_where_not_crash(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code = main([*command, str(path)])
    err = capsys.readouterr()
    assert code not in (0, 70)
    assert "nested more than" in err.out + err.err
    assert "internal error" not in err.out + err.err


def test_a_dotted_key_of_thousands_of_parts_is_refused_at_once_at_its_line() -> None:
    text = "[link]\n" + ".".join(["k"] * 20_000) + " = 1\n"
    with pytest.raises(ConfigError, match=r"x.toml:2: a dotted key of more than 32 parts"):
        read_toml(text, "x.toml")  # (the parser would take seconds: it is quadratic in them)
    assert read_toml('a.b.c = 1\nv = "1.2.3.4"\nf = 1.5\n', "x.toml")["a"] == {"b": {"c": 1}}


def test_what_is_no_regular_file_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    """Issue 18: a profile path of /dev/zero was read without end (the HMI's validate hung and
    grew), a pipe would block on open, a NUL in a path crashed the HMI (a ValueError)."""
    import os

    pipe = tmp_path / "pipe.toml"
    os.mkfifo(pipe)
    for path in (pipe, Path("/dev/zero"), tmp_path):
        with pytest.raises(ConfigError, match="cannot read the file: not a regular file"):
            read_text(path)
    with pytest.raises(ConfigError, match="cannot read the file: its path holds a NUL"):
        read_text(tmp_path / "a\x00b.toml")
    with pytest.raises(ConfigError, match="cannot read the file: No such file"):
        read_text(tmp_path / "missing.toml")


def test_a_file_larger_than_any_configuration_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crane_ctrl.config.file.MAX_TOML_CHARS", 10)
    path = tmp_path / "big.toml"
    path.write_text("a = 1\r\n" * 3, encoding="utf-8")
    assert read_text(path) == "a = 1\n" * 3  # newlines as text mode reads them (44 bytes max)
    path.write_text("#" * 45, encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than any configuration file needs"):
        read_text(path)
