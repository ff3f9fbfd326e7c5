"""The Sparkplug B topic namespace: ``spBv1.0/GROUP/NBIRTH/NODE`` and the host's ``STATE``.

A crane station is one edge node: its group is the yard block, its edge node id the crane's id.
Ids are checked once, where they are configured (``tck-id-topic-structure-namespace-valid-*``:
any UTF-8 but ``+``, ``/`` and ``#``), so every topic built from them is valid. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crane_ctrl.errors import FleetError

__all__ = ["NAMESPACE", "MessageType", "NodeTopics", "check_id", "state_topic"]

NAMESPACE = "spBv1.0"
"""The namespace element of every Sparkplug B topic (``tck-id-topic-structure-namespace-a``)."""

_RESERVED = ("+", "/", "#")


class MessageType(StrEnum):
    """The message types an edge node publishes or receives (devices come later, if ever)."""

    NBIRTH = "NBIRTH"
    NDEATH = "NDEATH"
    NDATA = "NDATA"
    NCMD = "NCMD"


def check_id(value: str, what: str) -> str:
    """``value`` if it can be a Sparkplug id; :class:`FleetError` naming ``what`` if not."""
    if not value:
        raise FleetError(f"{what} must not be empty")
    bad = [c for c in _RESERVED if c in value]
    if bad:
        raise FleetError(f"{what} {value!r} contains {' '.join(bad)}: a Sparkplug id may be any "
                         "text but '+', '/' and '#'")  # fmt: skip
    return value


@dataclass(frozen=True, slots=True)
class NodeTopics:
    """The topics of one edge node (``group`` and ``node`` already checked)."""

    group: str
    node: str

    @classmethod
    def of(cls, group: str, node: str) -> NodeTopics:
        group = check_id(group, "the group id (--group)")
        return cls(group, check_id(node, "the node id (--node)"))

    def topic(self, kind: MessageType) -> str:
        return f"{NAMESPACE}/{self.group}/{kind}/{self.node}"

    @property
    def nbirth(self) -> str:
        return self.topic(MessageType.NBIRTH)

    @property
    def ndeath(self) -> str:
        return self.topic(MessageType.NDEATH)

    @property
    def ndata(self) -> str:
        return self.topic(MessageType.NDATA)

    @property
    def ncmd(self) -> str:
        return self.topic(MessageType.NCMD)

    def __str__(self) -> str:
        return f"{self.group}/{self.node}"


def state_topic(host_id: str) -> str:
    """Where a Sparkplug host application publishes its birth and death (``STATE``)."""
    return f"{NAMESPACE}/STATE/{check_id(host_id, 'the primary host id (--primary-host)')}"
