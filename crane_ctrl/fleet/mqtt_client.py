"""The one place a fleet client's :class:`aiomqtt.Client` is made, so every client of the
operations centre (edge node, primary host, dispatcher, TOS client, operator client, bench
recorder) reaches the broker the same way: MQTT 3.1.1, clean session, the login and the TLS of
:mod:`crane_ctrl.fleet.broker`.

A failed connection's message says, for the failures TLS adds, what to change
(:func:`explain`): the broker's certificate not trusted, a name it does not hold, a
client certificate the broker wants.
"""

from __future__ import annotations

import re

import aiomqtt

from crane_ctrl.fleet.broker import TLS_PORT, Broker, Credentials
from crane_ctrl.fleet.broker_tls import CA_FILE_ENV, CERT_FILE_ENV, KEY_FILE_ENV

__all__ = ["CLIENT_KEEPALIVE_S", "explain", "mqtt_client"]

CLIENT_KEEPALIVE_S = 60
"""Keepalive of a client that does not choose one (aiomqtt's own default)."""
_TIMED_OUT = "timed out"
"""aiomqtt's word for a connection closed before its CONNACK (it waits out the deadline)."""
_CERTIFICATE_REFUSED = re.compile(r"ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_\w+)")
"""OpenSSL's names of the broker's alerts about the client's certificate."""


def mqtt_client(
    broker: Broker,
    credentials: Credentials | None,
    *,
    identifier: str,
    timeout: float,
    keepalive: int = CLIENT_KEEPALIVE_S,
    will: aiomqtt.Will | None = None,
) -> aiomqtt.Client:
    """A client of ``broker`` (not connected: ``async with`` it), ``timeout`` the deadline of
    each of its network calls."""
    return aiomqtt.Client(
        broker.host, broker.port, identifier=identifier, will=will, clean_session=True,
        keepalive=keepalive, timeout=timeout,
        username=credentials.username if credentials else None,
        password=credentials.password if credentials else None,
        tls_context=broker.tls.context if broker.tls else None,
    )  # fmt: skip


def explain(broker: Broker, why: str) -> str:
    """``why`` a connection to ``broker`` failed, with the fix for the failures TLS adds."""
    if broker.tls is None:
        if _TIMED_OUT in why and broker.port == TLS_PORT:
            return f"{why}: port {TLS_PORT} is MQTT over TLS's; give --broker mqtts://..."
        return why
    tls = broker.tls
    if "CERTIFICATE_VERIFY_FAILED" in why and "mismatch" in why:
        return (f"{why}: the broker's certificate does not name {broker.host}; give --broker "
                "the host name or address its certificate holds (subjectAltName)")  # fmt: skip
    if "CERTIFICATE_VERIFY_FAILED" in why:
        trusted = f"the CA in {tls.ca_file}" if tls.ca_file else "the system's CAs"
        return (f"{why}: the broker's certificate is not signed by {trusted}; set "
                f"{CA_FILE_ENV} to the CA certificate (PEM) that signed it")  # fmt: skip
    if _TIMED_OUT in why and tls.cert_file is None:
        return (f"{why}: no CONNACK over TLS; a broker that requires a client certificate "
                f"closes the connection of a client without one: if yours does, set "
                f"{CERT_FILE_ENV} and {KEY_FILE_ENV}")  # fmt: skip
    if _CERTIFICATE_REFUSED.search(why):
        return (f"{why}: the broker refuses the client certificate {tls.cert_file}: is it "
                "signed by a CA the broker trusts, and still valid?")  # fmt: skip
    return why
