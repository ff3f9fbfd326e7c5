"""Why a server could not listen on its address, in one line: :class:`PortInUse` or the OS's reason.

pymodbus keeps the operating system's error to itself (``RuntimeError: Could not start listen``)
and asyncua logs a traceback before raising it; :func:`listen_failure` finds the reason again by
binding the address once more, the way asyncio's servers do (``SO_REUSEADDR`` on POSIX).
:func:`check_free` asks the same before a process starts a server in a child of its own.
"""

from __future__ import annotations

import errno
import socket

from crane_ctrl.errors import CraneCtrlError, PortInUse

__all__ = ["bind_error", "check_free", "listen_failure"]


def bind_error(host: str, port: int) -> OSError | None:
    """What binding a listening TCP socket to ``host:port`` fails with now, or ``None``."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        return exc
    return None


def listen_failure(
    host: str, port: int, cause: BaseException, *, flag: str = "--port"
) -> CraneCtrlError:
    """The error to raise for a server that could not listen on ``host:port`` (``cause``: what
    the server library raised); ``flag`` is the option that chooses another port."""
    found = cause if isinstance(cause, OSError) else bind_error(host, port)
    if found is None:
        return CraneCtrlError(f"cannot listen on {host}:{port}: {cause}")
    if found.errno == errno.EADDRINUSE:
        return PortInUse(port, host=host, flag=flag)
    return CraneCtrlError(f"cannot listen on {host}:{port}: {found.strerror or found}")


def check_free(host: str, port: int, *, flag: str = "--port") -> None:
    """:class:`PortInUse` (or the OS's reason) now if a server could not listen on ``host:port``;
    port 0 (any free port) is always free."""
    if port == 0:
        return
    found = bind_error(host, port)
    if found is not None:
        raise listen_failure(host, port, found, flag=flag)
