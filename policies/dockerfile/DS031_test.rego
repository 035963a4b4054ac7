package builtin.dockerfile.DS031_test

import rego.v1

import data.builtin.dockerfile.DS031 as check

# Trivy's Dockerfile input: one entry of Stages per FROM, each with its instructions
# in file order (line numbers do not matter in these tests).
dockerfile(stages) := {"Stages": [{"Name": "", "Commands": commands} | some commands in stages]}

instr(c, value) := {"Cmd": c, "SubCmd": "", "Flags": [], "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

with_flags(c, flags, value) := {"Cmd": c, "SubCmd": "", "Flags": flags, "Value": value, "JSON": false, "Stage": 0, "StartLine": 1, "EndLine": 1}

test_denies_secret_env_and_arg if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[
		instr("from", ["node:20"]),
		instr("arg", ["DB_PASSWORD", "VERSION=1.0"]),
		instr("env", ["GITHUB_TOKEN", "abc123", "=", "NODE_ENV", "production", "="]),
	]])
	msgs == {
		"ARG 'DB_PASSWORD' looks like a secret; its value is stored in the image where anyone with the image can read it",
		"ENV 'GITHUB_TOKEN' looks like a secret; its value is stored in the image where anyone with the image can read it",
	}
}

test_denies_copied_credentials_file if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[
		instr("from", ["python:3.12"]),
		instr("copy", ["key.json", "/app/"]),
		instr("env", ["GOOGLE_APPLICATION_CREDENTIALS", "/app/key.json", "="]),
		instr("copy", ["aws.conf", "$AWS_CONFIG_FILE"]),
	]])
	msgs == {
		"ENV 'GOOGLE_APPLICATION_CREDENTIALS' points at a credentials file that a COPY puts into the image",
		"COPY writes a credentials file to $AWS_CONFIG_FILE inside the image",
	}
}

test_denies_credentials_on_command_line if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[instr("from", ["amazon/aws-cli:2.15.0"]), instr("run", ["aws configure set aws_access_key_id AKIAEXAMPLE"])]])
	msgs == {"RUN configures cloud credentials without a secret mount; the credentials end up in the image or its build history"}
}

test_passes_secret_mount_public_names_and_earlier_stages if {
	count(check.deny) == 0 with input as dockerfile([
		[instr("from", ["node:20", "AS", "build"]), instr("arg", ["GITHUB_TOKEN"])],
		[
			instr("from", ["node:20"]),
			instr("env", ["PUBLIC_KEY", "ssh-ed25519 AAAA", "=", "NODE_ENV", "production", "="]),
			instr("env", ["GOOGLE_APPLICATION_CREDENTIALS", "/run/secrets/gcp.json", "="]),
			with_flags("run", ["--mount=type=secret,id=aws"], ["aws configure set aws_access_key_id $(cat /run/secrets/aws)"]),
		],
	])
}

# ENV is read triple by triple: names at 0, 3, 6...; a value that looks like a secret name
# is not a name, and a malformed ENV (not whole triples) declares nothing.
test_env_names_are_every_third_value if {
	msgs := {r.msg | some r in check.deny} with input as dockerfile([[
		instr("from", ["node:20"]),
		instr("env", ["LANG", "GITHUB_TOKEN", "=", "PATH", "/bin", "=", "API_KEY", "x", "="]),
		instr("env", ["SECRET", "x"]),
		instr("env", []),
	]])
	msgs == {"ENV 'API_KEY' looks like a secret; its value is stored in the image where anyone with the image can read it"}
}
