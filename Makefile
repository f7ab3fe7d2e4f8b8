# psikometri: the two commands of the quick start are `make report` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
DATA   ?= data_samples
OUT    ?= reports
PYTEST_ARGS ?=

.PHONY: install report test bench validate sample-data clean help

help:
	@echo "make report  - install into .venv and generate the per-agency validation reports from $(DATA)/ into $(OUT)/"
	@echo "make test    - install into .venv (with test extras) and run the test suite"
	@echo "make bench   - run the side-by-side benchmarks and print speed ratios"
	@echo "make sample-data - regenerate data_samples/ with the simulator (seeded)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

report: $(STAMP)
	$(BIN)/psikometri validate $(DATA)
	$(BIN)/psikometri report --data $(DATA) --out $(OUT) --workers 2

validate: $(STAMP)
	$(BIN)/psikometri validate $(DATA)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

sample-data: $(STAMP)
	$(BIN)/python -m psikometri.simulate --out $(DATA) --seed 20261124

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
