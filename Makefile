# psikometri: the two commands of the quick start are `make report` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
DATA   ?= data_samples
OUT    ?= reports
PYTEST_ARGS ?=
KERNEL := $(VENV)/share/jupyter/kernels/psikometri/kernel.json
TOUR   ?= notebooks/tour_id.ipynb
LAB_ARGS ?=

.PHONY: install lab report test bench validate sample-data clean help

help:
	@echo "make report  - install into .venv and generate the per-agency validation reports from $(DATA)/ into $(OUT)/"
	@echo "make test    - install into .venv (with test extras) and run the test suite"
	@echo "make lab     - JupyterLab on the psikometri kernel, opening the guided tour ($(TOUR))"
	@echo "make bench   - run the side-by-side benchmarks and print speed ratios"
	@echo "make sample-data - regenerate data_samples/ with the simulator (seeded)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# the Jupyter kernel the notebooks name, registered inside .venv (nothing is written to ~/.local)
$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name psikometri --display-name "psikometri (Python 3.11)"

install: $(STAMP) $(KERNEL)

lab: $(STAMP) $(KERNEL)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(TOUR) \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

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
