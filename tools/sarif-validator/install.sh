#!/bin/sh
# Install Microsoft's SARIF Multitool, pinned by package-lock.json, into
# tools/sarif-validator/node_modules and print the path of its native binary.
#
# Test-only tooling: tests/sarif_validator.py runs this (once per test session) and then
# `<binary> validate FILE... --rule-kind "Sarif;Gh"` on every SARIF file the tests write.
# Idempotent: when the pinned version is already installed, nothing is downloaded.
# Exit 3 when node or npm is missing (the tests then skip with that reason).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "sarif-validator: '$tool' not found on PATH; install Node.js (which ships npm)" >&2
        exit 3
    fi
done

# npm writes node_modules/.package-lock.json after a complete install; reinstall when it
# is missing or when package-lock.json changed since (new pin).
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    # --ignore-scripts: the only install script in the tree is the binary's chmod, done below.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi

binary=$(node -e "process.stdout.write(require('@microsoft/sarif-multitool'))")
if [ ! -f "$binary" ]; then
    echo "sarif-validator: no SARIF Multitool binary for this platform at $binary" >&2
    exit 1
fi
case "$(uname -s)" in
    MINGW*|MSYS*|CYGWIN*) ;;
    *) chmod u+x "$binary" ;;
esac
echo "$binary"
