"""Pydantic's validation errors, said the way a maintenance engineer can act on them."""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["UNION_TAGS", "close_matches", "explain", "fields_at"]

UNION_TAGS = frozenset({"bool", "int", "float", "str", "constrained-int", "constrained-str"})
"""Names pydantic appends to an error's location for a member of a union; not keys of the file."""

_KIND = {
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "text in quotes",
    "dict_type": "a table",
    "model_type": "a table",
}
_BOUND = {
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("<=", "le"),
    "less_than": ("<", "lt"),
}
_PATTERN_HINTS = {
    "node": "not an OPC UA node identifier; write i=<number>, s=<string>, g=<guid> or "
    "b=<base64>, without ns= (the index is looked up from namespace_uri at connect)",
    "endpoint": "not an OPC UA endpoint; write opc.tcp://host:port/path",
    "name": 'use lower-case letters, digits, "-", "_" and "." (e.g. "generic-modbus")',
    "username_env": "name an environment variable, e.g. CRANE_OPCUA_USER",
    "password_env": "name an environment variable, e.g. CRANE_OPCUA_PASSWORD",
}
_CREDENTIALS = {"password", "username", "user", "passwd", "secret"}


def close_matches(
    word: str, possibilities: Iterable[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """:func:`difflib.get_close_matches`, at once for a word too long to come close to any
    possibility (two lengths a, b give a ratio of at most 2 min(a, b) / (a + b)), which
    difflib would index first (a megabyte-long key took half a second)."""
    options = list(possibilities)
    longest = max((len(o) for o in options), default=0)
    if cutoff > 0 and len(word) > (2 / cutoff - 1) * longest:
        return []
    return get_close_matches(word, options, n=n, cutoff=cutoff)


def explain(err: Mapping[str, Any], model: type[BaseModel]) -> str:
    """One sentence for one pydantic error dict: what is wrong, and the fix."""
    kind = err["type"]
    loc = tuple(str(p) for p in err["loc"])
    key = loc[-1] if loc else ""
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"required setting is missing; add {key} = ..."
    if kind == "extra_forbidden":
        return _extra(loc, model)
    if kind == "literal_error":
        return _literal(key, value, str(ctx.get("expected", "")))
    if kind in _KIND:
        kinds = [_KIND[k] for k in err.get("alternatives", [kind]) if k in _KIND]
        either = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
        return f"must be {either}, not {_describe(value)}"
    if kind in _BOUND:
        op, name = _BOUND[kind]
        return f"{value!r} is out of range; it must be {op} {ctx.get(name)}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is " + _PATTERN_HINTS.get(key, f"not in the form {ctx.get('pattern')}")
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    return str(err.get("msg", kind))


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f'the text "{value}" (remove the quotes if it is a number)'
    if isinstance(value, bool):
        return f"the bool {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def _literal(key: str, value: object, expected: str) -> str:
    if key == "address_base":
        return (
            f"{value!r} is not supported; set address_base = 0 and write every address as the "
            "zero-based PDU address (holding register 40001 / %MW0 is address 0)"
        )
    options = re.findall(r"'([^']*)'", expected)
    close = close_matches(str(value), options, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return f"{value!r} is not allowed; {hint}use one of: {', '.join(options)}"


def _extra(loc: tuple[str, ...], model: type[BaseModel]) -> str:
    key = loc[-1]
    if loc[0] == "link" and key.lower() in _CREDENTIALS:
        return (
            "credentials are never written into a profile; name an environment variable "
            "(username_env, password_env) or a file (password_file)"
        )
    fields = sorted(fields_at(model, loc[:-1]))
    close = close_matches(key, fields, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    return f'unknown setting "{key}"; {hint}settings here: {", ".join(fields)}'


def fields_at(model: type[BaseModel], loc: tuple[str, ...]) -> list[str]:
    """The field names of the table at ``loc`` inside ``model`` (empty if it is not a table)."""
    current: Any = model
    for part in loc:
        current = _member(_unwrap(current), part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional from an annotation."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _member(annotation: Any, part: str) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return None if field is None else field.annotation
    args = get_args(annotation)
    if get_origin(annotation) in (list, tuple) and args:
        return args[0]
    if get_origin(annotation) is dict and len(args) == 2:
        return args[1]
    return None
