"""TOML configuration files read into pydantic models, every problem located in the file.

Shared by PLC profiles, site files and scenario files: parse the TOML (a syntax error names its
line and column), validate with a strict model, and turn each error into a
:class:`~crane_ctrl.errors.Problem` at the line where the file gives the key, with the fix.
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from crane_ctrl.config.file_kinds import FileKind, wrong_kind
from crane_ctrl.config.messages import UNION_TAGS, explain
from crane_ctrl.config.toml_lines import KeyLines, key_lines, open_string
from crane_ctrl.errors import ConfigError, Problem, SettingsError

__all__ = [
    "Finding",
    "clipped",
    "format_path",
    "load_model",
    "located",
    "merge_unions",
    "parse_model",
    "read_text",
    "read_toml",
]

M = TypeVar("M", bound=BaseModel)
MAX_TOML_CHARS = 4_000_000
"""The longest configuration text read (a large site or profile is well under 1 MB)."""
MAX_NESTING = 32
"""The deepest nesting of arrays and inline tables, and the most parts of a dotted key, read
(ours nest three deep at most; the parser takes quadratic time over a long dotted key)."""
_LONG_DOTTED_KEY = re.compile(
    rf"""(?<![\w-])(?:(?:[\w-]++|"[^"\n]*+"|'[^'\n]*+')[ \t]*+\.[ \t]*+){{{MAX_NESTING}}}"""
)
"""More than :data:`MAX_NESTING` parts of a dotted key, bare or quoted (``a."b.c".d``)."""
MAX_SHOWN = 200
"""The longest word (key, value) a message repeats from the file whole."""
_LONG_WORD = re.compile(rf"\S{{{MAX_SHOWN + 1},}}")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_NESTING_MARK = re.compile(r"[\"'#\[\]{}]")
_BASIC_STRING_MARK = re.compile(r'["\\]')


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule broken: where (key path), what and how to fix it, and which signal if any."""

    path: tuple[str, ...]
    message: str
    signal: str | None = None


def read_text(path: Path, error: type[ConfigError] = ConfigError) -> str:
    """A config file's text (newlines as in text mode); an unreadable file is a one-problem
    error, not a traceback: missing, not a regular file (a directory, a device such as
    ``/dev/zero``, a pipe: never read, which could hang), too large, or a path with a NUL."""
    data = _bounded_bytes(path, error)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        problem = Problem(str(path), line, "", f"not UTF-8 text at byte {exc.start} "
                          f"({exc.reason}); save it as UTF-8")  # fmt: skip
        raise error([problem]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _bounded_bytes(path: Path, error: type[ConfigError]) -> bytes:
    """The bytes of the regular file at ``path`` (checked before it is opened), no more than
    :data:`MAX_TOML_CHARS` characters can take; ``error`` naming why not."""
    limit = 4 * (MAX_TOML_CHARS + 1)  # UTF-8 takes at most 4 bytes a character
    data = b""
    try:
        regular = stat.S_ISREG(path.stat().st_mode)
        if regular:
            with path.open("rb") as file:
                data = file.read(limit + 1)
    except OSError as exc:
        raise error([_unreadable(path, exc.strerror or str(exc))]) from None
    except ValueError:  # a NUL character in the path
        raise error([_unreadable(path, "its path holds a NUL character")]) from None
    if not regular:
        why = "not a regular file (a directory, a device or a pipe): give a .toml file's path"
        raise error([_unreadable(path, why)])
    if len(data) > limit:
        raise error([_unreadable(path, f"larger than any configuration file needs (at most "
                                 f"{MAX_TOML_CHARS} characters)")])  # fmt: skip
    return data


def _unreadable(path: Path, why: str) -> Problem:
    return Problem(str(path), None, "", f"cannot read the file: {why}")


def read_toml(text: str, source: str, error: type[ConfigError] = ConfigError) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a one-problem error with line and column. Text
    longer than :data:`MAX_TOML_CHARS` or nested deeper than :data:`MAX_NESTING` is refused
    before it is parsed (no configuration needs either, and the parser would recurse)."""
    if len(text) > MAX_TOML_CHARS:
        line = text.count("\n", 0, MAX_TOML_CHARS) + 1
        raise error([Problem(source, line, "", f"{len(text)} characters: more than any "
                             f"configuration file needs (at most {MAX_TOML_CHARS}, reached at "
                             f"line {line})")])  # fmt: skip
    deep = _too_deep_line(text)
    if deep is not None:
        raise error([Problem(source, deep, "", f"arrays or inline tables nested more than "
                             f"{MAX_NESTING} deep")])  # fmt: skip
    dotted = _LONG_DOTTED_KEY.search(text)
    if dotted is not None:
        line = text.count("\n", 0, dotted.start()) + 1
        raise error([Problem(source, line, "", f"a dotted key of more than {MAX_NESTING} parts "
                             "(no setting is nested that deep)")])  # fmt: skip
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error([_syntax_problem(str(exc), source, text)]) from None
    except RecursionError:
        raise error([Problem(source, None, "", "nested too deep to read")]) from None


def _too_deep_line(text: str) -> int | None:
    """The line where brackets and braces outside strings and comments first nest deeper
    than :data:`MAX_NESTING` (``None``: nowhere). Linear, and jumps from one bracket, quote or
    comment to the next; a bracket in a multi-line string may be counted, which only ever
    refuses text nested that deep anyway."""
    depth, i, n = 0, 0, len(text)
    while (found := _NESTING_MARK.search(text, i)) is not None:
        c, i = found.group(), found.end()
        if c == '"':
            i = _after_basic_string(text, i)
        elif c in "'#":
            end = text.find("'" if c == "'" else "\n", i)
            i = n if end < 0 else end + (c == "'")
        elif c in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return text.count("\n", 0, found.start()) + 1
        else:
            depth = max(0, depth - 1)
    return None


def _after_basic_string(text: str, i: int) -> int:
    """Where a ``"`` string whose text starts at ``i`` ends (after its closing quote)."""
    while (found := _BASIC_STRING_MARK.search(text, i)) is not None:
        if found.group() == '"':
            return found.end()
        i = found.end() + 1  # a backslash escapes the next character
    return len(text)


def load_model(path: str | Path, model: type[M], kind: FileKind | None = None) -> M:
    """Read ``path`` and validate it as ``model``; :class:`ConfigError` lists every problem."""
    path = Path(path)
    return parse_model(read_text(path), str(path), model, kind)


def parse_model(text: str, source: str, model: type[M], kind: FileKind | None = None) -> M:
    """Validate TOML ``text`` (named ``source`` in messages) as ``model``. With ``kind`` (what
    ``model`` is a file of), a file that fails and is plainly of another kind is one problem
    that says which (:func:`~crane_ctrl.config.file_kinds.wrong_kind`)."""
    data = read_toml(text, source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        other = None if kind is None else wrong_kind(data, source, kind)
        if other is not None:
            raise ConfigError([other]) from None
        findings = [f for e in merge_unions(exc) for f in _findings(e, model)]
        raise located(source, key_lines(text), findings) from None


def _findings(err: dict[str, Any], model: type[BaseModel]) -> list[Finding]:
    """One finding per pydantic error; a :class:`SettingsError` gives one per problem, each at
    the key below the model that raised it."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, SettingsError):
        return [Finding((*err["loc"], *path), message) for path, message in cause.problems]
    return [Finding(err["loc"], explain(err, model))]


def format_path(path: Sequence[str | int]) -> str:
    """A key path as TOML writes it: ``signals."hoist.position".address``."""
    parts = []
    for part in path:
        text = str(part)
        parts.append(text if _BARE_KEY.match(text) else '"' + text.replace('"', '\\"') + '"')
    return ".".join(parts)


def merge_unions(exc: ValidationError) -> list[dict[str, Any]]:
    """One error per location: a value that fits no member of a union fails once per member."""
    merged: dict[tuple[str, ...], dict[str, Any]] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(str(p) for p in err["loc"] if str(p) not in UNION_TAGS)
        if loc in merged and err["type"].endswith("_type"):
            first = merged[loc]
            first["alternatives"] = [*first.get("alternatives", [first["type"]]), err["type"]]
            continue
        merged[loc] = {**err, "loc": loc}
    return list(merged.values())


def located(
    source: str,
    lines: KeyLines,
    findings: Sequence[Finding],
    error: type[ConfigError] = ConfigError,
) -> ConfigError:
    """The error for ``findings``: those at a key the file gives first, in file order."""
    ranked: list[tuple[bool, int, Problem]] = []
    seen: set[tuple[tuple[str, ...], str]] = set()
    for f in findings:
        if (f.path, f.message) in seen:
            continue
        seen.add((f.path, f.message))
        line, message = lines.line_of(f.path), f.message
        if line is None:  # a table the file lacks: where it would be added
            line = lines.end
            message += f"; the file has no {format_path(f.path[:1]) or 'such key'} (it ends " \
                       f"at line {line})"  # fmt: skip
        problem = Problem(source, line, clipped(format_path(f.path)), clipped(message), f.signal)
        ranked.append((not lines.has(f.path), line or 0, problem))
    ranked.sort(key=lambda r: r[:2])
    return error([problem for *_, problem in ranked])


def clipped(text: str) -> str:
    """``text`` with each run of more than :data:`MAX_SHOWN` characters without a space (a
    key or a value the file gives, perhaps a megabyte long) cut to its ends and its length."""
    return _LONG_WORD.sub(lambda m: f"{m[0][:60]}...({len(m[0])} characters)...{m[0][-20:]}", text)


def _syntax_problem(message: str, source: str, document: str) -> Problem:
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(found.group(1)) if found else None
    text = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", message).strip()
    text = text[0].lower() + text[1:] if text else "invalid TOML"
    if "twice" in text or "overwrite" in text:
        text += "; each key (and each signal) may appear only once"
    where = f"column {found.group(2)}: " if found else ""
    if found is None:
        line, where, text = _at_end(document, text)
    return Problem(source, line, "", f"not valid TOML: {where}{text}")


def _at_end(document: str, problem: str) -> tuple[int, str, str]:
    """A syntax error at the end of the document: where the string it ends inside opens, if
    it ends inside one, else at the last line."""
    opened = open_string(document)
    if opened is None:
        return document.rstrip().count("\n") + 1, "", f"{problem} at the end of the file"
    line, column, quote = opened
    return line, f"column {column}: ", f"this string (opened with {quote}) is never closed; " \
        f"end it with {quote}"  # fmt: skip
