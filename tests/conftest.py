"""Suite-wide fixtures."""

# Validate every SARIF file the suite writes (Multitool "Sarif;Gh" + OASIS schema) at session end.
from tests.sarif_validator import sarif_output_validation  # noqa: F401
