# Sourced by tools/*/install.sh: the steps every npm-pinned test tool shares.
#
# npm_pinned LABEL: in the current folder (the tool's, holding package.json and
# package-lock.json), exit 3 when node or npm is missing (the tests then skip with that
# reason), and run `npm ci` when nothing is installed yet or package-lock.json changed
# since (a new pin): npm writes node_modules/.package-lock.json after a complete install.
# Sets npm_installed=1 when it ran npm ci, so the caller can prune or fix up what was
# just installed, and 0 otherwise (idempotent: nothing is downloaded twice).
#
# --ignore-scripts: no package's install script ever runs; a tool that needs a step
# (the SARIF Multitool's chmod) does it itself in its install.sh.

npm_pinned() {
    for tool in node npm; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$1: '$tool' not found on PATH; install Node.js (which ships npm)" >&2
            exit 3
        fi
    done
    npm_installed=0
    stamp=node_modules/.package-lock.json
    if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
        npm_installed=1
    fi
}
