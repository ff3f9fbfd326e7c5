"""Test inputs for a crane nobody here designed: a profile without optional signals, a low crane.

``text_without_optional`` is a shipped profile less every optional canonical signal (what a PLC
with no sway sensor, slack-rope switch, storm pins, lane sensors or fault code gives).
``low_lift_site`` is the shipped border-gate site for a crane that lifts 15.5 m over a stack of
four tiers: every height the supervisor checks must come from it, never from the default crane.
"""

from __future__ import annotations

from crane_ctrl.signals import SIGNALS
from crane_ctrl.site import CONTAINER_HEIGHT_HC_M
from simulators.site_file import DEFAULT_SITE
from tests.profile_texts import PROFILES, with_signal

__all__ = [
    "DEFAULT_TRAVEL_HEIGHT_M",
    "LOW_LIFT_M",
    "LOW_TRAVEL_HEIGHT_M",
    "OPTIONAL",
    "low_lift_site",
    "text_without_optional",
]

OPTIONAL = tuple(name for name, spec in SIGNALS.items() if not spec.required)
"""Every canonical signal a profile may leave out."""

LOW_LIFT_M = 15.5
"""The low crane's lift height: below the default crane's 18 m."""
LOW_TIERS = 4
SAFE_CLEARANCE_M = 0.5
"""The default ``CraneParams.safe_clearance_m``, which the low crane keeps."""
LOW_TRAVEL_HEIGHT_M = (LOW_TIERS + 1) * CONTAINER_HEIGHT_HC_M + SAFE_CLEARANCE_M
"""A high cube on the spreader over four high cubes, plus the clearance: 14.98 m."""
DEFAULT_TRAVEL_HEIGHT_M = (5 + 1) * CONTAINER_HEIGHT_HC_M + SAFE_CLEARANCE_M
"""The same over the default site's five tiers: 17.876 m, above the low crane's lift."""

_LOW_CRANE = f"""\
[crane]
lift_height_m = {LOW_LIFT_M}
suspension_height_m = 19.0
gantry_speed_empty_mps = 1.8
gantry_speed_loaded_mps = 1.6
wind_prealarm_mps = 12.0
wind_stop_mps = 16.0
wind_storm_mps = 22.0

[site]
name = "low-lift yard"

[site.stack]
max_tiers = {LOW_TIERS}

"""


def text_without_optional(name: str) -> str:
    """Shipped profile ``name`` less every optional signal, named ``<name>-minimal``."""
    text = (PROFILES / f"{name}.toml").read_text(encoding="utf-8")
    for signal in OPTIONAL:
        text = with_signal(text, signal, None)
    return text.replace(f'name = "{name}"', f'name = "{name}-minimal"', 1)


def low_lift_site(hoist_m: float = 15.0) -> str:
    """The border-gate site's yard under the low crane, the spreader starting at ``hoist_m``."""
    yard = DEFAULT_SITE.read_text(encoding="utf-8")
    start = "hoist_m = 15.0\n"
    assert start in yard, "the shipped site's start pose changed: update this helper"
    return _LOW_CRANE + yard.replace(start, f"hoist_m = {hoist_m}\n", 1)
