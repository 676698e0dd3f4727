# Two commands: `make run` serves the demo, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The embedded default is a development setup; production sets DEBUG=0 and SECRET_KEY.
export DEBUG ?= 1
export PORT
# The development server listens on this machine only; `make run BIND_ADDRESS=0.0.0.0`
# opens it to the network (with its public development key: never on a shared network).
export BIND_ADDRESS ?= 127.0.0.1
export SITE_URL ?= http://localhost:$(PORT)

.PHONY: install run test bench lint format messages clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Factcheck needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo
	@echo
	@echo "  Factcheck is starting at http://localhost:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# The suite in parallel (pytest-xdist; each process gets its own test database, broker
# and cache), then the tests marked `serial` alone: they restart the local PostgreSQL.
TEST_PROCESSES ?= auto
test: install
	$(BIN)/pytest -n $(TEST_PROCESSES) --maxprocesses 4 -m "not serial"
	$(BIN)/pytest -p no:xdist -m serial

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages -l nl -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var
