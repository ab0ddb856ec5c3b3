# Two commands: `make demo` runs the main job, `make test` runs the whole suite.
# Each creates .venv with what it needs on first use.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/myograph serve --source sim

test: $(STAMP) browser
	$(BIN)/python -m pytest

# Browser tests drive Debian's chromium, keyboard-output tests an Xvfb X server. Install
# them where we can (root with apt-get); elsewhere those tests skip and say why.
browser:
	@./scripts/install-test-system-packages.sh

bench: $(STAMP)
	for b in benchmarks/*_bench.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache .hypothesis
