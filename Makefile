# Two commands for a fresh clone: `make demo` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## crawl the bundled demo news site into output/
	$(BIN)/newsdedup demo --output output

test: $(STAMP)  ## run the test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)  ## benchmarks (most need ../shared; see bench/README.md)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/discovery.py
	$(BIN)/python bench/dedup.py
	$(BIN)/python bench/dedup_speed.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/crashloop.py
	$(BIN)/python bench/redis_state.py

clean:
	rm -rf $(VENV) output/*.jsonl output/.state.sqlite*
