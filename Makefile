# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := frontend/node_modules/.installed
# The pinned AWS CDK CLI (infrastructure/package-lock.json): `cd infrastructure && npx cdk ...`.
CDK_STAMP := infrastructure/node_modules/.installed
# checkov in a venv of its own: it pins a boto3 other than the product's (requirements-checkov.txt).
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# Lambda-platform wheels of requirements.txt, fetched at install time so that synth runs offline.
WHEELHOUSE := .wheelhouse
WHEELS_STAMP := $(WHEELHOUSE)/.complete
LAMBDA_PLATFORM := --only-binary=:all: --implementation cp --python-version 3.11 \
	--platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64
DIST := frontend/dist/index.html
# The frontend's API types, generated from the OpenAPI document the models make (chalicelib/contract/).
API_TYPES := frontend/src/api-types.ts
API_SOURCES := $(shell find chalicelib/contract chalicelib/routes chalicelib/web -name '*.py' 2>/dev/null)
API_ENV := STAGE=prod RESOURCE_PREFIX=telemed AWS_DEFAULT_REGION=eu-central-1
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts $(wildcard frontend/tsconfig*.json) frontend/package.json

.PHONY: run test bench synth first-admin deps system-deps test-python test-frontend api-types clean

run: deps
	$(PY) -m local

test: deps
	$(MAKE) --no-print-directory test-frontend test-python

test-python: deps $(CHECKOV_STAMP)
	PIP_NO_INDEX=1 PIP_FIND_LINKS=$(CURDIR)/$(WHEELHOUSE) $(PY) -m pytest

test-frontend: $(NODE_STAMP)
	cd frontend && npm test --silent
	cd frontend && npm run --silent check:es2017

bench: deps
	$(PY) -m bench $(ONLY)

# A deployed stage's first administrator (AWS credentials in the shell): make first-admin STAGE=prod EMAIL=… NAME="…"
first-admin: $(PY_STAMP)
	@test -n "$(STAGE)" -a -n "$(EMAIL)" -a -n "$(NAME)" || { echo 'usage: make first-admin STAGE=prod EMAIL=… NAME="…"'; exit 2; }
	$(PY) infrastructure/first_admin.py --stage "$(STAGE)" --email "$(EMAIL)" --name "$(NAME)"

synth: deps
	PIP_NO_INDEX=1 PIP_FIND_LINKS=$(CURDIR)/$(WHEELHOUSE) AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} \
		$(PY) infrastructure/synth.py $${STAGE:-prod}

deps: system-deps $(PY_STAMP) $(WHEELS_STAMP) $(DIST) $(CDK_STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

$(WHEELS_STAMP): requirements.txt | $(PY_STAMP)
	$(PY) -m pip wheel -q --disable-pip-version-check -r requirements.txt -w $(WHEELHOUSE)
	$(PY) -m pip download -q --disable-pip-version-check $(LAMBDA_PLATFORM) --find-links $(WHEELHOUSE) \
		-r requirements.txt -d $(WHEELHOUSE)
	@touch $@

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

$(CDK_STAMP): infrastructure/package-lock.json
	cd infrastructure && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(NODE_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DIST): $(NODE_STAMP) $(API_TYPES) $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build
	@touch $@

# After a change to a model or a route: `make api-types` (tests/unit/test_api_types.py fails while it is stale).
api-types: $(API_SOURCES) | $(PY_STAMP) $(NODE_STAMP)
	openapi=$$(mktemp --suffix=.json) && $(API_ENV) $(PY) -m chalicelib.web.openapi > $$openapi \
		&& (cd frontend && npx --no-install openapi-typescript $$openapi -o src/api-types.ts --enum-values); \
		status=$$?; rm -f $$openapi; exit $$status

$(API_TYPES): $(API_SOURCES) | $(PY_STAMP) $(NODE_STAMP)
	$(MAKE) --no-print-directory api-types

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache $(WHEELHOUSE) chalice.out infrastructure/cdk.out \
		infrastructure/node_modules $(CHECKOV_VENV)
