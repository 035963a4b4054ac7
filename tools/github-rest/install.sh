#!/bin/sh
# Install GitHub's REST API description (@octokit/openapi) and the real webhook payloads
# (@octokit/webhooks-examples), pinned by package-lock.json, into
# tools/github-rest/node_modules, and print the node_modules path.
#
# Test-only data: tests/github_rest.py checks the fake GitHub API (tests/e2e/fake_github.py)
# against the description and replays the webhook payloads in the event tests.
# Idempotent: when the pinned versions are installed, nothing is downloaded.
# Exit 3 when node or npm is missing (the tests then skip with that reason).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
. ../npm-pinned.sh

npm_pinned github-rest
if [ "$npm_installed" = 1 ]; then
    # The description ships for api.github.com, GHEC and three GHES releases, each also
    # dereferenced (about 400 MB); the tests read only api.github.com.json.
    find node_modules/@octokit/openapi/generated -name '*.json' ! -name 'api.github.com.json' -delete
    touch node_modules/.package-lock.json
fi

for f in node_modules/@octokit/openapi/generated/api.github.com.json \
         node_modules/@octokit/webhooks-examples/api.github.com/index.json; do
    if [ ! -f "$f" ]; then
        echo "github-rest: $here/$f is missing after the install" >&2
        exit 1
    fi
done
echo "$here/node_modules"
