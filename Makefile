# kincare — `make run` serves the platform, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run dev test lint typecheck pytest bench setup setup-dev db demo clean messages

$(VENV)/.uv-ok:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	@touch -a uv.lock

setup: $(VENV)/.uv-ok
	$(UV) sync --locked --python $(PYTHON) --no-dev
	@touch $(VENV)/.uv-ok

setup-dev: $(VENV)/.uv-ok
	$(UV) sync --locked --python $(PYTHON) --group dev
	@touch $(VENV)/.uv-ok

db: setup
	@mkdir -p var
	$(BIN)/kincare migrate --noinput
	$(BIN)/kincare createcachetable
	$(BIN)/kincare demo

# The local server speaks plain HTTP on 127.0.0.1, so secure-only cookies are switched off here.
run: db
	$(BIN)/kincare collectstatic --noinput -v 0
	KINCARE_HTTPS=false $(BIN)/kincare serve

dev: db
	KINCARE_HTTPS=false KINCARE_DEBUG=true $(BIN)/kincare serve --dev

lint: setup-dev
	$(BIN)/ruff check src bench scripts
	$(BIN)/ruff format --check src bench scripts
	$(BIN)/python scripts/import_cycles.py
	$(BIN)/python scripts/module_size.py

typecheck: setup-dev
	$(BIN)/mypy

pytest: setup-dev
	@mkdir -p var
	KINCARE_TESTING=true $(BIN)/kincare makemigrations --check --dry-run
	KINCARE_TESTING=true KINCARE_HTTPS=false $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: setup-dev
	@for f in bench/[!_]*.py; do echo "# $$f" >&2; $(BIN)/python $$f || exit 1; done

# English catalog: collect new strings (then translate the empty ones), compile the .mo
messages: setup-dev
	cd src/kincare && ../../$(BIN)/kincare makemessages -l en --no-obsolete
	cd src/kincare && ../../$(BIN)/kincare compilemessages -l en

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
