#!/usr/bin/env bash
# The main job: translate the example press release from the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/bilingual translate "${1:-../shared/examples/chongqing-liangjiang-wtpf.en.txt}"
