# Everything a fresh machine needs: `make demo` and `make test` create the virtual
# environment from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint venv clean sarif-validator github-rest e2e-base bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/regoscan scan examples/demo --policy examples/demo/policy \
		--sarif out/demo.sarif --summary out/demo-summary.md --fail-on never
	@echo "wrote out/demo.sarif and out/demo-summary.md"

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench/*.py)

# Microsoft's SARIF Multitool (npm), used by the tests to validate every SARIF they write.
sarif-validator:
	@sh tools/sarif-validator/install.sh >/dev/null; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "note: node/npm not found, the SARIF validator tests will be skipped"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# GitHub's REST description and real webhook payloads (npm), which the fake GitHub API
# and the event tests are checked against (tools/github-rest/README.md).
github-rest:
	@sh tools/github-rest/install.sh >/dev/null; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "note: node/npm not found, the GitHub REST description tests will be skipped"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# The base image the container end-to-end test builds on: the Dockerfile's default when
# it can be pulled, else the stand-in built from Debian packages, else a one-line skip
# (tools/ci/e2e-base.sh says why; the decision is recorded in build/e2e-base).
e2e-base:
	@sh tools/ci/e2e-base.sh

# pytest prints its progress file by file; PYTEST_ARGS adds options (e.g. PYTEST_ARGS=-x).
test: $(STAMP) lint sarif-validator github-rest e2e-base
	$(BIN)/pytest $(PYTEST_ARGS)

# Performance against Checkov (bench/README.md): Checkov lives in bench/.venv, not in the project.
bench/.venv/.installed: bench/requirements.txt
	$(PYTHON) -m venv bench/.venv
	bench/.venv/bin/pip install --quiet -r bench/requirements.txt
	touch $@

bench: $(STAMP) bench/.venv/.installed
	bench/.venv/bin/python bench/run.py $(BENCH_ARGS)
	bench/.venv/bin/python bench/compare_checkov.py

clean:
	rm -rf $(VENV) out build/e2e-base .pytest_cache .ruff_cache tools/sarif-validator/node_modules tools/github-rest/node_modules
