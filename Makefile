# Two commands do all the set-up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= true

.PHONY: run test test-browser test-all lint system-packages system-packages-serve venv venv-serve migrate seed serve bench loadtest clean

# Serving needs requirements.txt only; the tests and tools add requirements-dev.txt (playwright, ruff, …).
$(VENV)/.installed-serve: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.installed-serve requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

venv-serve: $(VENV)/.installed-serve

venv: $(VENV)/.installed

system-packages-serve:
	@./scripts/install-system-packages serve

system-packages:
	@./scripts/install-system-packages

migrate: venv-serve
	$(PY) manage.py migrate --noinput

seed: migrate
	@if $(PY) manage.py shell --no-imports -c "from customers.models import Customer; import sys; sys.exit(0 if Customer.objects.exists() else 1)"; then \
		echo "Database already has customers: demo data not loaded."; \
		echo "Demo logins (if this database was seeded): 1001 (superadmin), 1002 (onm_team), 1003 (finance_team), 1004 (generic), password cc-demo-2026!"; \
	else $(PY) manage.py seed_demo; fi

run: system-packages-serve seed
	@echo "Serving on http://$(HOST):$(PORT)/ with one task worker and the scheduler (log in with a demo login above; Ctrl-C stops all three)"
	@PY=$(PY) HOST=$(HOST) PORT=$(PORT) ./scripts/dev-run

test: system-packages venv
	$(PY) -m pytest $(PYTEST_ARGS)

test-browser: system-packages venv
	$(PY) -m pytest -m browser tests/browser $(PYTEST_ARGS)

test-all: test test-browser

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

bench: venv
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var/screenshots

loadtest: venv
	./bench/loadtest
