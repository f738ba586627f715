# Tandem. The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TANDEM_DEMO ?= 1
# The port `make run` serves on; links in emails, slips and certificates follow it (config/settings.py).
export TANDEM_PORT ?= 8000

.PHONY: run test venv setup broker-dirs lint check bench e2e clean

$(BIN)/python:
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { echo "Tandem needs Python 3.11 or newer (found: $$($(PY) --version))."; exit 1; }
	@$(PY) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); echo "Could not create a virtual environment. On Debian/Ubuntu run: sudo apt-get install python3-venv"; exit 1; }

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

broker-dirs:
	@mkdir -p var/broker/queue var/broker/processed var/broker/control var/cache var/mail var/media staticfiles

# Each step says what it is doing: together they take about a minute the first time.
setup: venv broker-dirs
	@echo "Setting up the database in var/ (migrate)..."
	@$(BIN)/python manage.py migrate --noinput -v0
	@echo "Loading the demo council, Northmere Borough Council (seed_demo; the first time takes longest)..."
	@$(BIN)/python manage.py seed_demo
	@echo "Loading the AI-literacy modules from curriculum/ (load_curriculum)..."
	@$(BIN)/python manage.py load_curriculum -v0

## make run: set everything up, load the demo council, serve it with a Celery worker and beat.
# Job control (set -m) runs the Procfile in its own process group and gives it the terminal, so Ctrl-C
# reaches it and not make, which would otherwise die of the signal (exit 130) whatever happened;
# scripts/run_procfile.py stops the three in turn and exits 0 when they all stopped cleanly.
run: setup
	@echo ""
	@echo "Tandem is starting at $${TANDEM_BASE_URL:-http://127.0.0.1:$(TANDEM_PORT)} (Ctrl-C stops the web server, worker and beat)."
	@echo "Emails (invitations, password resets) are written to var/mail/."
	@set -m; $(BIN)/python scripts/run_procfile.py -f Procfile & fg %1 >/dev/null

## make test: the whole suite (unit, integration, browser). DATABASE_URL / REDIS_URL select PostgreSQL / Redis.
test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .

check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: venv
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf var staticfiles .pytest_cache
