"""SRP-6a (RFC 2945, RFC 5054): proving a PIN over a shared broker without giving away anything
to guess it against. Pure.

A challenge and an HMAC of it under a PIN-derived key would let anyone who reads the broker try
all 10,000 four-digit PINs against one login at leisure (minutes on a laptop, seconds on a GPU);
SRP does not: a listener learns nothing to test guesses against, and someone posing as the
station tests one guess per login the operator makes (and the operator sees that login fail).
Both ends share ``x``, the PBKDF2 key of the PIN (what the roles file keeps as the ``pin_hash``
digest: :func:`x_of`); the station never learns the PIN and nobody on the broker learns ``x``.

::

    client                                   station (knows salt, iterations, x)
    a random; A = g^a            --A-->
                                 <--salt, iterations, B--   b random; B = k v + g^b (v = g^x)
    x from PIN; S; K = H(S)
    M1 = H(H(N) xor H(g), H(I), s, A, B, K)
                                 --M1-->    S = (A v^u)^b; K = H(S); checks M1
    checks M2                    <--M2--    M2 = H(A, M1, K)

``u = H(PAD(A), PAD(B))`` and ``k = H(N, PAD(g))`` (RFC 5054); ``K`` is the session's key. The
station's group is RFC 5054's 2048-bit one with SHA-256 (:data:`GROUP`); the tests check the
arithmetic against RFC 5054's test vectors (1024-bit, SHA-1) with the same code.

A modular power of 2048 bits takes a few ms of the interpreter (it holds the GIL): the station
does at most two in a row and yields between them (:mod:`crane_ctrl.fleet.operator_logins`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = [
    "EPHEMERAL_BITS",
    "GROUP",
    "Group",
    "ServerHandshake",
    "client_proof",
    "client_start",
    "x_of",
]

EPHEMERAL_BITS = 256
"""Bits of the secret exponents ``a`` and ``b`` (twice the 128-bit security aimed at)."""


@dataclass(frozen=True, slots=True)
class Group:
    """A prime ``N``, a generator ``g`` and the hash both ends use."""

    n: int
    g: int
    hash_name: str

    @property
    def width(self) -> int:
        """Bytes of ``N``: what PAD pads to."""
        return (self.n.bit_length() + 7) // 8

    def h(self, *parts: bytes) -> bytes:
        digest = hashlib.new(self.hash_name)
        for part in parts:
            digest.update(part)
        return digest.digest()

    def pad(self, value: int) -> bytes:
        return value.to_bytes(self.width, "big")

    @property
    def k(self) -> int:
        return _int(self.h(_bytes(self.n), self.pad(self.g)))

    def u(self, a_pub: int, b_pub: int) -> int:
        return _int(self.h(self.pad(a_pub), self.pad(b_pub)))

    def session_key(self, s: int) -> bytes:
        return self.h(_bytes(s))

    def m1(self, identity: bytes, salt: bytes, a_pub: int, b_pub: int, key: bytes) -> bytes:
        """The client's proof that it has the same key."""
        h_n, h_g = self.h(_bytes(self.n)), self.h(_bytes(self.g))
        xor = bytes(p ^ q for p, q in zip(h_n, h_g, strict=True))
        return self.h(xor, self.h(identity), salt, _bytes(a_pub), _bytes(b_pub), key)

    def m2(self, a_pub: int, m1: bytes, key: bytes) -> bytes:
        """The station's proof back."""
        return self.h(_bytes(a_pub), m1, key)


GROUP = Group(
    int(
        "AC6BDB41324A9A9BF166DE5E1389582FAF72B6651987EE07FC3192943DB56050"
        "A37329CBB4A099ED8193E0757767A13DD52312AB4B03310DCD7F48A9DA04FD50"
        "E8083969EDB767B0CF6095179A163AB3661A05FBD5FAAAE82918A9962F0B93B8"
        "55F97993EC975EEAA80D740ADBF4FF747359D041D5C33EA71D281E446B14773B"
        "CA97B43A23FB801676BD207A436C6481F1D2B9078717461A5B9D32E688F87748"
        "544523B524B0D57D5EA77A2775D2ECFA032CFBDBF52FB3786160279004E57AE6"
        "AF874E7303CE53299CCC041C7BC308D82A5698F3A8D0C38271AE35F8E9DBFBB6"
        "94B5C803D89F7AE435DE236D525F54759B65E372FCD68EF20FA7111F9E4AFF73",
        16,
    ),
    2,
    "sha256",
)
"""RFC 5054, appendix A, the 2048-bit group, with SHA-256."""


def x_of(key: bytes) -> int:
    """SRP's ``x`` from the PIN's PBKDF2 key (the roles file's digest)."""
    return _int(key)


def client_start(group: Group = GROUP, *, a: int | None = None) -> tuple[int, int]:
    """The client's secret ``a`` and public ``A``."""
    a = secrets.randbits(EPHEMERAL_BITS) if a is None else a
    return a, pow(group.g, a, group.n)


def client_proof(
    group: Group, identity: bytes, salt: bytes, x: int, a: int, b_pub: int
) -> tuple[bytes, bytes]:
    """(``M1``, ``K``) for the station's ``B``; ``ValueError`` for a ``B`` no station sends."""
    n, g = group.n, group.g
    if b_pub % n == 0:
        raise ValueError("the station's B is 0 mod N: not a genuine station")
    a_pub = pow(g, a, n)
    u = group.u(a_pub, b_pub)
    if u == 0:
        raise ValueError("u is 0: not a genuine station")
    s = pow((b_pub - group.k * pow(g, x, n)) % n, a + u * x, n)
    key = group.session_key(s)
    return group.m1(identity, salt, a_pub, b_pub, key), key


class ServerHandshake:
    """The station's half of one login: ``B`` for the client's ``A``, then the proof checked."""

    def __init__(self, group: Group, identity: bytes, salt: bytes, verifier: int, a_pub: int,
                 *, b: int | None = None) -> None:  # fmt: skip
        """``verifier``: ``g^x mod N`` (:meth:`verifier`). ``ValueError`` for an ``A`` no
        genuine client sends (0 mod N would let anyone in)."""
        if a_pub % group.n == 0 or not 0 < a_pub < group.n:
            raise ValueError("A must be a number between 1 and N - 1, not 0 mod N")
        self.group, self.identity, self.salt = group, identity, salt
        self._v, self._a_pub = verifier, a_pub
        self._b = secrets.randbits(EPHEMERAL_BITS) if b is None else b
        self.b_pub = (group.k * verifier + pow(group.g, self._b, group.n)) % group.n

    @staticmethod
    def verifier(group: Group, x: int) -> int:
        return pow(group.g, x, group.n)

    def premaster(self) -> int:
        """``S``: two modular powers (the caller may yield before this)."""
        g = self.group
        u = g.u(self._a_pub, self.b_pub)
        return pow(self._a_pub * pow(self._v, u, g.n) % g.n, self._b, g.n)

    def check(self, m1: bytes, s: int) -> tuple[bytes, bytes] | None:
        """(``K``, ``M2``) if the client's ``m1`` proves the same key, else ``None``."""
        g = self.group
        key = g.session_key(s)
        expected = g.m1(self.identity, self.salt, self._a_pub, self.b_pub, key)
        if not hmac.compare_digest(expected, m1):
            return None
        return key, g.m2(self._a_pub, m1, key)


def _bytes(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _int(data: bytes) -> int:
    return int.from_bytes(data, "big")
