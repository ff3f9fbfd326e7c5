"""The station's seam: the one way into a station from another process (docs/seam.md).

A station process serves it (:class:`~.server.StationServer`, on the station's own loop); the
HMI and the operations centre are clients (:class:`~.client.RemoteBridge` is the HMI's). The
transport is a Unix stream socket, mode 0600, in a directory only the station's user can enter
(:func:`default_socket`); the framing is one JSON object per line (:mod:`.messages`); views and
action arguments take the wire forms of :mod:`.wire`; the actions are :mod:`.actions`.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_socket"]


def default_socket() -> Path:
    """``$XDG_RUNTIME_DIR/crane-ctrl/station.sock``, else ``/tmp/crane-ctrl-<uid>/station.sock``."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "crane-ctrl" if runtime else Path(f"/tmp/crane-ctrl-{os.getuid()}")
    return base / "station.sock"
