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
. ../npm-pinned.sh

npm_pinned sarif-validator

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
