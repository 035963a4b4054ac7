"""Point action.yml at a published image by digest (run by .github/workflows/release.yml).

On the main branch ``runs.image`` is ``Dockerfile``: a workflow that uses a commit of
main builds the image itself, from the same pinned Dockerfile. A release commit (the
one its tag points at) runs the image the release workflow built, tested and pushed,
named by digest so the tag can never run anything else:

    python3 tools/release/pin_action_image.py action.yml ghcr.io/OWNER/regoscan@sha256:HEX

Only the ``image:`` line under ``runs:`` changes; everything else is kept byte for byte.
Exits 2 with a message when the reference is not digest-pinned or action.yml has no
single ``image: Dockerfile`` line to replace.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REFERENCE = re.compile(r"^(docker://)?(?P<name>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)+)"
                       r"@sha256:[0-9a-f]{64}$")
IMAGE_LINE = re.compile(r"^(?P<indent>[ \t]+)image:[ \t]*[\"']?Dockerfile[\"']?[ \t]*$", re.MULTILINE)


class PinError(ValueError):
    pass


def pin(action_yml: str, reference: str) -> str:
    """``action_yml`` with ``runs.image`` set to ``docker://`` + ``reference``."""
    if not REFERENCE.match(reference):
        raise PinError(f"not a digest-pinned image reference (registry/owner/name@sha256:<64 hex>): {reference!r}")
    matches = list(IMAGE_LINE.finditer(action_yml))
    if len(matches) != 1:
        raise PinError(f"action.yml must have exactly one 'image: Dockerfile' line under runs:, found {len(matches)}")
    image = reference if reference.startswith("docker://") else f"docker://{reference}"
    m = matches[0]
    return action_yml[: m.start()] + f"{m.group('indent')}image: {image}" + action_yml[m.end():]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: pin_action_image.py ACTION_YML REGISTRY/OWNER/NAME@sha256:DIGEST", file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        text = pin(path.read_text(encoding="utf-8"), argv[1])
    except (OSError, PinError) as exc:
        print(f"pin_action_image: {exc}", file=sys.stderr)
        return 2
    path.write_text(text, encoding="utf-8")
    print(f"{path}: runs.image pinned to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
