#!/usr/bin/env bash
# Set up and run the whole test suite (no network needed: tiny models are built locally).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
exec .venv/bin/python -m pytest "$@"
