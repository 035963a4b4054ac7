# METADATA
# title: Shell command splitter for RUN instructions
# description: >-
#   A small pure-Rego stand-in for Trivy's Go built-in sh.parse_commands, which regopy
#   does not have. It cuts a shell script into simple commands, each an array of words
#   as written (quotes kept), e.g. "apt-get update && apt-get install -y curl" gives
#   [["apt-get", "update"], ["apt-get", "install", "-y", "curl"]].
#
#   API: commands(script), run_commands(instr) (shell or exec form of a RUN),
#   script(instr), tokens(script), program(cmd), basename(word), positional(cmd),
#   subcommand(cmd, i), invocations(cmd, tools, subs), invokes(cmd, tools, subs),
#   command_indexes(cmds, tools, subs), tool_calls(cmds, tools), run_calls(instr, tools), has_word(cmd, word),
#   has_short_flag(cmd, letter), is_flag(word), exec_form(instr).
#
#   What it understands: the separators && || ; ;; | |& & and newlines; ( ) $( and
#   backticks start or end a command, so "(cd x && make)" and "$(cat f)" give the inner
#   commands too; single and double quotes and backslash escapes keep a word together
#   ("a && b" in quotes is one word); '#' at the start of a word starts a comment;
#   backslash-newline continuations; redirections ("> /dev/null", "2>&1", "&>log")
#   are dropped; leading NAME=value assignments and leading reserved words (if, then,
#   else, elif, do, while, until, time, !, {, }, fi, done, esac) are dropped, so the
#   first word of a command is the program; "for ...", "case ...", "select ..." and
#   "[[ ... ]]" are not commands. Exec-form RUN ["sh", "-c", "script"] (also bash,
#   options before -c) is split like the shell form; any other exec form is one command.
#
#   Limits (it is a tokenizer, not a shell parser): no variable, alias, glob or
#   quote-removal expansion (words are kept as written); an unbalanced quote loses the
#   quote character and the rest is tokenized as if unquoted; heredoc bodies are
#   skipped only for heredocs opened on the first line of the RUN (the verbatim form
#   Trivy's parser keeps for "RUN cat <<EOF > file" with a #! script), elsewhere their
#   lines are tokenized as commands; case patterns ("a)") become one-word
#   commands; ${VAR:-a b} with blanks inside braces is split at the blanks; arithmetic
#   $(( )) yields its operands as a command; a script that Trivy's parser would reject
#   (syntax error) still gives commands here, where Trivy gives none. A tool's
#   subcommand is its next word that is not an option, nor the value of one of a few
#   known value-taking options (-o, -c, -X, --repository...); other options written
#   with a separate value ("dnf -d 0 install") hide the subcommand.
# scope: package
# custom:
#   library: true
#   input:
#     selector:
#     - type: dockerfile
package lib.sh

import rego.v1

import data.lib.docker

# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------

# regopy (rego-cpp) keeps every string in its JSON-escaped form and runs count, regex,
# substring and indexof on that form: a real newline is the two characters \ n there, a
# double quote is \ ", a backslash is \ \ (while ==, split, contains, startswith and
# replace agree with other engines, as both sides are escaped alike). The tokenizer
# therefore has two patterns, one per representation, picked by a constant test.
default _escaped_strings := false

_escaped_strings if count("\\") == 2

# One token: a comment, an operator, a newline, or a word. The alternatives are tried
# in order at each position: a comment can only start where a word would; "&>" and
# ">&" belong to a redirection word, not to a separator.
_raw_pattern := concat("|", [
	`#[^\n]*`,
	`&&|\|\||;;|\|&|\$\(`,
	concat("", [`(?:'[^']*'|"(?:[^"\\]|\\.)*"|\\.|[<>]&|&>|[^\s'"\\;&|()`, "`", `])+`]),
	concat("", [`[;&|()\n`, "`", `]`]),
])

# The same grammar over the escaped form: \n is a newline, \t \r \f are blanks (kept as
# tokens, then dropped), \" is a quote, \\ a backslash, \uXXXX and \b \/ are ordinary
# characters. Every escape is consumed whole, so no token ends inside one.
_escaped_pattern := concat("|", [
	`#(?:[^\\]|\\[^n])*`,
	`&&|\|\||;;|\|&|\$\(`,
	`\\n|\\[trfv]`,
	concat("", [
		`(?:'(?:[^'\\]|\\.)*'`,
		`|\\"(?:[^\\]|\\[^"\\]|\\\\(?:\\.|[^\\]))*\\"`,
		`|\\\\(?:\\.|[^\\])`,
		`|\\[ub/]`,
		`|[<>]&|&>`,
		`|[^\s'"\\;&|()`, "`", `])+`,
	]),
	concat("", [`[;&|()`, "`", `]`]),
])

_token_pattern := _escaped_pattern if _escaped_strings

else := _raw_pattern

# A backslash-newline (line continuation), in either representation.
_continuation := `\\\\(?:\\r)?\\n` if _escaped_strings

else := `\\\r?\n`

_blanks := {"\t", "\r", "\f", "\u000b"}

# The tokens that end one command and start the next.
separators := {"&&", "||", ";", ";;", "|", "|&", "&", "\n", "(", ")", "$(", "`"}

# The tokens of a script, in order, comments and line continuations left out.
tokens(script) := [t |
	some t in regex.find_n(_token_pattern, regex.replace(script, _continuation, ""), -1)
	not startswith(t, "#")
	not t in _blanks
]

# The token index ranges between separators: [-1, sep..., count].
_bounds(toks) := array.concat(
	array.concat([-1], [i | some i; t := toks[i]; t in separators]),
	[count(toks)],
)

# The runs of words between separators, in order (empty runs left out).
_segments(toks) := [seg |
	b := _bounds(toks)
	some k
	lo := b[k]
	hi := b[k + 1]
	hi > lo + 1
	seg := array.slice(toks, lo + 1, hi)
]

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

# The simple commands of a shell script, in order: each an array of words, program
# first. Commands with no word left (only assignments, "fi", "done"...) are dropped.
commands(script) := [c |
	some seg in _segments(tokens(_without_heredoc_bodies(script)))
	c := _command_words(seg)
	count(c) > 0
	not c[0] in _header_keywords
]

# A RUN whose first line opens heredocs ("cat <<EOF > /etc/app.conf") arrives, when
# the heredoc is kept verbatim, as that line, the bodies and their terminators, one per
# line: the bodies are data, not commands, so they are cut out (from the second line
# to the terminator of the last heredoc opened on the first line).
_heredoc_pattern := `(?:^|[^<])<<-?[ ]*(?:\\?["']|')?([A-Za-z0-9_.-]+)`

_without_heredoc_bodies(script) := concat("\n", array.concat([lines[0]], array.slice(lines, last + 1, count(lines)))) if {
	contains(script, "\n")
	lines := split(script, "\n")
	opened := regex.find_all_string_submatch_n(_heredoc_pattern, lines[0], -1)
	count(opened) > 0
	name := opened[count(opened) - 1][1]
	ends := [i | some i; line := lines[i]; i > 0; _terminates(line, name)]
	count(ends) > 0
	last := ends[0]
} else := script

# The terminator line, possibly indented with tabs (<<-); tabs written either way.
_terminates(line, name) if line == name

_terminates(line, name) if regex.replace(line, `^(?:\t|\\t)+`, "") == name

# A redirection word: an optional fd, an operator, and maybe its target attached.
_redirect_pattern := `^[0-9]*(&>>?|>>?|<<?<?|>&|<&|>\||<>)`

_redirect_op_pattern := `^[0-9]*(&>>?|>>?|<<?<?|>&|<&|>\||<>)$`

_is_redirect(seg, i) if {
	_has_angle(seg[i])
	regex.match(_redirect_pattern, seg[i])
}

# the target of a bare operator ("> /dev/null")
_is_redirect(seg, i) if {
	i > 0
	_has_angle(seg[i - 1])
	regex.match(_redirect_op_pattern, seg[i - 1])
}

# (a cheap test first: regopy evaluates regexes slowly)
_has_angle(w) if contains(w, ">")

_has_angle(w) if contains(w, "<")

# Words that may come before the program and are not it.
_prefix_keywords := {"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time", "esac"}

# Compound-command headers: what follows is a loop or case list, not a call.
_header_keywords := {"for", "case", "select", "function", "[["}

_skip_prefix(w) if w in _prefix_keywords

_skip_prefix(w) if {
	contains(w, "=")
	regex.match(`^[A-Za-z_][A-Za-z0-9_]*\+?=`, w)
}

_command_words(seg) := out if {
	words := _without_redirects(seg)
	starts := [i | some i; w := words[i]; not _skip_prefix(w)]
	count(starts) > 0
	out := array.slice(words, starts[0], count(words))
} else := []

# (most commands have no redirection: skip the per-word test then)
_without_redirects(seg) := seg if {
	line := concat(" ", seg)
	not contains(line, ">")
	not contains(line, "<")
} else := [w | some i; w := seg[i]; not _is_redirect(seg, i)]

# ---------------------------------------------------------------------------
# RUN instructions
# ---------------------------------------------------------------------------

_shells := {"sh", "bash", "ash", "dash", "zsh", "ksh"}

# true for the exec (JSON array) form of RUN/CMD/ENTRYPOINT.
exec_form(instr) if instr.JSON == true

exec_form(instr) if {
	not is_boolean(object.get(instr, "JSON", null))
	count(instr.Value) > 1
}

# The RUN text as one string (shell form: the script; exec form: the words joined by
# blanks), e.g. for messages.
script(instr) := concat(" ", [v | some v in instr.Value; is_string(v)])

# true if one of words occurs anywhere in the instruction's text: a necessary condition
# for running one of those programs, and far cheaper than splitting the script, so checks
# test it first (most RUN instructions never mention the tool a check is about).
mentions(instr, words) if {
	text := script(instr)
	some w in words
	contains(text, w)
}

# The commands a RUN instruction executes, in order. Shell form: the script split as
# above. Exec form ["sh", "-c", "script", ...] (any shell of _shells, options such as
# "-o pipefail" or "-ec" allowed): the script. Other exec form: the array itself is the
# one command.
# regoscan computes this in Python for each RUN it parses (instr.__rs.commands, same
# result, much cheaper than tokenizing in Rego once per check); inputs built by hand,
# as in unit tests, take the Rego path. Every RUN a scan reads carries the view, so the
# built-in checks' own bundles leave the Rego path out (between the markers below,
# rego/fallbacks.py): the tokenizer's many local variables would otherwise make every
# built-in call of those checks dearer in regopy.
run_commands(instr) := cmds if {
	cmds := instr.__rs.commands
	is_array(cmds)
}
# regoscan: fallback begin
else := commands(script(instr)) if {
	not exec_form(instr)
} else := commands(inline) if {
	inline := _inline_script(instr.Value)
} else := [ws] if {
	ws := [v | some v in instr.Value; is_string(v)]
	count(ws) > 0
} else := []
# regoscan: fallback end

_inline_script(values) := values[flags[0] + 1] if {
	shell := values[0]
	is_string(shell)
	basename(shell) in _shells
	flags := [j | some j; v := values[j]; j > 0; is_string(v); regex.match(`^-[a-z]*c$`, v)]
	count(flags) > 0
	is_string(values[flags[0] + 1])
}

# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------

# The last path element of a word ("/usr/bin/apt-get" -> "apt-get").
basename(word) := regex.replace(word, `^.*/`, "") if contains(word, "/")

else := word

# The program a command runs (its first word, without a directory).
program(cmd) := basename(cmd[0])

# true if the word is an option ("-y", "--no-cache").
is_flag(word) if startswith(word, "-")

# Options that take their value as the next word in the package managers the checks
# look at (apt-get -o/-c, yum/dnf -c, apk -X/--repository...), so that value is not
# taken for the subcommand.
_value_options := {
	"-o", "-c", "-X", "--option", "--config", "--config-file", "--target-release",
	"--repository", "--root", "--installroot", "--releasever", "--setopt",
	"--enablerepo", "--disablerepo", "--repo",
}

# The indexes of the words of cmd that are neither options nor the value of an option
# in _value_options, in order: the program, subcommands and operands.
positional(cmd) := [j |
	some j
	w := cmd[j]
	not is_flag(w)
	not _follows_value_option(cmd, j)
]

# (`x in set`, not `set[x]`: with x taken from an array just before, regopy crashes
# while compiling the latter here)
_follows_value_option(cmd, j) if {
	j > 0
	cmd[j - 1] in _value_options
}

# The subcommand of the tool at word i: the first later word that is neither an option
# nor an option's value ("apt-get -q -o X=1 install" -> "install"). Undefined if none.
subcommand(cmd, i) := cmd[later[0]] if {
	later := [j | some j in positional(cmd); j > i]
	count(later) > 0
}

# The word indexes of cmd where one of tools (a set of program names) is run with one of
# subs (a set of subcommands), e.g. invocations(cmd, {"apt-get"}, {"install"}). The tool
# may be anywhere in the command ("sudo apt-get install", "xargs apk add").
invocations(cmd, tools, subs) := [i |
	_mentions(cmd, tools)
	some call in _calls(cmd, positional(cmd), tools)
	call[2] in subs
	i := call[0]
]

# A cheap pre-test (string search) before the per-word work.
_mentions(cmd, tools) if {
	line := concat(" ", cmd)
	some tool in tools
	contains(line, tool)
}

# [word index, tool name, subcommand] of each word of cmd that runs one of tools.
# (Linear in the length of the command: regopy evaluates a comprehension nested in a
# per-word loop for every word, so a per-word subcommand search would be quadratic.)
_calls(cmd, pos, tools) := [[i, name, sub] |
	some k
	i := pos[k]
	w := cmd[i]
	name := basename(w)
	name in tools
	next := pos[k + 1]
	sub := cmd[next]
]

# [command index, tool name, subcommand] of every call of one of tools in cmds (a
# commands array), in order: e.g. [[0, "apt-get", "update"], [1, "apt-get", "install"]].
tool_calls(cmds, tools) := [[k, call[1], call[2]] |
	some k
	cmd := cmds[k]
	_mentions(cmd, tools)
	some call in _calls(cmd, positional(cmd), tools)
]

# The calls of tools (a set) in a RUN instruction: tool_calls(run_commands(instr), tools).
# regoscan computes the calls of the package managers in _precomputed_tools in Python for
# each RUN it parses (instr.__rs.calls, the same value for those tools; see
# src/regoscan/inputs/derived.py); other tools, and inputs built by hand, take the Rego path.
run_calls(instr, tools) := [c | some c in calls; c[1] in tools] if {
	calls := instr.__rs.calls
	is_array(calls)
	count(tools - _precomputed_tools) == 0
} else := tool_calls(run_commands(instr), tools)

_precomputed_tools := {"apt-get", "apt", "yum", "apk", "dnf", "zypper", "microdnf"}

# [RUN index (in lib.docker.run), command index, tool, subcommand] of every call of a tool
# of _precomputed_tools in the file, in file order: a check about one package manager
# reads this short list rather than visiting every RUN (regopy pays for each instruction
# object a check touches). regoscan computes it in Python for each Dockerfile it parses
# (input.__rs.calls, the same value), so the built-in checks' bundles leave the Rego path
# out (rego/fallbacks.py); inputs built by hand take it.
file_calls := calls if {
	calls := input.__rs.calls
	is_array(calls)
}
# regoscan: fallback begin
else := [[i, c[0], c[1], c[2]] |
	some i
	instr := docker.run[i]
	some c in run_calls(instr, _precomputed_tools)
]
# regoscan: fallback end

# [RUN index (in lib.docker.run), command index, program] of every command of the file's
# RUN instructions, in file order: a check about one program ("cd", "sudo") reads this
# short list rather than visiting every RUN. regoscan computes it in Python for each
# Dockerfile it parses (input.__rs.programs, the same value), as file_calls above.
file_programs := programs if {
	programs := input.__rs.programs
	is_array(programs)
}
# regoscan: fallback begin
else := [[i, k, program(cmd)] |
	some i, k
	instr := docker.run[i]
	cmd := run_commands(instr)[k]
]
# regoscan: fallback end

# true if cmd runs one of tools with one of subs.
invokes(cmd, tools, subs) if count(invocations(cmd, tools, subs)) > 0

# The indexes, in cmds (a commands array), of the commands that run one of tools with
# one of subs.
command_indexes(cmds, tools, subs) := [k |
	some k
	cmd := cmds[k]
	invokes(cmd, tools, subs)
]

# true if the command has the word (exactly as written, e.g. "--no-cache").
has_word(cmd, word) if {
	some w in cmd
	w == word
}

# true if the command has the short option letter, alone or in a group ("-y", "-qy").
has_short_flag(cmd, letter) if {
	some w in cmd
	startswith(w, "-") # (cheap tests before the regex: regopy evaluates regexes slowly)
	contains(trim_prefix(w, "-"), letter)
	regex.match(`^-[A-Za-z0-9]+$`, w)
}
