# Cairn: `make run` sets up and starts Cairn on its demo memory; `make test` sets up and runs the tests.
.PHONY: setup run test bench lint screenshots

setup:
	@bash scripts/setup.sh

run: setup
	@.venv/bin/python -m app.demo

test: setup
	@bash scripts/test.sh

bench: setup
	@.venv/bin/python -m bench

lint: setup
	@.venv/bin/ruff check .

screenshots: setup
	@.venv/bin/python -m tools.screenshots
