"""The set-up script skips pip when nothing it depends on changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("pyproject.toml", "constraints.txt", "scripts/bootstrap.sh"):
        shutil.copy(ROOT / name, project / name)
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    # a python3 that records being called: the script must not reach it when the stamp matches
    fake = tmp_path / "bin" / "python3"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho called >> {tmp_path / 'calls'}\nexit 1\n")
    fake.chmod(0o755)
    return project


def _stamp(project: Path) -> str:
    data = b"".join((project / n).read_bytes() for n in ("pyproject.toml", "constraints.txt", "scripts/bootstrap.sh"))
    return hashlib.sha256(data).hexdigest()


def _run(project: Path, tmp_path: Path) -> int:
    env = dict(os.environ, PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    return subprocess.run(["bash", "scripts/bootstrap.sh", "test"], cwd=project, env=env, timeout=60).returncode


def test_bootstrap_skips_pip_when_nothing_changed(tmp_path):
    project = _project(tmp_path)
    (project / ".venv" / ".bootstrap-test").write_text(_stamp(project) + "\n")
    assert _run(project, tmp_path) == 0
    assert not (tmp_path / "calls").exists()


def test_bootstrap_installs_again_when_the_pins_change(tmp_path):
    project = _project(tmp_path)
    (project / ".venv" / ".bootstrap-test").write_text(_stamp(project) + "\n")
    with (project / "constraints.txt").open("a") as handle:
        handle.write("six==1.17.0\n")
    assert _run(project, tmp_path) != 0  # it went on to (the fake) python3 -m venv
    assert (tmp_path / "calls").read_text() == "called\n"
