"""Hypothesis profiles for the whole suite.

``make test`` (and CI) runs the ``suite`` profile: 50 examples for a property that does not say
how many it needs (Hypothesis's default is 100), so the whole suite fits CI's ten minutes on two
cores. A property that names its own ``max_examples`` keeps it. For a longer search, as before a
release: ``HYPOTHESIS_PROFILE=thorough make test`` (1000 examples each)."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("suite", max_examples=50)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
