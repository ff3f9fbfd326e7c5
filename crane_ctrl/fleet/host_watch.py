"""What an edge node configured with a primary host makes of the host's ``STATE`` messages. Pure.

The node publishes (is born) only while its primary host is online, and stores what it has while
the host is away. A ``STATE`` message counts only if it is not older than the ones before it: an
online one whose timestamp is at least the last one seen
(``tck-id-message-flow-edge-node-birth-publish-phid-wait-timestamp``), an offline one whose
timestamp is at least the last online one's
(``tck-id-operational-behavior-edge-node-termination-host-offline-timestamp``): a host's will
carries the time it connected, so a late will from an old session is older than the new birth.
"""

from __future__ import annotations

from enum import StrEnum

from crane_ctrl.fleet.payload import HostState

__all__ = ["HostVerdict", "HostWatch"]


class HostVerdict(StrEnum):
    ONLINE = "online"
    """The host is online: be born (again)."""
    OFFLINE = "offline"
    """The host went away: NDEATH, disconnect, start over, store meanwhile."""
    STALE = "stale"
    """An old message (a late will of an earlier session): ignore it."""


class HostWatch:
    """The state of one primary host, from its ``STATE`` messages in the order they came."""

    def __init__(self, host_id: str) -> None:
        self.host_id = host_id
        self.online = False
        self._last_ms: int | None = None
        self._last_online_ms: int | None = None

    def observe(self, state: HostState) -> HostVerdict:
        if state.online:
            if self._last_ms is not None and state.timestamp_ms < self._last_ms:
                return HostVerdict.STALE
            self._last_ms = self._last_online_ms = state.timestamp_ms
            self.online = True
            return HostVerdict.ONLINE
        if self._last_online_ms is not None and state.timestamp_ms < self._last_online_ms:
            return HostVerdict.STALE
        self._last_ms = max(self._last_ms or 0, state.timestamp_ms)
        self.online = False
        return HostVerdict.OFFLINE
