package builtin.dockerfile.DS001_test

import rego.v1

import data.builtin.dockerfile.DS001 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_latest_and_untagged_images if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([
		[instr("from", ["golang", "AS", "build"]), instr("run", ["go build -o /out/app ."])],
		[instr("from", ["alpine:latest"]), instr("copy", ["/out/app", "/app"])],
	])
	msgs == {
		"Image 'golang' in FROM resolves to the ':latest' tag; pin a specific version tag or digest",
		"Image 'alpine' in FROM resolves to the ':latest' tag; pin a specific version tag or digest",
	}
}

test_denies_image_from_global_arg if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([
		[instr("arg", ["BASE=node"])],
		[instr("from", ["${BASE}"]), instr("run", ["npm ci"])],
	])
	msgs == {"Image 'node' in FROM resolves to the ':latest' tag; pin a specific version tag or digest"}
}

test_passes_pinned_images_aliases_and_scratch if {
	count(check.deny) == 0 with input as dockerfile([
		[instr("arg", ["GO_VERSION=1.22"])],
		[instr("from", ["golang:${GO_VERSION}", "AS", "build"]), instr("run", ["go build -o /out/app ."])],
		[instr("from", ["build", "AS", "test"]), instr("run", ["go test ./..."])],
		[instr("from", ["registry:5000/base@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"])],
		[instr("from", ["scratch"]), instr("copy", ["/out/app", "/app"])],
	])
}
