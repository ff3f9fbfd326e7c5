"""SRP-6a as the station and the operations centre do it: RFC 5054's test vectors through the
same code (its 1024-bit group and SHA-1), the 2048-bit group a safe prime, a wrong key or a
made-up ``A`` getting nowhere; and the ``Operator/...`` messages naming what is wrong in them."""

from __future__ import annotations

import json

import pytest

from crane_ctrl.errors import OrderError
from crane_ctrl.fleet.operator_wire import (
    Outcome,
    Result,
    keys,
    parse_login,
    parse_order,
    parse_result,
    seal,
)
from crane_ctrl.fleet.srp import GROUP, Group, ServerHandshake, client_proof, client_start, x_of

RFC5054_1024 = Group(int(
    "EEAF0AB9ADB38DD69C33F80AFA8FC5E86072618775FF3C0B9EA2314C9C256576D674DF7496EA81D3383B4813D692"
    "C6E0E0D5D8E250B98BE48E495C1D6089DAD15DC7D7B46154D6B6CE8EF4AD69B15D4982559B297BCF1885C529F566"
    "660E57EC68EDBC3C05726CC02FD4CBF4976EAA9AFD5138FE8376435B9FC61D2FC0EB06E3", 16), 2, "sha1")  # fmt: skip
SALT = bytes.fromhex("BEB25379D1A8581EB5A727673A2441EE")
A_SECRET = 0x60975527035CF2AD1989806F0407210BC81EDC04E2762A56AFD529DDDA2D4393
B_SECRET = 0xE487CB59D31AC550471E81F00F6928E01DDA08E974A004F49E61F5D105284D20


def _hex(text: str) -> int:
    return int(text.replace(" ", ""), 16)


def test_the_arithmetic_gives_rfc_5054_s_test_vectors() -> None:
    g = RFC5054_1024
    x = int.from_bytes(g.h(SALT, g.h(b"alice:password123")), "big")  # the RFC's x
    v = ServerHandshake.verifier(g, x)
    _, a_pub = client_start(g, a=A_SECRET)
    station = ServerHandshake(g, b"alice", SALT, v, a_pub, b=B_SECRET)
    assert g.k == _hex("7556AA04 5AEF2CDD 07ABAF0F 665C3E81 8913186F")
    assert x == _hex("94B7555A ABE9127C C58CCF49 93DB6CF8 4D16C124")
    assert hex(v).startswith("0x7e273de8696ffc4f4e337d05b4b375beb0dde1569e8fa00a9886d8129bada1f1")
    assert hex(a_pub).startswith("0x61d5e490f6f1b79547b0704c436f523dd0e560f0c64115bb72557ec443")
    assert hex(station.b_pub).startswith("0xbd0c61512c692c0cb6d041fa01bb152d4916a1e77af46ae105")
    assert g.u(a_pub, station.b_pub) == _hex("CE38B959 3487DA98 554ED47D 70A7AE5F 462EF019")
    s = station.premaster()
    assert hex(s).startswith("0xb0dc82babcf30674ae450c0287745e7990a3381f63b387aaf271a10d233861")
    m1, key = client_proof(g, b"alice", SALT, x, A_SECRET, station.b_pub)
    assert key.hex() == "017eefa1cefc5c2e626e21598987f31e0f1b11bb"
    assert m1.hex() == "3f3bc67169ea71302599cf1b0f5d408b7b65d347"
    assert station.check(m1, s) == (key, g.m2(a_pub, m1, key))


def test_the_station_s_group_is_rfc_5054_s_2048_bit_safe_prime_and_generator() -> None:
    n = GROUP.n
    assert n.bit_length() == 2048
    assert GROUP.g == 2
    assert GROUP.hash_name == "sha256"
    q = (n - 1) // 2
    assert pow(2, n - 1, n) == 1
    assert pow(3, q - 1, q) == 1


def test_a_wrong_key_or_a_made_up_a_gets_nowhere() -> None:
    right, wrong = x_of(b"\x01" * 32), x_of(b"\x02" * 32)
    a, a_pub = client_start()
    station = ServerHandshake(GROUP, b"kim", SALT, ServerHandshake.verifier(GROUP, right), a_pub)
    m1, _ = client_proof(GROUP, b"kim", SALT, wrong, a, station.b_pub)
    assert station.check(m1, station.premaster()) is None
    for made_up in (0, GROUP.n, 2 * GROUP.n):
        with pytest.raises(ValueError, match="not 0 mod N"):
            ServerHandshake(GROUP, b"kim", SALT, 5, made_up)
    with pytest.raises(ValueError, match="not a genuine station"):
        client_proof(GROUP, b"kim", SALT, right, a, GROUP.n)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nope", "Operator/Login: not JSON"),
        ('{"step": "start", "id": "r1", "user": "kim", "role": "operator", "host": "ops"}',
         "Operator/Login A: text, not nothing"),
        ('{"step": "start", "id": "r1", "user": "kim", "role": "operator", "host": "ops", '
         '"A": "xyz"}', "Operator/Login A: a number in hex digits"),
        ('{"step": "guess", "id": "r1"}', "Operator/Login step: 'start' or 'proof'"),
    ],
)  # fmt: skip
def test_an_unreadable_login_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(OrderError, match=message):
        parse_login(text)


def test_an_order_names_a_bad_counter_and_an_answer_is_authentic_only_with_its_key() -> None:
    with pytest.raises(OrderError, match="n: a counter from 1 up, not 0"):
        parse_order({"id": "r", "user": "kim", "session": "s", "n": 0, "cmd": "stop"})
    own = keys(b"\x07" * 32)
    text = seal(Result("r9", Outcome.DONE).body(), own.result, "block-A/ASC-07")
    assert parse_result(text, "block-A/ASC-07", lambda _: own.result).authentic
    assert not parse_result(text, "block-A/ASC-08", lambda _: own.result).authentic  # other node
    assert not parse_result(text, "block-A/ASC-07", lambda _: own.command).authentic
    assert json.loads(json.loads(text)["body"])["result"] == "done"
