# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := frontend/node_modules/.installed
DIST := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts $(wildcard frontend/tsconfig*.json) frontend/package.json

.PHONY: run test bench synth deps system-deps test-python test-frontend clean

run: deps
	$(PY) -m local

test: deps
	$(MAKE) --no-print-directory test-frontend test-python

test-python: deps
	$(PY) -m pytest

test-frontend: $(NODE_STAMP)
	cd frontend && npm test --silent
	cd frontend && npm run --silent check:es2017

bench: deps
	$(PY) -m bench

synth: deps
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(PY) infrastructure/synth.py $${STAGE:-prod}

deps: system-deps $(PY_STAMP) $(DIST)

system-deps:
	@bash scripts/system-deps.sh

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

$(NODE_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DIST): $(NODE_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build
	@touch $@

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache
