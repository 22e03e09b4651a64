# Two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint format bench load soak clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('pango-1.0') else 1)" || { \
	  echo "The board pack PDF (WeasyPrint) needs pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(BIN)/activate

# The first run makes a random secret key in instance/secret_key (never committed); a key the app did not make
# must be long and unpublished, or the app answers this computer only (app/secret_key.py).
run: $(BIN)/activate
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	@echo ""
	@echo "Delivery Plan Tracker: http://127.0.0.1:$(PORT)/"
	@echo "Sign in as admin@, lead@, owner@ or viewer@example.police.uk with the password printed above."
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Two pytest-xdist workers, each on a database of its own (tests/conftest.py). --dist loadgroup runs the
# route-wide tests that share one walk on one worker, so the walk is made once (tests/xdist_groups.py).
# PYTEST_WORKERS=0 runs in one process. Python's caches are written even where the environment turns them off
# (PYTHONDONTWRITEBYTECODE): without them each worker rewrites and compiles every test module again, 9-11 s of
# CPU to collect instead of 4, and every process a test starts compiles the app again.
PYTEST_WORKERS ?= 2
test: $(BIN)/activate
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: $(BIN)/activate
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

format: $(BIN)/activate
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Budgets at the size of a whole force (5,000 actions, 50,000 updates); writes bench/results.md (only).
bench: $(BIN)/activate
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache

# 20 signed-in people for 30 s on gunicorn (2 workers sharing Redis on 127.0.0.1:6379) and PostgreSQL on
# 127.0.0.1 (database `load`, recreated). At a whole force's size: make load LOAD_SIZE=5000 LOAD_CLIENTS=50.
LOAD_SIZE ?=
LOAD_CLIENTS ?=
load: $(BIN)/activate
	LOAD_SIZE=$(LOAD_SIZE) LOAD_CLIENTS=$(LOAD_CLIENTS) $(BIN)/python bench/load.py

# A whole force's plan (5,000 actions, 50,000 updates) on gunicorn (2 workers) and PostgreSQL on 127.0.0.1
# (database `soak`, recreated; SOAK_DATABASE for another): pages, updates, decisions and now and then an export,
# for SOAK_SECONDS (600). Fails on any worker that ends other than by request. Not part of `make test` or CI.
SOAK_SECONDS ?= 600
soak: $(BIN)/activate
	$(BIN)/python bench/soak.py --seconds $(SOAK_SECONDS)
