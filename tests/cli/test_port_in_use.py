"""A busy port says which, and how to free it, in one line with exit code 2: ``crane-ctrl demo``
and ``crane-ctrl sim``, Modbus and OPC UA, the simulator's port and its control channel's.

In process (``main``): a console-script start would cost seconds of imports per case.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from crane_ctrl.cli.main import main
from tests.profile_texts import PROFILES

MODBUS = str(PROFILES / "generic-modbus.toml")
OPCUA = str(PROFILES / "generic-opcua.toml")


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another server listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], code: int, port: int, flag: str) -> None:
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert err.strip().splitlines() == [
        f"crane-ctrl: port {port} is in use (another demo or simulator?): pass {flag} 0 for any "
        "free port, or stop the other one"
    ]
    assert "Traceback" not in out + err


@pytest.mark.parametrize("profile", [MODBUS, OPCUA])
def test_sim_on_a_busy_port_names_it_and_the_fix(
    profile: str, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sim", "--profile", profile, "--port", str(busy_port)])
    _one_line_exit_2(capsys, code, busy_port, "--port")


def test_sim_on_a_busy_control_port_names_it_and_the_fix(
    busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sim", "--port", "0", "--control-port", str(busy_port)])
    _one_line_exit_2(capsys, code, busy_port, "--control-port")


@pytest.mark.parametrize("profile", [MODBUS, OPCUA])
def test_demo_on_a_busy_port_names_it_and_the_fix(
    profile: str, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--headless", "--profile", profile, "--port", str(busy_port)])
    _one_line_exit_2(capsys, code, busy_port, "--port")
