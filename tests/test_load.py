import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_small_load_run_meets_its_targets():
    """The page's API, REST /translate and /translate_file at once: every answer exact, no error, no 5xx."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--clients", "4", "--duration", "5", "--mix", "page,rest,file"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    served = re.search(r"page (\d+), rest (\d+), file (\d+)\), sentences \d+ .*\n\s+errors 0, 5xx 0, wrong answers 0",
                       proc.stdout)
    assert served and all(int(n) > 0 for n in served.groups()), proc.stdout
    assert "checks" in proc.stdout and "failures 0" in proc.stdout


@pytest.mark.slow
def test_compare_runs_without_then_with_batching_and_both_answer_exactly():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--clients", "6", "--duration", "2", "--mix", "rest", "--compare"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    runs = re.findall(r"(without batching|with batching across requests).*sentences (\d+) .*\n\s+errors 0, 5xx 0, "
                      r"wrong answers 0, answers unlike the same text alone 0", proc.stdout)
    assert [label for label, _ in runs] == ["without batching", "with batching across requests"], proc.stdout
    assert all(int(n) > 0 for _, n in runs)
    assert re.search(r"batching: [\d.]+x the sentences/s", proc.stdout), proc.stdout
