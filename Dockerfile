# regoscan as a GitHub container action (see action.yml and docs/ACTION.md).
#
# Everything the image is made of is pinned, so two builds of one commit get the same
# software and a build never depends on what a registry serves that day:
#   * the base by digest (python:3.12.14-slim-bookworm, the multi-platform index);
#   * the Debian packages by version (a Debian security update removes the old version
#     from the archive: the build then fails with "Version ... was not found" and the
#     ARGs below are bumped deliberately);
#   * the Python packages by version and sha256 (tools/image/requirements.txt, made by
#     pip-compile --generate-hashes from tools/image/requirements.in; pip refuses any
#     file whose hash differs).
# Releases publish this image and point action.yml at its digest (docs/ACTION.md,
# "Releases"), so workflows pull it instead of building it on every job.
#
# BASE is a build argument so CI without Docker Hub can build on a stand-in made from
# Debian bookworm packages (tools/ci/setup-docker.sh); the release workflow builds and
# tests on the real base (the release gate). Both are bookworm, so the apt step is the
# same on either.
ARG BASE=python:3.12-slim-bookworm@sha256:782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254
FROM ${BASE}

ARG GIT_VERSION=1:2.39.5-0+deb12u3
ARG LIBATOMIC_VERSION=12.2.0-14+deb12u1

# No USER and no WORKDIR, per GitHub's guidance for container actions: the runner
# runs the image as root with /github/workspace mounted and set as the working
# directory. The checkout there belongs to the runner's user, not root, so git needs
# safe.directory; setting it system-wide in the image leaves the job's shared
# /github/home/.gitconfig untouched.
#   libatomic1: needed by regopy's native module.   git: changed-files detection.
RUN apt-get update \
    && apt-get install -y --no-install-recommends "libatomic1=${LIBATOMIC_VERSION}" "git=${GIT_VERSION}" \
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
# 1. The locked dependencies, hashes required, wheels only (nothing is compiled).
# 2. regoscan itself, built by the locked hatchling without fetching anything
#    (--no-build-isolation --no-deps --no-index); hatch_build.py compiles the built-in
#    checks' bundles into it with the regopy installed in step 1.
# 3. The build-only packages and pip go: nothing runs pip later.
COPY tools/image/requirements.txt /tmp/regoscan-src/requirements.txt
COPY pyproject.toml README.md hatch_build.py /tmp/regoscan-src/
COPY src /tmp/regoscan-src/src
COPY policies /tmp/regoscan-src/policies
COPY templates /tmp/regoscan-src/templates
RUN python3 -m venv /opt/regoscan \
    && pip install --require-hashes --only-binary=:all: --no-deps -r /tmp/regoscan-src/requirements.txt \
    && pip install --no-build-isolation --no-deps --no-index /tmp/regoscan-src \
    && pip uninstall -y -q hatchling pathspec pluggy trove-classifiers tomlkit pip \
    && rm -rf /tmp/regoscan-src \
    && regoscan --version

ENTRYPOINT ["/opt/regoscan/bin/regoscan", "action"]
