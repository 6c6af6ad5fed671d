# Zielwerk — everything a fresh machine needs goes through these targets.
# `make demo` runs the demo on the embedded default (SQLite, DuckDB); `make test` runs every test.
PYTHON ?= python3
UV = $(PYTHON) -m uv
VENV = .venv
export UV_PYTHON_DOWNLOADS = never

.PHONY: setup demo test test-fast lint bench clean

$(VENV)/.synced: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || { $(PYTHON) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m ensurepip --upgrade; $(PYTHON) -m pip install --quiet --disable-pip-version-check uv; }
	$(UV) sync --frozen
	@touch $@

setup: $(VENV)/.synced

demo: setup
	$(VENV)/bin/zielwerk demo

test: setup
	bash scripts/test-setup.sh
	$(VENV)/bin/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: setup
	$(VENV)/bin/python -m pytest -n 2 -m "not slow and not browser" $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check src tests bench

bench: setup
	$(VENV)/bin/python -m bench.kennzahlen --scale 0.1

clean:
	rm -rf $(VENV) .pytest_cache
