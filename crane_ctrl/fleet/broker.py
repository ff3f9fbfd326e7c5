"""Where the MQTT broker is, and who the node logs in as.

``mqtt://host[:port]`` (port 1883 by default). A user name and password are never part of the
URL, which ends up in shells' histories, process lists and logs: they come from the environment
(:data:`USERNAME_ENV`, and :data:`PASSWORD_FILE_ENV` naming a file that holds the password), and
:class:`Credentials` never prints the password.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crane_ctrl.errors import FleetError

__all__ = ["DEFAULT_PORT", "PASSWORD_FILE_ENV", "USERNAME_ENV", "Broker", "Credentials"]

DEFAULT_PORT = 1883
"""MQTT over plain TCP."""
USERNAME_ENV = "CRANE_CTRL_MQTT_USERNAME"
"""The broker user name, if the broker wants one."""
PASSWORD_FILE_ENV = "CRANE_CTRL_MQTT_PASSWORD_FILE"
"""A file holding the broker password (its first line), readable by the station's user only."""


@dataclass(frozen=True, slots=True)
class Broker:
    """An MQTT broker's address."""

    host: str
    port: int = DEFAULT_PORT

    @classmethod
    def parse(cls, url: str) -> Broker:
        """``mqtt://host[:port]``; :class:`FleetError` saying what is wrong with ``url``."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FleetError(f"--broker {url!r}: {exc}") from None
        if parts.scheme != "mqtt" or not parts.hostname:
            raise FleetError(f"--broker {url!r}: give mqtt://host:port (mqtts comes later)")
        if parts.username is not None or parts.password is not None:
            raise FleetError(f"--broker: no user name or password in the URL; set {USERNAME_ENV} "
                             f"and {PASSWORD_FILE_ENV} instead")  # fmt: skip
        if parts.path not in ("", "/") or parts.query:
            raise FleetError(f"--broker {url!r}: only mqtt://host:port, no path or query")
        return cls(parts.hostname, DEFAULT_PORT if port is None else port)

    def __str__(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A broker login; the password never shows in ``repr`` or ``str``."""

    username: str
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Credentials | None:
        """From :data:`USERNAME_ENV` and :data:`PASSWORD_FILE_ENV`; ``None`` without a user."""
        env = os.environ if env is None else env
        username = env.get(USERNAME_ENV)
        if not username:
            return None
        where = env.get(PASSWORD_FILE_ENV)
        if not where:
            return cls(username)
        try:
            text = Path(where).read_text(encoding="utf-8")
        except OSError as exc:
            raise FleetError(f"{PASSWORD_FILE_ENV}: cannot read {where}: {exc.strerror}") from None
        return cls(username, text.splitlines()[0] if text else "")

    def __str__(self) -> str:
        return self.username
