"""Where the MQTT broker is, and who the node logs in as.

``mqtt://host[:port]`` (port 1883 by default), or ``mqtts://host[:port]``: MQTT over TLS (port
8883 by default), trusting and proving as :mod:`crane_ctrl.fleet.broker_tls` says, from the
environment too. A TLS variable set for an ``mqtt://`` broker is an error, not ignored: the
station would otherwise talk in clear text to a broker its operator meant to reach over TLS.

A user name and password are never part of the
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
from crane_ctrl.fleet.broker_tls import TLS_ENV, BrokerTls

__all__ = [
    "DEFAULT_PORT",
    "PASSWORD_FILE_ENV",
    "TLS_PORT",
    "URL_HELP",
    "USERNAME_ENV",
    "Broker",
    "BrokerTls",
    "Credentials",
]

DEFAULT_PORT = 1883
"""MQTT over plain TCP."""
TLS_PORT = 8883
"""MQTT over TLS."""
_FORMS = "mqtt://host:port, or mqtts://host:port for TLS"
USERNAME_ENV = "CRANE_CTRL_MQTT_USERNAME"
"""The broker user name, if the broker wants one."""
PASSWORD_FILE_ENV = "CRANE_CTRL_MQTT_PASSWORD_FILE"
"""A file holding the broker password (its first line), readable by the station's user only."""
URL_HELP = (f"{_FORMS}, of the MQTT broker (login: ${USERNAME_ENV}, ${PASSWORD_FILE_ENV}; TLS: "
            + ", ".join(f"${name}" for name in TLS_ENV) + ")")  # fmt: skip
"""What ``--broker`` takes, for the commands' help."""


@dataclass(frozen=True, slots=True)
class Broker:
    """An MQTT broker's address, and TLS to it (``None``: plain TCP)."""

    host: str
    port: int = DEFAULT_PORT
    tls: BrokerTls | None = None

    @classmethod
    def parse(cls, url: str, env: Mapping[str, str] | None = None) -> Broker:
        """``mqtt://host[:port]`` or ``mqtts://host[:port]`` (TLS from ``env``, by default the
        process's); :class:`FleetError` saying what is wrong with ``url`` or the environment."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FleetError(f"--broker {url!r}: {exc}") from None
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise FleetError(f"--broker {url!r}: give {_FORMS}")
        if parts.username is not None or parts.password is not None:
            raise FleetError(f"--broker: no user name or password in the URL; set {USERNAME_ENV} "
                             f"and {PASSWORD_FILE_ENV} instead")  # fmt: skip
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise FleetError(f"--broker {url!r}: only {_FORMS}, no path or query (TLS files "
                             f"come from {', '.join(TLS_ENV)})")  # fmt: skip
        env = os.environ if env is None else env
        if parts.scheme == "mqtt":
            _plain(url, env)
            return cls(parts.hostname, DEFAULT_PORT if port is None else port)
        return cls(parts.hostname, TLS_PORT if port is None else port, BrokerTls.from_env(env))

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def _plain(url: str, env: Mapping[str, str]) -> None:
    """No TLS file set for a plain-TCP broker (a forgotten ``s`` would send in clear text)."""
    given = [name for name in TLS_ENV if env.get(name)]
    if given:
        raise FleetError(f"{given[0]} is set but --broker {url} is plain TCP: give "
                         f"mqtts://host:port for TLS, or unset {' and '.join(given)}")  # fmt: skip


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
