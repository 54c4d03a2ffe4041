#!/usr/bin/env bash
# Create .venv (once) and install bilingual with the versions CI tested (constraints.txt).
# Skips pip when nothing it depends on changed since the last install (a stamp in .venv).
# Usage: scripts/bootstrap.sh [EXTRA]    e.g. scripts/bootstrap.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
stamp=".venv/.bootstrap-${extra:-main}"
want="$(cat pyproject.toml constraints.txt scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)"
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# An unpinned torch pulls a multi-GB CUDA build; this pin installs the CPU build where one is provided.
.venv/bin/python -m pip install -q -c constraints.txt "torch==2.13.0"
.venv/bin/python -m pip install -q -c constraints.txt -e ".${extra:+[$extra]}"
echo "$want" > "$stamp"
