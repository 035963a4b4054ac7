"""Suite-wide fixtures and settings."""

import os

from hypothesis import settings

# Validate every SARIF file the suite writes (Multitool "Sarif;Gh" + OASIS schema) at session end.
from tests.sarif_validator import sarif_output_validation  # noqa: F401

# Property tests explore a fixed sequence of examples, so a CI run is reproducible: a
# failure is a regression, not a new random draw. Set HYPOTHESIS_PROFILE=explore to
# search with fresh randomness.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
