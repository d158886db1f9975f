# selfcare — the two commands a newcomer needs are `make run` and `make test`.
# Everything is installed into .venv from this repository's own files (pyproject.toml, requirements.lock).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.9
MANAGE := $(PY) -m selfcare
HOST   ?= 127.0.0.1
PORT   ?= 8000
SIMULATORS_PORT ?= 8001

# The demo runs with production's DEBUG=false, the simulators and demo data switched on (SELFCARE_DEMO, which the
# settings allow only on loopback addresses, see selfcare/config.py) and plain http on this machine (SELFCARE_HTTPS).
DEMO_ENV := DEBUG=$${DEBUG:-false} SELFCARE_DEMO=$${SELFCARE_DEMO:-true} SELFCARE_HTTPS=$${SELFCARE_HTTPS:-false}

.DEFAULT_GOAL := help
.PHONY: help install browser run test test-dates check lint bench load lock messages clean

help: ## Show the targets and what each does
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) pip install --quiet --python $(PY) -r requirements.lock
	@$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the locked dependencies

run: $(VENV)/.installed ## Run the demo: portal at http://$(HOST):$(PORT), simulators at :$(SIMULATORS_PORT)
	@mkdir -p var
	@$(DEMO_ENV) $(MANAGE) migrate --no-input -v 0
	@$(DEMO_ENV) $(MANAGE) demo_data
	@# The processes the demo runs (portal, simulators; the worker joins them) are listed in selfcare/demo/run.py.
	@# Where to go is printed once the portal answers (selfcare/demo/ready.py).
	@$(DEMO_ENV) $(PY) -m selfcare.demo.run --host $(HOST) --port $(PORT) --simulators-port $(SIMULATORS_PORT)

browser: ## Install Debian's chromium for the browser tests, where this machine allows (root + apt-get)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else echo "Browser tests need chromium: install Debian's package 'chromium' (they will fail without it)."; fi; }

test: $(VENV)/.installed browser ## Run the whole test suite (SQLite, or DATABASE_URL if set)
	@$(PY) -m pytest $(PYTEST_ARGS)

# The moments where dates go wrong if they are going to (selfcare/tests/clock.py MOMENTS): the first minutes of a
# year and a cycle, both daylight-saving nights, the last minutes of a leap day, Riga a day ahead of UTC.
DATE_MOMENTS ?= new-year summer-time-starts summer-time-ends leap-day-late month-end riga-ahead-of-utc
# The browser journeys run once, at the first minutes of a year (DATE_BROWSER_MOMENT): the browser reads the real
# clock while the server's is travelled, so one moment shows that cookies, sessions and polling hold across the gap.
DATE_BROWSER_MOMENT ?= new-year
test-dates: $(VENV)/.installed browser ## Run the suite with its clock at each of DATE_MOMENTS, the browser at one (CI does)
	@for moment in $(DATE_MOMENTS); do \
	  echo "== the suite at $$moment"; $(PY) -m pytest --clock=$$moment -m "not browser" $(PYTEST_ARGS) || exit 1; done
	@echo "== the browser journeys at $(DATE_BROWSER_MOMENT)"
	@$(PY) -m pytest --clock=$(DATE_BROWSER_MOMENT) -m browser $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff, ruff format --check, mypy --strict, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEMO_ENV) $(VENV)/bin/mypy selfcare
	$(DEMO_ENV) $(MANAGE) makemigrations --check --dry-run

check: lint test ## Everything CI checks

bench: $(VENV)/.installed ## Performance benchmarks, reported as ratios against a floor
	@$(DEMO_ENV) $(PY) -m selfcare.bench

# LOAD_ARGS, e.g. "--users 20 --duration 10s" for a short run; LOAD_DATABASE_URL / LOAD_REDIS_URL choose the servers.
load: $(VENV)/.installed ## Load test: portal under gunicorn on PostgreSQL + Redis, 200 locust users for 60 s, report
	@$(PY) -m selfcare.load $(LOAD_ARGS)

lock: ## Re-resolve requirements.lock from pyproject.toml (needs network)
	@test -x $(UV) || $(MAKE) --no-print-directory $(VENV)/.installed
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 --universal --quiet -o requirements.lock

messages: $(VENV)/.installed ## Extract translatable strings (needs gettext) and compile the catalogues
	cd selfcare && $(DEMO_ENV) ../$(PY) -m selfcare makemessages -l lv -l ru -l en --no-obsolete
	$(DEMO_ENV) $(MANAGE) compile_translations

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
