import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_load_without_then_with_batching_answers_every_kind_of_request_exactly():
    """The page's API, REST /translate and /translate_file at once, without and then with batching across
    requests: every answer exact, no error, no 5xx, the page and /health answering throughout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--clients", "6", "--duration", "2", "--mix", "page,rest,file",
         "--compare"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    served = re.findall(r"page (\d+), rest (\d+), file (\d+)\), sentences \d+ .*\n\s+errors 0, 5xx 0, wrong answers 0",
                        proc.stdout)
    assert len(served) == 2 and all(int(n) > 0 for run in served for n in run), proc.stdout
    assert proc.stdout.count("failures 0") == 2, proc.stdout
    runs = re.findall(r"(without batching|with batching across requests).*sentences (\d+) .*\n\s+errors 0, 5xx 0, "
                      r"wrong answers 0, answers unlike the same text alone 0", proc.stdout)
    assert [label for label, _ in runs] == ["without batching", "with batching across requests"], proc.stdout
    assert all(int(n) > 0 for _, n in runs)
    assert re.search(r"batching: [\d.]+x the sentences/s", proc.stdout), proc.stdout
