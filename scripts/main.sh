#!/usr/bin/env bash
# The main job: set up, then serve the web app on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT
# (default http://127.0.0.1:7860). Models download on first use; without them the page
# says how to get them, and extractive summaries still work.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python app.py
