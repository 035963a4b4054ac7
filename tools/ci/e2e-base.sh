#!/bin/sh
# Decide which base image the container end-to-end test (tests/e2e/test_container.py)
# builds the action's Dockerfile on, providing it when this machine can, and record the
# decision for the test in build/e2e-base (one line: `base=IMAGE` or `skip=REASON`).
# `make test` runs this before pytest (`make e2e-base` runs it alone).
#
# Why: the Dockerfile's default base comes from Docker Hub, which a CI machine or a
# developer's sandbox may not reach. `make test` must then still pass as written, so:
#   1. REGOSCAN_E2E=skip, or REGOSCAN_E2E_BASE=IMAGE: the caller decided; record it.
#   2. No usable docker: as root with apt-get, tools/ci/setup-docker.sh installs and
#      starts it; otherwise skip.
#   3. The Dockerfile's default base, when it is present or can be pulled.
#   4. Else the stand-in regoscan-base:bookworm (Debian packages, built with debootstrap
#      by tools/ci/setup-docker.sh; built here when missing and this machine can).
#   5. Else skip.
# A skip is one line on stderr saying why and how to run the container tests; it is
# never an error. A provisioning step that was attempted and failed is an error.
#
# Idempotent and fast when done: a recorded base that still exists locally and is still
# the default or the stand-in is reused without asking any registry.
#
# Environment knobs:
#   REGOSCAN_E2E             `skip` to skip the container tests on purpose
#   REGOSCAN_E2E_BASE        base image to use as is (no pull, no check)
#   REGOSCAN_E2E_RECORD      where the decision is written (default build/e2e-base)
#   REGOSCAN_BASE_IMAGE      tag of the stand-in (default regoscan-base:bookworm)
#   REGOSCAN_PULL_TIMEOUT    seconds a pull of the default base may take (default 300)
set -eu
cd "$(dirname "$0")/../.."

RECORD=${REGOSCAN_E2E_RECORD:-build/e2e-base}
STAND_IN=${REGOSCAN_BASE_IMAGE:-regoscan-base:bookworm}
PULL_TIMEOUT=${REGOSCAN_PULL_TIMEOUT:-300}
HOW="to run them: sudo sh tools/ci/setup-docker.sh, then make test"

write_record() {
    mkdir -p "$(dirname "$RECORD")"
    printf '%s\n' "$1" >"$RECORD.tmp"
    mv "$RECORD.tmp" "$RECORD"
}

use_base() {  # use_base IMAGE WHY
    write_record "base=$1"
    printf 'e2e: container tests build on %s (%s)\n' "$1" "$2" >&2
    exit 0
}

skip() {  # skip REASON (names why; the how is added)
    write_record "skip=$1; $HOW"
    printf 'e2e: container tests SKIPPED: %s; %s\n' "$1" "$HOW" >&2
    exit 0
}

have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# --- 1. the caller decided ----------------------------------------------------------
if [ "${REGOSCAN_E2E:-}" = skip ]; then
    HOW="unset REGOSCAN_E2E to run them"
    skip "REGOSCAN_E2E=skip"
fi
if [ -n "${REGOSCAN_E2E_BASE:-}" ]; then
    use_base "$REGOSCAN_E2E_BASE" "REGOSCAN_E2E_BASE"
fi

# --- 2. docker ----------------------------------------------------------------------
if ! have docker || ! docker info >/dev/null 2>&1; then
    if have docker; then problem="the docker daemon is not reachable"; else problem="docker is not installed"; fi
    if ! is_root; then
        skip "$problem and setting it up needs root"
    fi
    if ! have apt-get && ! have dockerd; then
        skip "$problem and this machine has no apt-get to install it"
    fi
    sh tools/ci/setup-docker.sh daemon
fi

# --- 3. the Dockerfile's default base -------------------------------------------------
DEFAULT=$(sed -n 's/^ARG BASE=//p' Dockerfile | head -n 1 | tr -d '"'"'"' \r')

if [ -r "$RECORD" ]; then
    previous=$(sed -n 's/^base=//p' "$RECORD")
    if [ -n "$previous" ] && { [ "$previous" = "$DEFAULT" ] || [ "$previous" = "$STAND_IN" ]; } \
        && image_exists "$previous"; then
        use_base "$previous" "as recorded in $RECORD"
    fi
fi

if [ -n "$DEFAULT" ]; then
    if image_exists "$DEFAULT"; then
        use_base "$DEFAULT" "the Dockerfile's default, present locally"
    fi
    if have timeout; then pull="timeout $PULL_TIMEOUT docker pull -q"; else pull="docker pull -q"; fi
    if pulled=$($pull "$DEFAULT" 2>&1); then
        use_base "$DEFAULT" "the Dockerfile's default, pulled"
    fi
    why_not=$(printf '%s\n' "$pulled" | tail -n 1 | cut -c 1-160)
    why_not="the Dockerfile's default base $DEFAULT cannot be pulled (${why_not:-docker pull failed})"
else
    why_not="the Dockerfile names no default base (ARG BASE=...)"
fi

# --- 4. the stand-in ----------------------------------------------------------------
if image_exists "$STAND_IN"; then
    use_base "$STAND_IN" "stand-in: $why_not"
fi
if ! is_root; then
    skip "$why_not and building the stand-in $STAND_IN needs root"
fi
if ! have debootstrap && ! have apt-get; then
    skip "$why_not and building the stand-in needs debootstrap (no apt-get to install it)"
fi
printf 'e2e: %s; building the stand-in %s (a few minutes, once)\n' "$why_not" "$STAND_IN" >&2
REGOSCAN_BASE_IMAGE=$STAND_IN sh tools/ci/setup-docker.sh all
use_base "$STAND_IN" "stand-in: $why_not"
