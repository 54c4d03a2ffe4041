#!/usr/bin/env bash
# Set up and run the whole test suite (no network needed: tiny models are built locally).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
# Two workers, each taking the next test when it is free (a later -n in the arguments wins: -n 0 for one process).
exec .venv/bin/python -m pytest -n 2 --dist worksteal "$@"
