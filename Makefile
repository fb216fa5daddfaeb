# Zhiban: `make demo` runs the demo, `make test` runs every test. Nothing else is needed
# but Python 3.12+ and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo test install lint typecheck e2e bench clean messages

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Zhiban needs Python 3.12 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@# python-ldap builds from source: install the LDAP extra when the build headers exist.
	@$(BIN)/pip install --quiet -e '.[dev,ldap]' 2>/dev/null \
		|| echo "note: LDAP sign-in not installed (python-ldap needs libldap2-dev and libsasl2-dev); its tests will skip"
	touch $(STAMP)

install: $(STAMP)

demo: install
	ZHIBAN_DEBUG=true $(BIN)/python manage.py migrate --noinput
	ZHIBAN_DEBUG=true $(BIN)/python manage.py seed_demo
	ZHIBAN_DEBUG=true PORT=$(PORT) $(BIN)/python scripts/demo.py

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy zhiban config bench
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy zhiban config bench

e2e: install
	$(BIN)/python -m pytest e2e

bench: install
	$(BIN)/python bench/run.py

messages: install
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) var
