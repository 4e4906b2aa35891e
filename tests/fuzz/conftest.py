"""Hypothesis profiles: `ci` (default) replays the same inputs every run, so a red build is
a regression, not a lucky draw; `explore` (HYPOTHESIS_PROFILE=explore) draws new random
inputs, many more of them, to look for new bugs."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
