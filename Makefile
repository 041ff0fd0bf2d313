# Two commands on a fresh machine: `make demo` and `make test`. Each does its own set-up.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8000
STAMP   := $(VENV)/.installed-stamp
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT     := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get
PYTEST_ARGS ?=

.PHONY: demo test bench lint system-deps browser-deps postgres-deps java-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,spark]'
	touch $(STAMP)

# Debian packages the tests need: Chromium for the page tests.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq chromium chromium-driver; }

# PostgreSQL server for the operational-state tests (users, sessions, audit on PostgreSQL).
postgres-deps:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq postgresql; }

# Java for Spark in local mode (the scale tests).
java-deps:
	@command -v java >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq openjdk-17-jre-headless; }

system-deps: browser-deps postgres-deps java-deps

demo: $(STAMP)
	$(BIN)/traceability demo --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

test: $(STAMP) system-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf demo .pytest_cache spark-warehouse
