# regoscan as a GitHub container action (see action.yml and docs/ACTION.md).
#
# BASE is a build argument so CI without Docker Hub can build on a stand-in image
# made from Debian packages (tools/ci/setup-docker.sh); the default is what GitHub's
# runners pull. Both are Debian bookworm, so the apt step is the same on either.
ARG BASE=python:3.12-slim-bookworm
FROM ${BASE}

# No USER and no WORKDIR, per GitHub's guidance for container actions: the runner
# runs the image as root with /github/workspace mounted and set as the working
# directory. The checkout there belongs to the runner's user, not root, so git needs
# safe.directory; setting it system-wide in the image leaves the job's shared
# /github/home/.gitconfig untouched.
#   libatomic1: needed by regopy's native module.   git: changed-files detection.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libatomic1 git \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
    && git config --system --add safe.directory '*'

# A venv instead of the image's pip: python:3.12-slim has pip on its own Python,
# Debian's python3 does not (PEP 668 marks it externally managed), and a venv works
# the same way on both.
ENV PATH=/opt/regoscan/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# Only what the wheel is built from (.dockerignore keeps the rest out of the context).
# Runtime dependency versions come from pyproject.toml, which pins regopy exactly.
# pip and setuptools are removed once the install is done: nothing runs pip later.
COPY pyproject.toml README.md /tmp/regoscan-src/
COPY src /tmp/regoscan-src/src
COPY policies /tmp/regoscan-src/policies
COPY templates /tmp/regoscan-src/templates
RUN python3 -m venv /opt/regoscan \
    && pip install --no-cache-dir /tmp/regoscan-src \
    && rm -rf /tmp/regoscan-src \
    && pip uninstall -y -q pip setuptools \
    && regoscan --version

ENTRYPOINT ["/opt/regoscan/bin/regoscan", "action"]
