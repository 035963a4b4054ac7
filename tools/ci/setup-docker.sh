#!/bin/sh
# Make docker usable for the end-to-end container test (tests/e2e/test_container.py).
#
# Why this exists: CI runs on a bare Debian machine that reaches only Debian's and
# PyPI's package registries. There is no Docker Hub, so `FROM python:3.12-slim-bookworm`
# cannot be pulled; instead we build a stand-in base image from Debian packages with
# debootstrap and the e2e test builds the action's Dockerfile with
# `--build-arg BASE=regoscan-base:bookworm`.
#
# Idempotent: every step checks first and skips what is already done, so running it
# twice (or on a machine that kept docker from an earlier session) costs seconds.
#
# Usage: sh tools/ci/setup-docker.sh [all|daemon]
#   all (default)  docker installed and running, and the stand-in base image built
#   daemon         docker installed and running only (tools/ci/e2e-base.sh uses this
#                  first, and builds the stand-in only when the Dockerfile's default
#                  base cannot be pulled)
#
# Environment knobs:
#   REGOSCAN_BASE_IMAGE   tag of the stand-in base (default regoscan-base:bookworm)
#   REGOSCAN_DOCKERD_LOG  where dockerd logs (default /var/log/regoscan-dockerd.log)
#   REGOSCAN_REBUILD_BASE set to 1 to rebuild the base image even if it exists
set -eu

MODE=${1:-all}
case "$MODE" in
    all|daemon) ;;
    *) echo "usage: $0 [all|daemon]" >&2; exit 2 ;;
esac
BASE_IMAGE=${REGOSCAN_BASE_IMAGE:-regoscan-base:bookworm}
DOCKERD_LOG=${REGOSCAN_DOCKERD_LOG:-/var/log/regoscan-dockerd.log}
SUITE=bookworm
START=$(date +%s)

log() { printf 'setup-docker: %s\n' "$*" >&2; }
elapsed() { echo $(( $(date +%s) - START )); }

if [ "$(id -u)" != 0 ]; then
    log "must run as root (installs packages, starts dockerd)"
    exit 1
fi

# --- 1. packages -----------------------------------------------------------------
missing=""
command -v dockerd >/dev/null 2>&1 || missing="$missing docker.io"
if [ "$MODE" = all ]; then
    command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
fi
if [ -n "$missing" ]; then
    log "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Debian's docker.io ships its own client in /usr/bin; any docker client works with
# the daemon (API version negotiation), so whichever is first on PATH is fine.
command -v docker >/dev/null 2>&1 || { log "no docker client after install"; exit 1; }
log "packages ready after $(elapsed)s"

# --- 2. daemon --------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    # No bridge and no iptables rules: the tests only ever use `--network host`
    # (the fake GitHub API listens on 127.0.0.1), and a VM without full netfilter
    # support would otherwise make dockerd refuse to start.
    # setsid + nohup: dockerd must outlive this script and the shell that ran it.
    setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false \
        >"$DOCKERD_LOG" 2>&1 </dev/null &
    i=0
    until docker info >/dev/null 2>&1; do
        i=$((i + 1))
        if [ "$i" -gt 120 ]; then
            log "dockerd did not come up within 60s; last log lines:"
            tail -n 30 "$DOCKERD_LOG" >&2 || true
            exit 1
        fi
        sleep 0.5
    done
fi
log "dockerd ready after $(elapsed)s"

# --- 3. stand-in base image ---------------------------------------------------------
if [ "$MODE" = daemon ]; then
    log "done in $(elapsed)s"
    exit 0
fi
if [ "${REGOSCAN_REBUILD_BASE:-0}" != 1 ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "$BASE_IMAGE exists; not rebuilding (REGOSCAN_REBUILD_BASE=1 forces it)"
    log "done in $(elapsed)s"
    exit 0
fi

# The mirror this machine's apt already uses (deb822 sources first, then a classic list).
MIRROR=""
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    MIRROR=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$MIRROR" ] && [ -r /etc/apt/sources.list ]; then
    MIRROR=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
fi
MIRROR=${MIRROR:-http://deb.debian.org/debian}

ROOTFS=$(mktemp -d /var/tmp/regoscan-base.XXXXXX)
chmod 755 "$ROOTFS"  # becomes the image's "/": mktemp's 0700 would lock out non-root users and apt's _apt
cleanup() {
    # unmount anything left mounted inside the chroot before deleting it
    for m in proc dev/pts; do
        mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount "$ROOTFS/$m" || true
    done
    rm -rf "$ROOTFS"
}
trap cleanup EXIT INT TERM

log "debootstrap $SUITE from $MIRROR into $ROOTFS"
debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.debootstrap.log" 2>&1 || {
    tail -n 30 "$ROOTFS.debootstrap.log" >&2
    exit 1
}
rm -f "$ROOTFS.debootstrap.log"

# apt inside the image must behave as the host's does: same sources (with security
# updates) and the same Acquire settings (e.g. a snapshot mirror whose Release files
# are past Valid-Until), or `apt-get update` in the Dockerfile would fail.
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    rm -f "$ROOTFS/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/debian.sources "$ROOTFS/etc/apt/sources.list.d/debian.sources"
fi
for f in /etc/apt/apt.conf.d/99*; do
    [ -f "$f" ] && cp "$f" "$ROOTFS/etc/apt/apt.conf.d/"
done

log "installing python3 and certificates in the base"
mount -t proc proc "$ROOTFS/proc"
mount -t devpts devpts "$ROOTFS/dev/pts" 2>/dev/null || true  # only silences apt's "Can not write log"
chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends \
               python3 python3-venv ca-certificates >/dev/null \
           && apt-get clean && rm -rf /var/lib/apt/lists/*'
umount "$ROOTFS/dev/pts" 2>/dev/null || true
umount "$ROOTFS/proc"

# The host's trust store and pip settings: the registries may be reached through a
# TLS-inspecting proxy whose CA only the host's bundle carries.
cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
[ -r /etc/pip.conf ] && cp /etc/pip.conf "$ROOTFS/etc/pip.conf"
rm -rf "$ROOTFS/var/cache/apt/archives/"*.deb "$ROOTFS/var/log/"*.log

log "importing $ROOTFS as $BASE_IMAGE"
tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$BASE_IMAGE" >/dev/null
log "built $BASE_IMAGE; done in $(elapsed)s"
