# Cairn: `make run` sets up and starts Cairn on its demo memory; `make test` sets up and runs the tests.
.PHONY: setup run test bench lint screenshots package package-test

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

# Linux artefacts in build/package/: one-folder bundle, .deb (lintian-checked), tar.gz; sizes and start times.
package: setup
	@nice -n 15 bash packaging/build.sh

# Installs the .deb on this machine (root), upgrades over the previous release, uses it as a fresh user, purges it.
package-test: setup
	@test -f build/package/old/cairn_*.deb || nice -n 15 bash packaging/build.sh tools llama venv old
	@nice -n 10 .venv/bin/python packaging/linux/package_test.py
