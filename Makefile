# Backprop Lab: the README's commands.  `make serve` and `make test` work from a fresh clone.
PYTHON ?= python3
PORT ?= 8000
PYTEST_ARGS ?= --durations=25

.PHONY: setup serve build test bench

# Python packages (pinned in pyproject.toml), front-end runtimes (pinned in package-lock.json),
# then copy what the pages request into static/vendor/.
setup:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) -m backprop_lab setup

serve: setup
	$(PYTHON) -m backprop_lab serve --port $(PORT)

build: setup
	$(PYTHON) -m backprop_lab build

test: setup
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PYTHON) -m backprop_lab bench engine
	$(PYTHON) -m backprop_lab bench playground
	$(PYTHON) -m backprop_lab bench gradients
	$(PYTHON) -m backprop_lab bench loads
	$(PYTHON) -m backprop_lab bench writeit
