#!/usr/bin/env bash
# Run the whole test suite: lint first (fast), then pytest.  Tests start their own Xvfb where they need one.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q "$@"
