"""``crane-ctrl commission`` checks the PLC's watchdog against the profile's ``[plc] watchdog_s``
unless ``--plc-watchdog`` says otherwise, and the check says which it used and from where."""

from __future__ import annotations

import pytest

from crane_ctrl.cli.main import build_parser
from crane_ctrl.commission.settings import CommissionSettings
from crane_ctrl.commission.watchdog import watchdog_time
from crane_ctrl.profile.model import PlcBehaviour

PROFILE_SAYS = PlcBehaviour.model_validate({"watchdog_s": 3.5})
"""A PLC whose manual says 3.5 s (1 s and the 2 s margin would fail it)."""


def test_without_the_option_the_profiles_watchdog_time_is_used() -> None:
    assert watchdog_time(CommissionSettings(), PROFILE_SAYS) == (
        3.5,
        "the profile's [plc] watchdog_s",
    )


def test_the_option_overrides_the_profile_and_says_what_the_profile_says() -> None:
    assert watchdog_time(CommissionSettings(plc_watchdog_s=2.0), PROFILE_SAYS) == (
        2.0,
        "--plc-watchdog; the profile's [plc] watchdog_s is 3.5 s",
    )
    assert watchdog_time(CommissionSettings(plc_watchdog_s=3.5), PROFILE_SAYS) == (
        3.5,
        "--plc-watchdog",
    )


def test_a_profile_without_a_watchdog_time_is_checked_against_the_default_and_says_so() -> None:
    seconds, source = watchdog_time(CommissionSettings(), PlcBehaviour())
    assert seconds == PlcBehaviour().watchdog_s
    assert source == "the default [plc] watchdog_s: the profile gives none"


def test_the_commission_command_leaves_the_watchdog_time_to_the_profile() -> None:
    args = build_parser().parse_args(
        ["commission", "--profile", "p.toml", "--plc", "modbus://127.0.0.1:502"]
    )
    assert args.plc_watchdog is None
    given = build_parser().parse_args(
        ["commission", "--profile", "p.toml", "--plc", "modbus://127.0.0.1:502",
         "--plc-watchdog", "3.5"]
    )  # fmt: skip
    assert given.plc_watchdog == 3.5


def test_commission_settings_still_refuse_a_nonsense_watchdog_time() -> None:
    with pytest.raises(ValueError, match="`plc_watchdog_s` must be positive"):
        CommissionSettings(plc_watchdog_s=0.0)
