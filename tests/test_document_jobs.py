"""Background document jobs (DeepL's document API): submit, poll, download; who may read a job; the
bounds per key; a restarted server finishing its jobs; retention. Over the real ASGI stack with a fake
backend (no model), and over the jobs' own store."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bilingual import Settings
from bilingual.config import ServiceSettings
from bilingual.errors import QuotaExceededError
from bilingual.server import build
from bilingual.service.jobs import DocumentJobs, JobNotFound, JobNotReady
from bilingual.service.keys import KeyStore
from tests.fakes import fake_translator

ARTICLE = "The weather is good.\n\nThank you.\n".encode()


def _app(home: Path, **service):
    settings = Settings(home=str(home), cache=False, offline=True)
    return build(settings, ServiceSettings(**service), translator=fake_translator(home), page=False)


def _submit(client, data=ARTICLE, name="note.txt", **fields):
    return client.post("/document", data={"source": "en", "target": "zh", **fields},
                       files={"file": (name, data, "text/plain")})


def _wait(client, job, key=None, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/document/{job['document_id']}",
                            params={"document_key": job["document_key"], **({"api_key": key} if key else {})}).json()
        if status["status"] in ("done", "error") or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_a_document_is_queued_translated_and_downloaded(tmp_path):
    with TestClient(_app(tmp_path / "home")) as client:
        job = _submit(client).json()
        assert set(job) == {"document_id", "document_key"}
        status = _wait(client, job)
        assert status == {"document_id": job["document_id"], "status": "done", "progress": 1.0}
        result = client.get(f"/document/{job['document_id']}/result", params={"document_key": job["document_key"]})
        assert result.status_code == 200 and result.content.decode() == "<The weather is good.>\n\n<Thank you.>\n"
        assert 'filename="note.zh-Hans.txt"' in result.headers["content-disposition"]
        # the same answer through the synchronous route
        direct = client.post("/translate_file", data={"source": "en", "target": "zh"},
                             files={"file": ("note.txt", ARTICLE, "text/plain")}).json()
        assert client.get(direct["translatedFileUrl"].split("testserver")[1]).content == result.content
        # DeepL's clients POST the key in the body
        assert client.post(f"/document/{job['document_id']}", data={"document_key": job["document_key"]}).json() == status


def test_a_file_that_fails_is_an_error_with_its_message(tmp_path):
    with TestClient(_app(tmp_path / "home")) as client:
        job = _submit(client, data=b"PK\x03\x04 not really", name="report.docx").json()
        status = _wait(client, job)
        assert status["status"] == "error" and "not a valid docx" in status["error_message"]
        assert "Traceback" not in status["error_message"] and str(tmp_path) not in status["error_message"]
        early = client.get(f"/document/{job['document_id']}/result", params={"document_key": job["document_key"]})
        assert early.status_code == 503
        bad = _submit(client, data=b"", name="empty.txt")  # refused before it is queued
        assert bad.status_code == 400


def test_only_the_key_that_created_a_job_reads_it(tmp_path):
    home = tmp_path / "home"
    store = KeyStore(home / "api_keys.sqlite3")
    ann, _ = store.add(name="ann")
    bob, _ = store.add(name="bob")
    with TestClient(_app(home)) as client:
        job = _submit(client, api_key=ann).json()
        assert _wait(client, job, key=ann)["status"] == "done"
        path = f"/document/{job['document_id']}"
        for params in ({"document_key": job["document_key"], "api_key": bob},  # another key
                       {"document_key": job["document_key"]},  # no key
                       {"document_key": "guess", "api_key": ann}):  # the key, a wrong document key
            for route in (path, path + "/result"):
                answer = client.get(route, params=params)
                assert answer.status_code == 404 and answer.json()["error"].startswith("Document not found")
        unknown = client.get("/document/0123456789abcdef0123456789abcdef", params={"document_key": "x"})
        assert unknown.json() == answer.json()  # the same answer: whether a job exists is not told
        assert client.get(path, params={"document_key": job["document_key"], "api_key": ann}).status_code == 200
        assert client.get(path).status_code == 400  # document_key missing


def test_jobs_are_bounded_per_key(tmp_path):
    release = threading.Event()
    calls = []

    def run(params, data, progress):
        calls.append(params)
        release.wait(10)
        return b"out", "a.txt"

    jobs = DocumentJobs(tmp_path, run, per_owner=2, total=3)
    try:
        jobs.submit(b"1", "a.txt", {}, "key:1")
        jobs.submit(b"2", "a.txt", {}, "key:1")
        with pytest.raises(QuotaExceededError, match="2 documents waiting"):
            jobs.submit(b"3", "a.txt", {}, "key:1")
        jobs.submit(b"4", "a.txt", {}, "key:2")
        with pytest.raises(QuotaExceededError, match="as many documents waiting as it takes"):
            jobs.submit(b"5", "a.txt", {}, "key:3")
    finally:
        release.set()
        jobs.close(wait=True)


def test_a_restarted_server_finishes_the_jobs_it_had(tmp_path):
    release = threading.Event()

    def stuck(params, data, progress):  # the server that goes down mid-translation
        progress(1, 4)
        release.wait(10)
        raise RuntimeError("killed")

    first = DocumentJobs(tmp_path, stuck)
    running_id, running_key = first.submit(b"one", "a.txt", {"n": 1}, "ip:1")
    waiting_id, waiting_key = first.submit(b"two", "b.txt", {"n": 2}, "ip:1")
    deadline = time.monotonic() + 10
    while first.status(running_id, running_key, None).status != "translating" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert first.status(waiting_id, waiting_key, None).status == "queued"

    second = DocumentJobs(tmp_path, lambda params, data, progress: (data.upper(), f"{params['n']}.txt"))
    try:
        for job_id, key, expected in ((running_id, running_key, b"ONE"), (waiting_id, waiting_key, b"TWO")):
            while second.status(job_id, key, None).status != "done" and time.monotonic() < deadline:
                time.sleep(0.02)
            path, _ = second.result(job_id, key, None)
            assert path.read_bytes() == expected
        release.set()  # the old worker wakes up, fails, and must not overwrite what the new one did
        first.close(wait=True)
        assert second.status(running_id, running_key, None).status == "done"
        assert second.result(running_id, running_key, None)[0].read_bytes() == b"ONE"
    finally:
        release.set()
        second.close(wait=True)


@pytest.mark.waits
def test_finished_jobs_and_their_files_go_after_the_retention_time(tmp_path):
    jobs = DocumentJobs(tmp_path, lambda params, data, progress: (b"out", "a.txt"), retention=0.5)
    try:
        job_id, key = jobs.submit(b"in", "a.txt", {}, "ip:1")
        deadline = time.monotonic() + 10
        while jobs.status(job_id, key, None).status != "done" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (tmp_path / f"{job_id}.out").is_file() and not (tmp_path / f"{job_id}.in").exists()
        time.sleep(0.7)
        with pytest.raises(JobNotFound):
            jobs.status(job_id, key, None)
        assert not (tmp_path / f"{job_id}.out").exists()
    finally:
        jobs.close(wait=True)


def test_progress_and_time_left_while_translating(tmp_path):
    step = threading.Event()
    finish = threading.Event()

    def run(params, data, progress):
        time.sleep(0.3)
        progress(1, 4)
        step.set()
        finish.wait(10)
        return b"x", "a.txt"

    jobs = DocumentJobs(tmp_path, run)
    try:
        job_id, key = jobs.submit(b"in", "a.txt", {}, "ip:1")
        assert step.wait(10)
        status = jobs.status(job_id, key, None)
        assert (status.status, status.progress) == ("translating", 0.25)
        assert status.seconds_remaining is not None and 0 <= status.seconds_remaining <= 5
        with pytest.raises(JobNotReady):
            jobs.result(job_id, key, None)
    finally:
        finish.set()
        jobs.close(wait=True)
