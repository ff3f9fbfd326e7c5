"""Where a look into the journal starts, as a person writes it: a time of day or an age.

``crane-ctrl events --since`` and the HMI's Events screen take the same forms
(:data:`SINCE_FORMS`). Pure: the wall time to count an age back from comes in as an argument.
"""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["SINCE_FORMS", "parse_since"]

_AGE = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
SINCE_FORMS = (
    "an ISO 8601 time (2026-11-23T07:00, local time unless it has an offset such as +01:00 "
    "or Z) or an age (90s, 15m, 2h, 3d)"
)


def parse_since(text: str, now_wall: float) -> float:
    """``--since`` as epoch seconds: an ISO 8601 time, or an age before ``now_wall``."""
    text = text.strip()
    age = _AGE.fullmatch(text)
    if age:
        return now_wall - float(age[1]) * _UNIT_S[age[2]]
    try:
        return datetime.fromisoformat(text).timestamp()  # naive means local time
    except ValueError:
        raise ValueError(f"{text!r} is not a time; use {SINCE_FORMS}") from None
