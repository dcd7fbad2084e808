# Two commands: `make lab` and `make test`. Both create or refresh .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Jupyter refuses to start as root ("Running as root is not recommended") unless told; a fresh container or
# cloud shell runs as root, so `make lab` passes --allow-root there and only there (Voila has no such check).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test setup present clean benchmark

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest

# Projector mode: Voila serves the notebooks with code hidden and widgets live.
present: $(STAMP)
	$(BIN)/voila notebooks/ --no-browser --port 8866 --Voila.ip=127.0.0.1 \
		--VoilaConfiguration.extension_denylist='["jupyterlab-jupytext"]'

# Speed and memory figures (not tests): writes benchmarks/results.md. SIZES=10000,100000,1000000
benchmark: $(STAMP)
	$(BIN)/python -m benchmarks $(if $(SIZES),--sizes $(SIZES))

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
