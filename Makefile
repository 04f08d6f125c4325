# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	rm -rf runs/demo
	$(BIN)/storetwin pilot self_checkout --out runs/demo

test: setup
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder --durations=25

bench: setup
	$(BIN)/python -m pytest tests/benchmarks --benchmark-enable --benchmark-only

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) runs .pytest_cache .benchmarks
