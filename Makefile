# 数字吉林统计报告书 — `make book` builds everything, `make test` checks everything.
# Both create the virtual environment and install the pinned requirements on first use.
VENV    ?= .venv
PY      := $(VENV)/bin/python
DATA    ?= data
SOURCES ?= ../shared/sources
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_ARGS ?=

# `book` is also a folder: without .PHONY, make would call it up to date and build nothing.
.PHONY: help install book excel test lint format validate verify extract bench system-deps clean

help:
	@echo "make book    build the HTML book and the Excel appendix (DATA=folder to use other data)"
	@echo "make test    lint and run every test (installs chromium etc. when missing)"
	@echo "make excel   write the Excel appendix only"
	@echo "make bench   measure build and appendix times into BENCHMARKS.md"

$(VENV)/.installed: requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

validate: install
	$(PY) -m digital_jilin validate --data-dir $(DATA)

book: validate
	$(PY) -m digital_jilin build --data-dir $(DATA) --jobs $(JOBS)

excel: validate
	$(PY) -m digital_jilin excel --data-dir $(DATA)

verify: install
	$(PY) -m digital_jilin verify --sources $(SOURCES) --data-dir $(DATA)

extract: install
	$(PY) -m digital_jilin extract --sources $(SOURCES) --data-dir $(DATA)

system-deps:
	bash scripts/system-deps.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/nbstripout notebooks/*.ipynb

test: install system-deps lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) scripts/bench.py
	$(PY) scripts/bench_excel.py

clean:
	rm -rf _build book/generated
