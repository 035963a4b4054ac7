"""Where the read-only reference material lives: ``../shared`` beside the repository.

CI provides it; a user's clone does not, so tests that need it skip and say why.
``REGOSCAN_SHARED_DIR`` points elsewhere when the checkout is not beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("REGOSCAN_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
CORPUS = SHARED / "corpus"
CORPUS_MISSING = f"corpus not present at {CORPUS} (set REGOSCAN_SHARED_DIR; CI provides ../shared)"
