"""Where a TOML document gives each key: the line numbers that ``tomllib`` does not keep.

``tomllib`` parses a valid document without positions, so an error found later (by pydantic or by
a cross-signal check) would only know its key path. This scanner reads the text once more and
records, for every table header, key and key inside a one-line inline table, the 1-based line
where it stands. It only needs to be right for documents ``tomllib`` has already accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

__all__ = ["KeyLines", "key_lines"]

Path = tuple[str, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_HEADER = re.compile(r"^\s*(?P<open>\[\[?)(?P<key>[^\[\]]+)\]\]?\s*(#.*)?$")


class KeyLines:
    """Key path -> line, looked up by the longest known prefix of a path."""

    def __init__(self, lines: Mapping[Path, int], end: int = 1) -> None:
        self._lines = dict(lines)
        self.end = end
        """The document's last line: where a table it lacks would be added."""

    def has(self, path: Sequence[str | int]) -> bool:
        """Whether the document gives exactly this key (not only a table above it)."""
        return tuple(str(p) for p in path) in self._lines

    def line_of(self, path: Sequence[str | int]) -> int | None:
        parts = tuple(str(p) for p in path)
        for end in range(len(parts), 0, -1):
            line = self._lines.get(parts[:end])
            if line is not None:
                return line
        return None


def key_lines(text: str) -> KeyLines:
    """Scan a TOML document (already known to be valid) for the line of every key."""
    found: dict[Path, int] = {}
    arrays: dict[Path, int] = {}
    table: Path = ()
    closing: str | None = None
    for number, raw in enumerate(text.split("\n"), start=1):  # as TOML counts lines
        if closing is not None:
            if raw.count(closing) % 2 == 1:
                closing = None
            continue
        header = _HEADER.match(raw)
        if header is not None:
            table = tuple(_dotted_key(header["key"]))
            _given(found, (), table, number)
            if header["open"] == "[[":  # an array of tables: keys live under their index
                index = arrays.get(table, -1) + 1
                arrays[table] = index
                table = (*table, str(index))
                found.setdefault(table, number)
            continue
        parsed = _key_value(raw)
        if parsed is None:
            continue
        keys, value, _ = parsed
        path = table + tuple(keys)
        _given(found, table, tuple(keys), number)
        for inner in _inline_keys(value):
            _given(found, path, inner, number)
        closing = _opens_multiline(value)
    return KeyLines(found, text.rstrip().count("\n") + 1)


def _given(found: dict[Path, int], table: Path, keys: Path, number: int) -> None:
    """A dotted key (or header) gives each table on its way too: ``a.b.c`` gives ``a``."""
    for end in range(1, len(keys) + 1):
        found.setdefault(table + keys[:end], number)


def _opens_multiline(value: str) -> str | None:
    for quote in ('"""', "'''"):
        if value.lstrip().startswith(quote) and value.count(quote) % 2 == 1:
            return quote
    return None


def _key_value(line: str) -> tuple[list[str], str, int] | None:
    """``(keys, value text, index after '=')`` of a ``key = value`` line, else ``None``."""
    keys, pos = _read_dotted(line, 0)
    if not keys:
        return None
    pos = _skip_space(line, pos)
    if pos >= len(line) or line[pos] != "=":
        return None
    return keys, line[pos + 1 :], pos + 1


def _dotted_key(text: str) -> list[str]:
    keys, _ = _read_dotted(text, 0)
    return keys


def _read_dotted(text: str, pos: int) -> tuple[list[str], int]:
    keys: list[str] = []
    while True:
        pos = _skip_space(text, pos)
        key, pos = _read_key(text, pos)
        if key is None:
            return [], pos
        keys.append(key)
        after = _skip_space(text, pos)
        if after < len(text) and text[after] == ".":
            pos = after + 1
            continue
        return keys, pos


def _read_key(text: str, pos: int) -> tuple[str | None, int]:
    if pos >= len(text):
        return None, pos
    if text[pos] in "\"'":
        quote = text[pos]
        end = pos + 1
        chars: list[str] = []
        while end < len(text) and text[end] != quote:
            if quote == '"' and text[end] == "\\" and end + 1 < len(text):
                end += 1
            chars.append(text[end])
            end += 1
        return ("".join(chars), end + 1) if end < len(text) else (None, pos)
    bare = _BARE.match(text, pos)
    return (bare.group(), bare.end()) if bare else (None, pos)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _inline_keys(value: str) -> Iterator[Path]:
    """Key paths inside a one-line inline table value such as ``{ table = "input", a = 1 }``."""
    text = value.strip()
    if not text.startswith("{"):
        return
    yield from _inline_table(text, 1, ())


def _inline_table(text: str, pos: int, prefix: Path) -> Iterator[Path]:
    while pos < len(text):
        keys, pos = _read_dotted(text, pos)
        if not keys:
            return
        pos = _skip_space(text, pos)
        if pos >= len(text) or text[pos] != "=":
            return
        path = prefix + tuple(keys)
        yield path
        pos = _skip_space(text, pos + 1)
        if pos < len(text) and text[pos] == "{":
            yield from _inline_table(text, pos + 1, path)
        pos = _skip_value(text, pos)
        if pos >= len(text) or text[pos] == "}":
            return
        pos += 1  # the comma


def _skip_value(text: str, pos: int) -> int:
    """Index of the ``,`` or ``}`` that ends the value starting at ``pos``."""
    depth = 0
    quote: str | None = None
    while pos < len(text):
        ch = text[pos]
        if quote is not None:
            if ch == "\\" and quote == '"':
                pos += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth == 0:
                return pos
            depth -= 1
        elif ch == "," and depth == 0:
            return pos
        pos += 1
    return pos


_QUOTE_OR_COMMENT = re.compile(r"\"\"\"|'''|[\"'#]")
_CLOSES = {
    '"""': re.compile(r'\\.|"""', re.DOTALL),
    "'''": re.compile("'''"),
    '"': re.compile(r'\\.|"|\n'),
    "'": re.compile(r"['\n]"),
    "#": re.compile(r"\n"),
}
"""What closes a string opened by each quote (a backslash escapes in basic strings), or ends a
comment; a one-line string also ends at its line's end (where the parser finds it open)."""


def open_string(text: str) -> tuple[int, int, str] | None:
    """``(line, column, quote)`` where a string opens that runs to the end of ``text`` without
    its closing quote (1-based), else ``None``. Linear: jumps from quote to quote."""
    pos = 0
    while (opening := _QUOTE_OR_COMMENT.search(text, pos)) is not None:
        quote, pos = opening.group(), opening.end()
        closes = _CLOSES[quote]
        while (end := closes.search(text, pos)) is not None and end.group().startswith("\\"):
            pos = end.end()
        if end is None:
            if quote == "#":
                return None
            start = opening.start()
            return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start), quote
        pos = end.end()
    return None
