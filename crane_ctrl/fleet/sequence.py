"""The two counters of a Sparkplug B edge node: ``seq`` per message and ``bdSeq`` per connect.

``seq`` is 0 in every NBIRTH and one more in each message after it, 255 wrapping to 0
(``tck-id-topics-nbirth-seq-num``, ``tck-id-payloads-sequence-num-incrementing``); NDEATH has
none. ``bdSeq`` starts at 0 and is one more in the will of every new MQTT CONNECT, 255 wrapping
to 0 (``tck-id-topics-nbirth-bdseq-increment``); the NBIRTHs of that session repeat it, so a host
can tell which NDEATH ends which NBIRTH. The edge node keeps the last ``bdSeq`` in its store, so a
restarted process goes on counting. Pure.
"""

from __future__ import annotations

__all__ = ["SEQ_MODULUS", "Seq", "next_bd_seq"]

SEQ_MODULUS = 256
"""Both counters run 0..255 and wrap."""


class Seq:
    """The ``seq`` of one edge node's messages."""

    def __init__(self) -> None:
        self._next = 0

    def birth(self) -> int:
        """The NBIRTH's seq (0); the next message gets 1."""
        self._next = 1
        return 0

    def next(self) -> int:
        """The next message's seq."""
        value = self._next
        self._next = (value + 1) % SEQ_MODULUS
        return value


def next_bd_seq(previous: int | None) -> int:
    """The ``bdSeq`` of the next CONNECT after ``previous`` (``None``: the node's first)."""
    return 0 if previous is None else (previous + 1) % SEQ_MODULUS
