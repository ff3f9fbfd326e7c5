"""No secret in any log, at any level: a filter on every handler that blanks them out.

Our code never logs a credential, but the libraries under it log what they send at debug level
(``-vv``): asyncua prints the ``ActivateSession`` request with its ``UserNameIdentityToken``,
password included. So every handler the process logs through gets :class:`RedactSecrets`, which
renders each record (message, arguments, traceback) and blanks out, before any handler writes it:

- every secret registered with :func:`register_secret` (the OPC UA password the link read from
  the environment or a file), as text and as the ``bytes`` repr it has in a library's dump;
- ``Password=...`` / ``password: ...`` fields, whatever the value (an encrypted password is
  not for a log either), and PEM private-key blocks.

:func:`install` puts the filter on the root logger's handlers (``crane-ctrl`` does so after
setting up logging, and again wherever it swaps the handlers, e.g. while the HMI owns the
terminal).
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["MASK", "RedactSecrets", "install", "redact", "register_secret"]

MASK = "***"
_MIN_SECRET = 3
"""Shorter values are not blanked out by value (they would blank out half the log); the field
patterns still catch them."""

_lock = threading.Lock()
_secrets: set[str] = set()

_FIELDS = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|secret|private_key_password)\b[\"']?\s*[=:]\s*)"
    r"(?P<value>b?'(?:[^'\\]|\\.)*'|b?\"(?:[^\"\\]|\\.)*\"|[^\s,)}\]]+)",
    re.IGNORECASE,
)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)


def register_secret(value: str) -> None:
    """Blank ``value`` out of every log record from now on (a password, a key's passphrase)."""
    if len(value) >= _MIN_SECRET:
        forms = {value, repr(value.encode())[2:-1], repr(value)[1:-1]}
        with _lock:
            _secrets.update(form for form in forms if len(form) >= _MIN_SECRET)


def redact(text: str) -> str:
    """``text`` with every registered secret, password field and private key blanked out."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, MASK)
    text = _FIELDS.sub(lambda m: f"{m.group('key')}{MASK}", text)
    return _PEM.sub(MASK, text)


class RedactSecrets(logging.Filter):
    """Renders a record and blanks out its secrets before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot render: keep only its template
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactSecrets()


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root logger by default): records
    from any library pass through them."""
    for handler in (logger or logging.getLogger()).handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
