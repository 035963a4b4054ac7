# METADATA
# title: Secrets passed through ARG, ENV or copied files
# description: >-
#   Values given with ARG or ENV are recorded in the image: ENV in its configuration,
#   ARG in its build history, where anyone who can pull the image can read them. The
#   same goes for a credentials file that COPY puts into the image, and for credentials
#   written on a RUN command line. Build secrets belong in a secret mount
#   ('RUN --mount=type=secret'), runtime secrets in a volume or the orchestrator's
#   secret store.
# scope: package
# related_resources:
# - https://docs.docker.com/build/building/secrets/
# - https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/
# - https://avd.aquasec.com/misconfig/ds031
# custom:
#   id: DS031
#   aliases:
#   - DS-0031
#   - AVD-DS-0031
#   - do-not-pass-secrets
#   - docker-do-not-pass-secrets
#   severity: CRITICAL
#   recommended_action: >-
#     Pass build-time secrets with 'RUN --mount=type=secret,...' and provide runtime
#     secrets and credential files through volumes or a secret store, not ARG, ENV or COPY.
#   input:
#     selector:
#     - type: dockerfile
package builtin.dockerfile.DS031

import rego.v1

import data.lib.docker
import data.result

# ---------------------------------------------------------------------------
# What counts as a secret (the same lists as Trivy's check)
# ---------------------------------------------------------------------------

# The lists below are written as '|'-delimited strings and tested with contains(): a set
# literal costs regopy about 0.1 ms to build in every query that reads it, and each `in`
# test on it ~25 us, where a substring test on a constant string costs a few microseconds
# (none of the names contains '|'; a name that does is never one of them).

# Well-known variables that hold a credential.
_known_secret_envs := "|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AZURE_CLIENT_ID|AZURE_CLIENT_SECRET|GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|GITHUB_ENTERPRISE_TOKEN|OPENAI_API_KEY|HF_TOKEN|DIGITALOCEAN_ACCESS_TOKEN|DOCKERHUB_PASSWORD|FIREBASE_TOKEN|CI_DEPLOY_PASSWORD|GOOGLE_API_KEY|LANGSMITH_API_KEY|LANGCHAIN_API_KEY|HEROKU_API_KEY|"

# Variables that hold the path of a credentials file.
_secret_file_envs := "|AWS_CONFIG_FILE|HF_TOKEN_PATH|GOOGLE_APPLICATION_CREDENTIALS|"

# name is one of the '|'-delimited list.
_listed(name, list) if {
	not contains(name, "|")
	contains(list, concat("", ["|", name, "|"]))
}

# More names can be given as data: {"ds031": {"included_envs": ["MY_SECRET"]}}.
_extra_secret_envs := {name |
	some name in data.ds031.included_envs
	is_string(name)
}

_is_secret_env(name) if _listed(name, _known_secret_envs)

_is_secret_env(name) if {
	count(_extra_secret_envs) > 0
	name in _extra_secret_envs
}

_is_secret_file_env(name) if _listed(name, _secret_file_envs)

# Front-end build tools expose variables with these prefixes (VITE_, REACT_APP_) to the
# browser bundle.
_known_secret(name) if _is_secret_env(name)

_known_secret(name) if {
	startswith(name, "VITE_")
	_is_secret_env(trim_prefix(name, "VITE_"))
}

_known_secret(name) if {
	startswith(name, "REACT_APP_")
	_is_secret_env(trim_prefix(name, "REACT_APP_"))
}

# Name parts that mark a secret, as separate '_'-delimited words, any case
# (GITHUB_TOKEN, db_password, ARTIFACTORY_PSW), unless a part says it is public. The
# patterns are matched against the lower-cased name: regopy does not support the
# (?i) flag (the match is undefined).
_secret_word_pattern := `(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token|usr|psw)(?:_|$)`

_public_word_pattern := `(?:_|^)public(?:_|$)`

_secret_name(name) if _known_secret(name)

# File-path variables are only reported when the file is copied in (below). (The
# pattern first: it rules out most names.)
_secret_name(name) if {
	lower_name := lower(name)
	regex.match(_secret_word_pattern, lower_name)
	not regex.match(_public_word_pattern, lower_name)
	not _known_secret(name)
	not _is_secret_file_env(name)
}

# ---------------------------------------------------------------------------
# The final stage's instructions
# ---------------------------------------------------------------------------

_final_commands := docker.stages[count(docker.stages) - 1].Commands

# [name, value] of each variable an ARG or ENV instruction declares. ENV comes as
# [name, value, separator] triples (visited by triple: going through every value and
# keeping those at k % 3 == 0 cost regopy 14% of this check); ARG as one "NAME[=value]"
# word per variable.
_variables(instr) := [[instr.Value[3 * j], instr.Value[(3 * j) + 1]] |
	some j in numbers.range(0, (count(instr.Value) / 3) - 1)
] if {
	instr.Cmd == "env"
	count(instr.Value) > 0
	count(instr.Value) % 3 == 0
}

_variables(instr) := [[d[0], d[1]] |
	some word in instr.Value
	is_string(word)
	d := docker.parse_arg(word)
] if {
	instr.Cmd == "arg"
}

# The final stage's ARG and ENV variables, [instruction index, name, value], read once for
# both rules below (indices, not instructions: collecting an object copies it).
_variable_cmd(cmd) if cmd == "env"

_variable_cmd(cmd) if cmd == "arg"

_final_variables := [[i, name, value] |
	instr := _final_commands[i]
	_variable_cmd(instr.Cmd)
	some [name, value] in _variables(instr)
]

# A path with its quotes, one leading '.', one leading '/' and one trailing '/' removed,
# so that "./app/key.json", "/app/key.json" and "app/key.json" compare equal.
_clean_path(p) := trim_suffix(no_lead_slash, "/") if {
	unquoted := trim_suffix(trim_prefix(p, "\""), "\"")
	no_lead_slash := trim_prefix(trim_prefix(unquoted, "."), "/")
}

# p lies at or under dir ("" -- a COPY to '.' or '/' -- holds everything).
_under(p, dir) if dir == ""

_under(p, dir) if p == dir

_under(p, dir) if startswith(p, concat("", [dir, "/"]))

# The destinations of the final stage's COPY instructions, cleaned. (Collected in a
# comprehension: regopy iterates instruction objects in a rule or function body several
# times slower.)
_copy_destinations := [_clean_path(dest) |
	some instr in _final_commands
	instr.Cmd == "copy"
	count(instr.Value) > 0
	dest := instr.Value[count(instr.Value) - 1]
]

# Some COPY of the final stage puts files where the path points.
_copied(path) if {
	some dest in _copy_destinations
	_under(_clean_path(path), dest)
}

# 1. ARG / ENV with a secret-looking name. [instruction index, name] of each (in a
# comprehension, as the rule bodies iterate only short results in this package).
_secret_variables := [[v[0], v[1]] |
	some v in _final_variables
	_secret_name(v[1])
]

deny contains res if {
	docker.is_dockerfile
	some [i, name] in _secret_variables
	instr := _final_commands[i]
	msg := concat("", [upper(instr.Cmd), " '", name, "' looks like a secret; its value is stored in the image where anyone with the image can read it"])
	res := result.new(msg, instr)
}

# 2. ARG / ENV pointing a credentials-file variable at a file that COPY brings in.
_copied_file_variables := [[v[0], v[1]] |
	some v in _final_variables
	_is_secret_file_env(v[1])
	v[2] != ""
	_copied(v[2])
]

deny contains res if {
	docker.is_dockerfile
	some [i, name] in _copied_file_variables
	instr := _final_commands[i]
	msg := concat("", [upper(instr.Cmd), " '", name, "' points at a credentials file that a COPY puts into the image"])
	res := result.new(msg, instr)
}

# 3. COPY whose destination is a credentials-file variable ("COPY key.json $AWS_CONFIG_FILE").
# [instruction index, variable name] of each (indexes, as above).
_copies_to_secret_files := [[i, name] |
	some i
	instr := _final_commands[i]
	instr.Cmd == "copy"
	count(instr.Value) == 2
	name := trim_suffix(trim_prefix(trim_prefix(instr.Value[1], "$"), "{"), "}")
	_is_secret_file_env(name)
]

deny contains res if {
	docker.is_dockerfile
	some [i, name] in _copies_to_secret_files
	instr := _final_commands[i]
	msg := concat("", ["COPY writes a credentials file to $", name, " inside the image"])
	res := result.new(msg, instr)
}

# 4. RUN that logs in with credentials on its command line, without a secret mount.
# Each pattern beside the literal command words it starts with: a cheap substring test
# first (regopy evaluates regular expressions slowly), and the prefixes written out rather
# than computed with split() for every RUN value.
_credential_commands := {
	[`aws configure set aws_access_key_id`, `aws configure set aws_access_key_id`],
	[`aws configure set aws_secret_access_key`, `aws configure set aws_secret_access_key`],
	[`gcloud auth activate-service-account`, `gcloud auth activate-service-account`],
	[`az login`, `az login.*(?:-p|--password|--federated-token)\s`],
	[`doctl auth init`, `doctl auth init.*(?:-t|--access-token)\s`],
}

_has_secret_mount(instr) if {
	some flag in instr.Flags
	startswith(flag, "--mount=")
	contains(flag, "type=secret")
}

_sets_up_credentials(instr) if {
	some value in instr.Value
	is_string(value)
	some [prefix, pattern] in _credential_commands
	contains(value, prefix)
	regex.match(pattern, value)
}

# The final stage's RUN text, all at once: one substring test per command for the whole
# stage first (few Dockerfiles mention any), the per-instruction work only after that.
_final_run_text := concat("\n", [v |
	some instr in _final_commands
	instr.Cmd == "run"
	some v in instr.Value
	is_string(v)
])

_mentions_credential_command if contains(_final_run_text, "aws configure set aws_")

_mentions_credential_command if contains(_final_run_text, "gcloud auth activate-service-account")

_mentions_credential_command if contains(_final_run_text, "az login")

_mentions_credential_command if contains(_final_run_text, "doctl auth init")

# The indexes of those RUN instructions in the final stage.
_credential_runs := [i |
	_mentions_credential_command
	some i
	instr := _final_commands[i]
	instr.Cmd == "run"
	not _has_secret_mount(instr)
	_sets_up_credentials(instr)
]

deny contains res if {
	docker.is_dockerfile
	some i in _credential_runs
	instr := _final_commands[i]
	msg := "RUN configures cloud credentials without a secret mount; the credentials end up in the image or its build history"
	res := result.new(msg, instr)
}
