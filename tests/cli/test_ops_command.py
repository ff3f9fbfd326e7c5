"""``crane-ctrl ops`` says what is wrong in one line with exit code 2, never a traceback: a broker
not there at start (and what to do), a URL or an id it cannot use. In process (``main``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crane_ctrl.cli.main import main
from tests.fleet.conftest import free_port


def _one_line(capsys: pytest.CaptureFixture[str], code: int) -> str:
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "Traceback" not in out + err
    (line,) = err.strip().splitlines()
    return line


def test_a_broker_that_is_not_there_is_said_with_the_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    port = free_port()
    code = main(["ops", "--broker", f"mqtt://127.0.0.1:{port}", "--broker-wait", "0.3",
                 "--log", str(tmp_path / "ops.log")])  # fmt: skip
    line = _one_line(capsys, code)
    assert line.startswith(f"crane-ctrl: cannot reach the MQTT broker at mqtt://127.0.0.1:{port} "
                           "within 0.3 s (")  # fmt: skip
    assert line.endswith(f"start it (mosquitto -p {port}) or give --broker mqtt://host:port of "
                         "the one in use")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--broker", "tcp://127.0.0.1:1883"], "give mqtt://host:port"),
        (["--broker", "mqtt://127.0.0.1:1883", "--host-id", "ops/1"], "the host id (--host-id)"),
        (["--broker", "mqtt://127.0.0.1:1883", "--group", "A+"], "the group id (--group)"),
    ],
)
def test_a_url_or_id_it_cannot_use_is_named(
    capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert said in _one_line(capsys, main(["ops", *args]))
