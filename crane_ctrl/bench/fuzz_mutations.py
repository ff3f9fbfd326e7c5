"""Mutations of a configuration file's bytes, drawn from a seeded :class:`random.Random`.

Three levels, each what a hand, an editor or a transfer does to a file:

- bytes: a flipped bit, inserted or deleted bytes, invalid UTF-8, a file cut short;
- lines: a line duplicated, deleted or swapped, a string left open, a table header broken,
  values nested deep, huge numbers, NaN and infinity, negative values, values of the wrong type,
  look-alike letters and invisible characters in names, very long dotted keys;
- fields: a setting dropped, an unknown setting or table added, a value out of range.

:func:`mutate` applies one to three of them and names what it did (to replay a case).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

__all__ = ["MUTATIONS", "mutate"]

Mutation = Callable[[bytes, random.Random], bytes]

_NUMBER = re.compile(rb"(?<![\w.\"'-])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.\"'])")
_STRING = re.compile(rb'"[^"\n]*"')
_KEY_LINE = re.compile(rb"^[ \t]*[\"'A-Za-z0-9_.-]+[ \t]*=", re.MULTILINE)
_HEADER = re.compile(rb"^[ \t]*\[\[?[^\]\n]+\]\]?", re.MULTILINE)
_VALUE = re.compile(rb"=[ \t]*([^\n#,}]+)")
_INVALID_UTF8 = (b"\xff", b"\xfe\xfe", b"\xc3(", b"\xed\xa0\x80", b"\xf0\x28\x8c\x28", b"\x80")
_HUGE = (b"1e400", b"-1e400", b"1" + b"0" * 400, b"9223372036854775808", b"0x7fffffffffffffffff",
         b"1.7976931348623157e308", b"5e-324", b"-9223372036854775809")  # fmt: skip
_SPECIAL = (b"nan", b"inf", b"-inf", b"+nan", b"-0.0", b"0")
_WRONG = (b'"text"', b'"12"', b"true", b"false", b"[]", b"{}", b"[1, 2]", b'{ a = 1 }',
          b"1979-05-27T07:32:00Z", b"07:32:00", b"1979-05-27", b'""', b"'''x'''",
          b"-1")  # fmt: skip
_LOOKALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441",
               "i": "\u0456", ".": "\u2024", "-": "\u2010", "_": "\uff3f"}  # fmt: skip
_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u202e", "\u2028")
_UNKNOWN = (b"bogus = 1", b"Name = \"x\"", b"timeout = 1.0", b"signals = 1", b"address = 3",
            b'"plc.heartbeat" = 1', b"x.y.z = true", b"id = \"Z9\"")  # fmt: skip
_TABLES = (b"[bogus]", b"[[bogus]]", b"[link]", b"[signals]", b"[crane]", b"[site.stack]",
           b"[[jobs]]", b"[[containers]]", b"[expect]", b"[profile.x]", b"[validity.x]",
           b"[alarms.X]", b"[points.p]", b"[[faults]]", b"[site]", b"[start]")  # fmt: skip


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _pick(rng: random.Random, pattern: re.Pattern[bytes], data: bytes) -> re.Match[bytes] | None:
    found = list(pattern.finditer(data))
    return rng.choice(found) if found else None


def _replace(data: bytes, match: re.Match[bytes] | None, new: bytes, group: int = 0) -> bytes:
    if match is None:
        return data
    return data[: match.start(group)] + new + data[match.end(group) :]


# --- bytes --------------------------------------------------------------------------------------


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return data[:at] + junk + data[at:]


def delete_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + data[at + rng.randint(1, 40) :]


def invalid_utf8(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + rng.choice(_INVALID_UTF8) + data[at:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, len(data))]


# --- lines --------------------------------------------------------------------------------------


def duplicate_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines.insert(rng.randint(0, len(lines)), lines[i])
    return b"\n".join(lines)


def delete_line(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def swap_lines(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def unterminate_string(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, _STRING, data)
    if found is None:
        return data
    if rng.random() < 0.5:  # the closing quote lost
        return data[: found.end() - 1] + data[found.end() :]
    return data[: found.start()] + rng.choice((b'"""', b"'", b"'''")) + data[found.start() + 1 :]


def break_header(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, _HEADER, data)
    if found is None:
        return data
    text = found.group()
    broken = rng.choice((
        text.rstrip(b"]"), text + b"]", b"[" + text, text.replace(b".", b". .", 1),
        text.replace(b"[", b"[ ", 1) + b" x", text[:-1] + b'"]', b"[]",
    ))  # fmt: skip
    return _replace(data, found, broken)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, _VALUE, data)
    depth = rng.choice((5, 20, 31, 32, 33, 40, 500, 5000))
    if rng.random() < 0.5:
        value = b"[" * depth + b"1" + b"]" * depth
    else:
        value = b"{ a = " * depth + b"1" + b" }" * depth
    return _replace(data, found, value + b" ", 1)


def huge_number(data: bytes, rng: random.Random) -> bytes:
    return _replace(data, _pick(rng, _NUMBER, data), rng.choice(_HUGE))


def special_float(data: bytes, rng: random.Random) -> bytes:
    return _replace(data, _pick(rng, _NUMBER, data), rng.choice(_SPECIAL))


def negative(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, _NUMBER, data)
    if found is None or found.group().startswith(b"-"):
        return data
    return _replace(data, found, b"-" + found.group())


def wrong_type(data: bytes, rng: random.Random) -> bytes:
    return _replace(data, _pick(rng, _VALUE, data), rng.choice(_WRONG) + b" ", 1)


def lookalike(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, _STRING, data) or _pick(rng, _KEY_LINE, data)
    if found is None:
        return data
    text = found.group().decode("utf-8", "replace")
    spots = [i for i, c in enumerate(text) if c in _LOOKALIKES]
    if spots:
        i = rng.choice(spots)
        text = text[:i] + _LOOKALIKES[text[i]] + text[i + 1 :]
    return _replace(data, found, text.encode("utf-8"))


def invisible(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, _STRING, data) or _pick(rng, _KEY_LINE, data)
    if found is None:
        return data
    at = rng.randint(found.start() + 1, max(found.start() + 1, found.end() - 1))
    return data[:at] + rng.choice(_INVISIBLE).encode("utf-8") + data[at:]


def long_dotted_key(data: bytes, rng: random.Random) -> bytes:
    parts = rng.choice((8, 31, 32, 33, 200, 20_000))
    part = rng.choice((b"k", b"key_" * 50, b'"q.k"'))
    lines = _lines(data)
    lines.insert(rng.randint(0, len(lines)), b".".join([part] * parts) + b" = 1")
    return b"\n".join(lines)


def long_string(data: bytes, rng: random.Random) -> bytes:
    text = b"x" * rng.choice((1_000, 100_000, 1_000_000))
    return _replace(data, _pick(rng, _STRING, data), b'"' + text + b'"')


# --- fields -------------------------------------------------------------------------------------


def drop_field(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, _KEY_LINE, data)
    if found is None:
        return data
    end = data.find(b"\n", found.start())
    return data[: found.start()] + (data[end + 1 :] if end >= 0 else b"")


def drop_inline_key(data: bytes, rng: random.Random) -> bytes:
    found = _pick(rng, re.compile(rb"[{,][ \t]*[A-Za-z_]+[ \t]*=[ \t]*[^,}\n]+"), data)
    return _replace(data, found, data[found.start() : found.start() + 1] if found else b"")


def unknown_key(data: bytes, rng: random.Random) -> bytes:
    key = rng.choice(_UNKNOWN)
    if rng.random() < 0.5:
        found = _pick(rng, re.compile(rb"\{[ \t]*"), data)
        return _replace(data, found, b"{ " + key + b", ")
    lines = _lines(data)
    lines.insert(rng.randint(0, len(lines)), key)
    return b"\n".join(lines)


def unknown_table(data: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    at = rng.randint(0, len(lines))
    lines[at:at] = [rng.choice(_TABLES), rng.choice(_UNKNOWN)]
    return b"\n".join(lines)


def out_of_range(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice((b"0", b"-1", b"-0.001", b"65536", b"70000", b"1e9", b"-1e9", b"999",
                        b"4294967296", b"0.0001", b"100000"))  # fmt: skip
    return _replace(data, _pick(rng, _NUMBER, data), value)


MUTATIONS: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        flip_bits, insert_bytes, delete_bytes, invalid_utf8, truncate,
        duplicate_line, delete_line, swap_lines, unterminate_string, break_header, deep_nesting,
        huge_number, special_float, negative, wrong_type, lookalike, invisible, long_dotted_key,
        long_string,
        drop_field, drop_inline_key, unknown_key, unknown_table, out_of_range,
    )
}  # fmt: skip
"""Every mutation by name."""


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, tuple[str, ...]]:
    """``data`` changed by one to three mutations drawn from ``rng``, and their names."""
    names = rng.choices(list(MUTATIONS), k=rng.choice((1, 1, 1, 2, 3)))
    for name in names:
        data = MUTATIONS[name](data, rng)
    return data, tuple(names)
