"""The third hardening pass: the server's doors, over real HTTP, with the whole app in process and a fake backend.

Each test reproduces a finding of the probe (see the README's threat model) and fails without its fix.
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual.service.keys import KeyStore
from tests.fakes import held_in_thread, plain_documents
from tests.fixtures.hostile import docx, lying_zip, shared_stream_pdf
from tests.live_server import fn_index, live_server, request, run_event, upload


def _completed(messages: list[dict]) -> dict:
    done = [m for m in messages if m.get("msg") == "process_completed"]
    assert done, messages
    return done[-1]


@pytest.fixture()
def secret_file(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("The launch code is 0000. 发射密码是0000。", encoding="utf-8")
    secret.chmod(0o600)
    return secret


@pytest.mark.waits
def test_page_downloads_follow_the_retention_setting(tmp_path):
    """Low 14: with BILINGUAL_FILE_RETENTION=5 a page download still answered after 70 s."""
    with live_server(tmp_path / "home", file_retention_s=1) as url:
        translate = fn_index(url, "translate_stream")
        _, messages = run_event(url, translate, ["The weather is good.", "自动 Auto", "", "latency_optimized"])
        downloads = _completed(messages)["output"]["data"][3]
        links = [d["url"] for d in downloads]
        assert len(links) == 2 and all(request(link)[0] == 200 for link in links)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(request(link)[0] == 200 for link in links):
            time.sleep(0.5)
        assert all(request(link)[0] in (403, 404) for link in links)  # gone within the retention time
        assert time.monotonic() < deadline


@pytest.mark.waits
def test_half_sent_requests_are_closed(tmp_path):
    """Medium 10: idle half-sent requests held sockets until /health went unanswered."""
    with live_server(tmp_path / "home", header_timeout_s=1, page=False) as url:
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as conn:
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the head never ends
            conn.settimeout(5)
            started = time.monotonic()
            assert conn.recv(4096) == b""  # closed by the server
            assert time.monotonic() - started < 3


@pytest.mark.waits
def test_slow_bodies_time_out(tmp_path):
    """Medium 10: a body sent a byte every 2 s was still open after 60 s."""
    with live_server(tmp_path / "home", body_timeout_s=1, page=False) as url:
        port = int(url.rsplit(":", 1)[1])
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(b"POST /translate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{")
            conn.settimeout(10)
            for _ in range(2):  # a trickle, then nothing: the deadline is for the whole body
                time.sleep(0.3)
                conn.sendall(b" ")
            answer = conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert time.monotonic() - started < 4


def test_page_events_read_only_files_uploaded_here(tmp_path, secret_file):
    """High 1: the Document tab's and the glossary file's events named any server file as an upload."""
    with live_server(tmp_path / "home") as url:
        document = fn_index(url, "translate_upload")
        glossary = fn_index(url, "read_glossary_file")
        # a link inside the upload folder that points outside it is no upload either
        link = tmp_path / "home" / "gradio" / "link.txt"
        link.symlink_to(secret_file)
        for path in (str(secret_file), str(link), str(secret_file.with_suffix(".csv"))):
            if path.endswith(".csv"):
                secret_file.with_suffix(".csv").write_text("launch\t0000\n")
            file_data = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "secret.txt"}
            _, messages = run_event(url, document, [file_data, "自动 Auto", False, "", "latency_optimized", ""])
            shown = json.dumps(_completed(messages), ensure_ascii=False)
            assert "0000" not in shown and "launch" not in shown
            _, messages = run_event(url, glossary, [file_data, ""])
            shown = json.dumps(_completed(messages), ensure_ascii=False)
            assert "0000" not in shown and "launch" not in shown
            assert _completed(messages)["success"] is False

        # a real upload is translated, and a glossary file fills the box
        status, body = upload(url, "note.txt", b"The weather is good.")
        assert status == 200
        (path,) = json.loads(body)
        file_data = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "note.txt"}
        _, messages = run_event(url, document, [file_data, "自动 Auto", False, "", "latency_optimized", ""])
        result = _completed(messages)
        assert result["success"] is True
        assert result["output"]["data"][0].startswith("完成 Done")
        status, body = upload(url, "terms.tsv", "weather\t天气\n".encode())
        (path,) = json.loads(body)
        file_data = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "terms.tsv"}
        _, messages = run_event(url, glossary, [file_data, ""])
        assert _completed(messages)["output"]["data"] == ["weather\t天气\n"]


def test_received_upload_refuses_what_was_not_uploaded(tmp_path, secret_file, monkeypatch):
    from bilingual.errors import UploadError
    from bilingual.ui.app import received_upload

    folder = tmp_path / "uploads"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))

    class Demo:
        upload_file_set: set[str] = set()

    inside = folder / "a" / "ok.txt"
    inside.parent.mkdir()
    inside.write_text("x")
    link = folder / "a" / "link.txt"
    link.symlink_to(secret_file)
    Demo.upload_file_set = {str(inside), str(link), str(secret_file)}
    assert received_upload(Demo, str(inside)) == inside.resolve()
    for path in (str(link), str(secret_file), str(folder / "a" / "missing.txt"), None, 3):
        with pytest.raises(UploadError, match="not uploaded") as info:
            received_upload(Demo, path)
        assert str(tmp_path) not in str(info.value)
    with pytest.raises(UploadError):
        received_upload(None, str(inside))


# -- documents: what a few megabytes may cost --------------------------------------------------------


def _translator(tmp_path):
    from tests.fakes import fake_translator

    return fake_translator(tmp_path)


def test_a_zip_directory_that_lies_is_not_believed(tmp_path):
    """High 2: a member declaring 4 KB that inflates to 400 MB costs only what was counted."""
    import io
    import tracemalloc
    import zipfile

    from bilingual.documents import translate_content
    from bilingual.documents.archive import read_package

    hostile = lying_zip(docx(["The weather is good."]), "word/media/blob.bin", 160 * 1024 * 1024, 4096)
    assert len(hostile) < 1_000_000
    with zipfile.ZipFile(io.BytesIO(hostile)) as archive:  # what the directory says
        assert archive.getinfo("word/media/blob.bin").file_size == 4096
    tracemalloc.start()
    try:
        out = translate_content(_translator(tmp_path), hostile, "report.docx", "zh", source="en")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024  # before: zipfile inflated the whole 400 MB to read 4 KB
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        assert "&lt;The weather is good.&gt;" in archive.read("word/document.xml").decode()
    package = read_package(hostile, "docx")  # what the Office library is given: the counted bytes
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        assert archive.read("word/media/blob.bin") == b"\0" * 4096
        assert archive.getinfo("word/media/blob.bin").compress_type == zipfile.ZIP_STORED


def test_a_lying_member_with_the_wrong_checksum_is_damaged(tmp_path):
    import zlib

    from bilingual.documents import translate_content
    from bilingual.errors import UnsupportedFormatError

    hostile = lying_zip(docx(["The weather is good."]), "word/media/blob.bin", 8 * 1024 * 1024, 4096)
    hostile = hostile.replace(zlib.crc32(b"\0" * 4096).to_bytes(4, "little"), b"\1\2\3\4")
    with pytest.raises(UnsupportedFormatError, match="damaged") as info:
        translate_content(_translator(tmp_path), hostile, "report.docx", "zh", source="en")
    assert "Traceback" not in str(info.value)


def test_xml_heavy_documents_are_refused_by_their_xml_size(tmp_path):
    """High 3: a 3.4 MB .docx holding 190 MB of XML took 4.4 GB; XML past the stated limit is refused unparsed."""
    import io
    import time
    import tracemalloc
    import zipfile

    from bilingual.documents import translate_content
    from bilingual.documents.archive import MAX_XML_BYTES
    from bilingual.errors import UnsupportedFormatError

    body = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * (MAX_XML_BYTES // 34 + 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document><w:body>" + body + b"</w:body></w:document>")
    assert len(out.getvalue()) < 2 * 1024 * 1024
    started = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(UnsupportedFormatError, match=f"more than {MAX_XML_BYTES >> 20} MB of XML"):
            translate_content(_translator(tmp_path), out.getvalue(), "heavy.docx", "zh", source="en")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 10
    assert peak < 3 * MAX_XML_BYTES


def test_documents_share_one_memory_budget(tmp_path):
    """The work limit bounds jobs; the memory budget bounds what the documents among them may take."""

    from bilingual.documents import translate_content
    from bilingual.documents.memory import MemoryBudget
    from bilingual.errors import InputTooLargeError, ServerBusyError

    budget = MemoryBudget(150 * 1024 * 1024, wait_timeout=0.5)
    with pytest.raises(InputTooLargeError, match="BILINGUAL_MEMORY_BUDGET_MB"):
        translate_content(_translator(tmp_path), docx(["Hi there."]), "a.docx", "zh", source="en", memory=budget)
    budget = MemoryBudget(1024 * 1024 * 1024, wait_timeout=0.5)
    with held_in_thread(lambda: budget.reserve(900 * 1024 * 1024)), pytest.raises(ServerBusyError):
        translate_content(_translator(tmp_path), docx(["Hi there."]), "a.docx", "zh", source="en", memory=budget)
    translate_content(_translator(tmp_path), docx(["Hi there."]), "a.docx", "zh", source="en", memory=budget)
    assert budget.used == 0 and budget.peak >= 900 * 1024 * 1024


def test_a_pdf_whose_pages_share_one_huge_stream_is_refused_in_time(tmp_path, monkeypatch):
    """High 4: 15 pages pointing at one 74 MB stream took 102 s of CPU."""
    import time

    from bilingual.documents import pdf, translate_content
    from bilingual.errors import InputTooLargeError

    hostile = shared_stream_pdf(15, 12 * 1024 * 1024)
    assert len(hostile) < 400_000
    started = time.perf_counter()
    with pytest.raises(InputTooLargeError, match="split it into smaller files"):
        translate_content(_translator(tmp_path), hostile, "paper.pdf", "zh", source="en")
    assert time.perf_counter() - started < 10
    # shared streams are counted at every use: 40 uses of one 4 KB stream are past a 64 KB content budget,
    # 10 are not (the budget is lowered: pypdf parses a page's content at about 1 MB a second)
    monkeypatch.setattr(pdf, "MAX_CONTENT_BYTES", 64 * 1024)
    assert pdf.pdf_text(shared_stream_pdf(10, 4096)).startswith("x")
    started = time.perf_counter()
    with pytest.raises(InputTooLargeError, match="split it into smaller files"):
        translate_content(_translator(tmp_path), shared_stream_pdf(40, 4096), "p.pdf", "zh", source="en")
    assert time.perf_counter() - started < 10


def test_pdf_reading_stops_at_its_time_budget():
    from bilingual.documents.pdf import pdf_text
    from bilingual.errors import InputTooLargeError

    with pytest.raises(InputTooLargeError, match="longer than 0.01 s"):  # a page takes about 0.05 s
        pdf_text(shared_stream_pdf(4, 60_000), time_budget=0.01)


# -- glossaries: one pass, however many terms -----------------------------------------------------


def _regex_protect(text: str, terms: dict[str, str], language: str) -> tuple[str, dict[str, str]]:
    """The glossary's matching as it was specified: one regular expression, longest terms first."""
    import re

    ordered = sorted(terms, key=len, reverse=True)
    if language == "zh":
        pattern = "|".join(re.escape(t) for t in ordered)
    else:
        pattern = r"\b(?:" + "|".join(re.escape(t) + r"(?:s|es)?" for t in ordered) + r")\b"
    lookup = {t.lower(): terms[t] for t in ordered}
    mapping: dict[str, str] = {}

    def replace(match):
        key = match.group().lower()
        target = lookup.get(key) or lookup.get(re.sub(r"(?:es|s)$", "", key)) or lookup.get(key[:-1])
        placeholder = f"ZQ{len(mapping) + 1}"
        mapping[placeholder] = target
        return placeholder

    return re.sub(pattern, replace, text, flags=re.IGNORECASE if language == "en" else 0), mapping


_EN_WORDS = ["bank", "the bank", "bridge", "new factory", "factory", "port", "ports", "a", "co", "es", "Bank"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_EN_WORDS + ["Banks", "bridges", "factory's", ",", ".", " ", "x", "portes", "_"]),
             max_size=14).map(" ".join),
    st.lists(st.sampled_from(_EN_WORDS), min_size=1, max_size=6, unique_by=str.lower),
)
def test_the_term_trie_matches_english_as_the_regular_expression_did(text, words):
    from bilingual.translation.glossary import protect

    terms = {w: f"T{n}" for n, w in enumerate(words)}
    assert protect(text, terms, "en") == _regex_protect(text, terms, "en")


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="两江新区重庆出口城市的了，。 AB", max_size=30),
    st.lists(st.text(alphabet="两江新区重庆出口城市AB", min_size=1, max_size=4), min_size=1, max_size=6, unique=True),
)
def test_the_term_trie_matches_chinese_as_the_regular_expression_did(text, words):
    from bilingual.translation.glossary import protect

    terms = {w: f"T{n}" for n, w in enumerate(words)}
    assert protect(text, terms, "zh") == _regex_protect(text, terms, "zh")


def test_a_large_glossary_is_matched_in_one_pass_built_once(tmp_path, monkeypatch):
    """Medium 7: 10,000 terms multiplied the time 36x. The trie is built once per glossary and language,
    and a text is scanned once: trie steps stay within (text length x the longest term)."""
    from bilingual.text import terms as terms_module
    from bilingual.translation.glossary import load_glossary
    from tests.fakes import fake_translator

    built = []
    original = terms_module.TermMatcher.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(terms_module.TermMatcher, "__init__", counting_init)
    glossary = load_glossary({f"term{n:05d}": f"术语{n}" for n in range(9_999)} | {"harbour": "港口"})
    translator = fake_translator(tmp_path)
    text = " ".join(f"The harbour opened {n} new berths." for n in range(200))
    doc = translator.translate_document(text, "zh", glossary=glossary)
    assert doc.text.count("<The ZQ1 opened") == 0 and "港口" in doc.text
    translator.translate_document(text, "zh", glossary=glossary)
    assert len(built) == 1  # one trie for the glossary's English terms, reused by protect and the checks

    steps = 0
    walk = terms_module.TermMatcher._walk

    def counting_walk(self, hay, start):
        nonlocal steps
        found = walk(self, hay, start)
        steps += 1
        return found

    monkeypatch.setattr(terms_module.TermMatcher, "_walk", counting_walk)
    matcher = glossary.for_source("en").matcher
    long_text = "The harbour term00042 opened. " * 2_000
    matches = list(matcher.finditer(long_text))
    assert len(matches) == 4_000
    assert steps <= len(long_text)  # at most one walk per position, each bounded by the longest term


# -- the doors: keys, hosts, bodies, connections ------------------------------------------------------


def test_required_keys_cover_the_page_and_its_api(tmp_path):
    """Medium 5: with keys required, every call under /gradio_api/ answered without one."""
    home = tmp_path / "home"
    secret, _ = KeyStore(home / "api_keys.sqlite3").add(name="ann")
    with live_server(home, require_api_key=True) as url:
        assert request(url + "/config")[0] == 401
        assert upload(url, "a.txt", b"hello")[0] == 401
        for path in ("/gradio_api/call/translate", "/gradio_api/queue/join"):
            status, _ = request(url + path, json.dumps({"data": ["谢谢。", "en"], "fn_index": 9}).encode(),
                                headers={"Content-Type": "application/json"})
            assert status == 401, path
        # the page's login takes any user name with an API key as the password
        login = urllib.parse.urlencode({"username": "anyone", "password": "wrong"}).encode()
        assert request(url + "/login", login, headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 400
        from gradio_client import Client

        client = Client(url, auth=("anyone", secret), verbose=False)
        assert client.predict("The weather is good.", "zh", api_name="/translate") == "<The weather is good.>"
        # REST: a key, as before
        body = json.dumps({"q": "Hi.", "source": "en", "target": "zh"}).encode()
        assert request(url + "/translate", body, headers={"Content-Type": "application/json"})[0] == 400
        assert request(url + "/translate", body, headers={"Content-Type": "application/json",
                                                           "Authorization": f"Bearer {secret}"})[0] == 200


def test_page_work_and_uploads_are_rate_limited(tmp_path):
    with live_server(tmp_path / "home", req_limit=2, upload_limit=2) as url:
        translate = fn_index(url, "translate")
        detect = fn_index(url, "detect")
        for _ in range(5):  # the language shown while typing is not work
            assert run_event(url, detect, ["The weather is good."])[0] == 200
        assert run_event(url, translate, ["Hi.", "zh"])[0] == 200
        assert run_event(url, translate, ["Hi.", "zh"])[0] == 200
        status, messages = run_event(url, translate, ["Hi.", "zh"])
        assert status == 429 and "Slowdown: 2 per 1 minute" in messages[0]["body"]
        assert upload(url, "a.txt", b"a")[0] == 200
        assert upload(url, "b.txt", b"b")[0] == 200
        status, body = upload(url, "c.txt", b"c")
        assert status == 429 and json.loads(body) == {"error": "Slowdown: 2 uploads per 1 minute"}


def test_wrong_keys_are_rate_limited(tmp_path):
    """Low 16: 50 wrong keys gave 50 x 403."""
    from bilingual.service.admission import BAD_KEY_LIMIT

    home = tmp_path / "home"
    secret, _ = KeyStore(home / "api_keys.sqlite3").add()
    with live_server(home, require_api_key=True, page=False) as url:  # (where keys are not required, a key is ignored)
        statuses = []
        for n in range(BAD_KEY_LIMIT + 3):
            body = json.dumps({"q": "Hi.", "source": "en", "target": "zh", "api_key": f"guess{n}"}).encode()
            statuses.append(request(url + "/translate", body, headers={"Content-Type": "application/json"})[0])
        assert statuses == [403] * BAD_KEY_LIMIT + [429] * 3
        # now even a right key from that address waits for the window, and is refused before its body is read
        status, body = request(url + "/translate?api_key=" + secret, b"x" * 1000,
                               headers={"Content-Type": "application/json"})
        assert status == 429 and json.loads(body) == {"error": f"Slowdown: {BAD_KEY_LIMIT} wrong keys per 1 minute"}


def test_keys_in_headers_are_checked_before_the_body_is_read(tmp_path):
    with live_server(tmp_path / "home", require_api_key=True, page=False) as url:
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as conn:
            conn.sendall(b"POST /translate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
            conn.settimeout(5)
            answer = conn.recv(4096)  # answered at once, although not one byte of the body was sent
        assert answer.startswith(b"HTTP/1.1 403") and b"Invalid API key" in answer


def test_buffered_bodies_share_one_budget():
    """Medium 10: 60 parked 9.9 MB bodies added 594 MB. The guard holds at most its budget of bodies at once."""
    import asyncio

    from bilingual.service.guard import Guard

    release = asyncio.Event()
    seen = []

    async def app(scope, receive, send):
        seen.append(len((await receive())["body"]))
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guard = Guard(app, lambda path: 20 * 2**20, body_budget=16 * 2**20)

    def call(size: int):
        chunks = [{"type": "http.request", "body": b" " * 2**20, "more_body": True} for _ in range(size)]
        chunks[-1]["more_body"] = False
        sent = []

        async def receive():
            return chunks.pop(0)

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/translate", "headers": [(b"host", b"x")]}
        return guard(scope, receive, send), sent

    async def main():
        first, first_sent = call(9)
        task = asyncio.create_task(first)
        while not seen:
            await asyncio.sleep(0.01)
        assert guard.budget.used == 9 * 2**20
        second, second_sent = call(9)
        await second  # 9 + 9 MB > 16 MB: refused while the first body is held
        assert second_sent[0]["status"] == 503 and guard.budget.used == 9 * 2**20
        release.set()
        await task
        assert first_sent[0]["status"] == 200 and guard.budget.used == 0
        third, third_sent = call(9)
        await third
        assert third_sent[0]["status"] == 200

    asyncio.run(main())


def test_loopback_answers_only_to_loopback_host_names(tmp_path):
    """Medium 6: with no BILINGUAL_ALLOWED_HOSTS, Host: evil.example was reflected (DNS rebinding)."""
    from bilingual.config import ServiceSettings

    service = ServiceSettings.from_env({})
    assert service.allowed_hosts == ("localhost", "127.0.0.1", "::1")
    assert ServiceSettings.from_env({"GRADIO_SERVER_NAME": "0.0.0.0"}).allowed_hosts == ()
    assert ServiceSettings.from_env({"BILINGUAL_ALLOWED_HOSTS": "a.example"}).allowed_hosts == ("a.example",)
    with live_server(tmp_path / "home", allowed_hosts=service.allowed_hosts) as url:
        port = url.rsplit(":", 1)[1]
        body = json.dumps({"q": "Hi."}).encode()
        for host in ("evil.example", f"evil.example:{port}", "localhost:1", "127.0.0.2"):
            for path, data in (("/config", None), ("/detect", body), ("/gradio_api/call/translate", body)):
                status, answer = request(url + path, data, headers={"Host": host, "Origin": f"http://{host}",
                                                                    "Content-Type": "application/json"})
                assert status == 400 and b"evil" not in answer, (host, path)
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
            assert request(url + "/health", headers={"Host": host})[0] == 200, host


def test_an_empty_auth_file_setting_refuses_to_start():
    """Low 15: BILINGUAL_AUTH_FILE="" (an unset shell variable) served the page open."""
    from bilingual import BilingualError
    from bilingual.config import ServiceSettings
    from bilingual.server import read_auth

    for value in ("", "  "):
        with pytest.raises(BilingualError, match="BILINGUAL_AUTH_FILE is set but empty"):
            read_auth(ServiceSettings.from_env({"BILINGUAL_AUTH_FILE": value}))


def test_the_home_and_its_files_are_private(tmp_path):
    """Medium 9: the cache and its -wal/-shm files were 0644 in a 0755 home."""
    import stat
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    (home / "old.tsv").write_text("x")
    (home / "old.tsv").chmod(0o644)
    script = (
        "import sys, pathlib\n"
        "from bilingual.server import private_home\n"
        "from bilingual.cache import TranslationCache\n"
        "from bilingual.service.glossaries import GlossaryStore\n"
        "from bilingual.translation.glossary import load_glossary\n"
        "home = pathlib.Path(sys.argv[1])\n"
        "private_home(home)\n"
        "cache = TranslationCache(home / 'translations.sqlite3')\n"
        "cache.put_many('n', [('a', 'b')])\n"
        "wal = home / 'translations.sqlite3-wal'\n"
        "assert wal.exists() and wal.stat().st_mode & 0o777 == 0o600, oct(wal.stat().st_mode)\n"
        "GlossaryStore(home / 'glossaries').put(load_glossary({'a': 'b'}), 'ip:1')\n"
        "(home / 'later.txt').write_text('x')\n"
    )
    subprocess.run([sys.executable, "-c", script, str(home)], check=True, env={**os.environ, "PYTHONPATH": "src"})
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    paths = [p for p in home.rglob("*")]
    assert {p.name for p in paths} >= {"translations.sqlite3", "old.tsv", "later.txt"}
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_storage_quotas(tmp_path):
    """Medium 8: glossaries and files were stored without a quota."""
    from bilingual.errors import QuotaExceededError
    from bilingual.service.filestore import FileStore
    from bilingual.service.glossaries import GlossaryStore
    from bilingual.translation.glossary import load_glossary

    store = GlossaryStore(tmp_path / "g", per_owner=2, total=3)
    glossary = load_glossary({"a": "b"})
    store.put(glossary, "key:1")
    store.put(glossary, "key:1")
    with pytest.raises(QuotaExceededError, match="stored 2 glossaries"):
        store.put(glossary, "key:1")
    kept = store.put(glossary, "ip:2")
    with pytest.raises(QuotaExceededError, match="as many stored glossaries as it allows"):
        store.put(glossary, "ip:3")
    assert store.get(kept) == glossary
    old = time.time() - 40 * 86400
    for path in (tmp_path / "g").glob("*.tsv"):
        os.utime(path, (old, old))
    assert store.purge() == 3 and not store.exists(kept)

    files = FileStore(tmp_path / "f", quota=1000, total=1500)
    files.put(b"x" * 600, "a.txt", "key:1")
    with pytest.raises(QuotaExceededError, match="at most 0 MB are kept per client|per client"):
        files.put(b"x" * 600, "b.txt", "key:1")
    files.put(b"x" * 600, "c.txt", "key:2")
    with pytest.raises(QuotaExceededError, match="space for translated files is full"):
        files.put(b"x" * 600, "d.txt", "key:3")


def test_rest_quotas_answer_4xx(tmp_path):
    with live_server(tmp_path / "home", glossary_quota=1, page=False) as url:
        body = json.dumps({"entries": {"harbour": "港口"}}).encode()
        assert request(url + "/glossaries", body, headers={"Content-Type": "application/json"})[0] == 200
        status, answer = request(url + "/glossaries", body, headers={"Content-Type": "application/json"})
        assert status == 429 and "glossaries" in json.loads(answer)["error"]


def test_page_uploads_have_a_total_quota(tmp_path):
    with live_server(tmp_path / "home", upload_quota_mb=1, upload_limit=0) as url:
        assert upload(url, "a.txt", b"a" * 1_000_000)[0] == 200
        status, body = upload(url, "b.txt", b"b" * 60_000)
        assert status == 429 and "space for uploads is full" in json.loads(body)["error"]


# -- bad input answers 4xx in the {"error"} shape ------------------------------------------------------


def _multipart(name: str, data: bytes, fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    import uuid

    boundary = uuid.uuid4().hex
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
                    for k, v in fields.items())
    body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _docx_with(document_xml: bytes) -> bytes:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx(["Hello."])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, document_xml if info.filename == "word/document.xml" else source.read(info))
    return out.getvalue()


W = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'


def test_bad_input_gets_4xx_errors_not_500(tmp_path):
    """Low 12: each of these was a 500 (one of them a plain-text page)."""
    files = {
        "malformed.docx": (_docx_with(b"<w:document><unclosed>"), "not a valid docx"),
        "deep.docx": (_docx_with(W + b"<w:p>" * 300_000 + b"</w:p>" * 300_000 + b"</w:document>"), "not a valid docx"),
        "entity.docx": (_docx_with(W + b"<w:body><w:p><w:r><w:t>&undefined;</w:t></w:r></w:p></w:body></w:document>"),
                        "not a valid docx"),
        "nested.html": (b"<p>" + b"<b>" * 20_000 + b"Hello there." + b"</b>" * 20_000 + b"</p>", "nested more than"),
        "zip.docx": (b"PK\x03\x04" + b"\0" * 100, "not a zip package"),
        "shared.pdf": (shared_stream_pdf(15, 12 * 1024 * 1024), "split it into smaller files"),
    }
    with live_server(tmp_path / "home") as url:
        for name, (data, message) in files.items():
            body, headers = _multipart(name, data, {"source": "en", "target": "zh"})
            status, answer = request(url + "/translate_file", body, headers=headers, timeout=60)
            assert status == 400 and message in json.loads(answer)["error"], (name, answer[:200])
        deep = b'{"q": ' + b"[" * 200_000 + b"]" * 200_000 + b', "source": "en", "target": "zh"}'
        status, answer = request(url + "/translate", deep, headers={"Content-Type": "application/json"})
        assert (status, json.loads(answer)) == (400, {"error": "Invalid request: the JSON body is nested too deeply"})
        nested = json.dumps({"q": "<p>" + "<b>" * 5_000 + "Hi." + "</b>" * 5_000, "source": "en", "target": "zh",
                             "format": "html"}).encode()
        status, answer = request(url + "/translate", nested, headers={"Content-Type": "application/json"})
        assert status == 400 and "nested more than 1000" in json.loads(answer)["error"]
        status, messages = run_event(url, 999, ["x"])
        assert status == 400 and json.loads(messages[0]["body"]) == {
            "error": "Invalid request: there is no such event on this page"}


def test_html_nested_within_the_limit_is_translated():
    from bilingual.documents.html import MAX_DEPTH, translate_html

    depth = MAX_DEPTH - 10
    markup = "<div>" * depth + "Hello there." + "</div>" * depth
    out = translate_html(markup, lambda texts, src, spans: plain_documents(t.upper() for t in texts), source="en",
                         lang_code=lambda s: s)
    assert out == "<div>" * depth + "HELLO THERE." + "</div>" * depth


def test_gradios_own_queue_full_refusal_says_the_servers_busy_message():
    """A burst of page events can fill Gradio's queue (its size is the work limit's line) before the work
    limit refuses them: Gradio's 503 then said "Queue is full. Max size is 1 and size is 1." in English."""
    from starlette.testclient import TestClient

    from bilingual.documents.memory import BUSY_MESSAGE
    from bilingual.service.paths import HidePaths

    async def gradio(scope, receive, send, status=503, body=b'{"detail":"Queue is full. Max size is 1 and size is 1."}'):
        if scope["path"].endswith("/other"):
            status, body = 503, b'{"detail":"Something else."}'
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    client = TestClient(HidePaths(gradio, "/srv/home/gradio"))
    answer = client.post("/gradio_api/queue/join", json={})
    assert (answer.status_code, answer.json()) == (503, {"detail": BUSY_MESSAGE})
    assert "服务器繁忙" in answer.json()["detail"]
    assert client.post("/gradio_api/other", json={}).json() == {"detail": "Something else."}  # only that one


def test_the_page_names_files_without_server_paths(tmp_path):
    """Low 13: the upload route and the page's file outputs carried absolute paths."""
    home = tmp_path / "secret-user-home"
    with live_server(home) as url:
        status, body = upload(url, "note.txt", b"The weather is good.")
        assert status == 200 and str(tmp_path).encode() not in body
        (alias,) = json.loads(body)
        assert alias.startswith("/uploads/") and alias.endswith("/note.txt")
        document = fn_index(url, "translate_upload")
        file_data = {"path": alias, "meta": {"_type": "gradio.FileData"}, "orig_name": "note.txt"}
        _, messages = run_event(url, document, [file_data, "自动 Auto", False, "", "latency_optimized", ""])
        raw = json.dumps(messages)
        assert str(tmp_path) not in raw and "secret-user-home" not in raw
        result = _completed(messages)["output"]["data"]
        assert result[0] == "完成 Done: note.txt"
        download = result[1]
        assert download["path"].startswith("/uploads/") and download["url"].endswith("/note.zh-Hans.txt")
        status, content = request(download["url"])
        assert (status, content) == (200, b"<The weather is good.>")
        # the alias names nothing outside the upload folder, and a text that mentions it is left alone
        status, _ = request(url + "/gradio_api/file=/uploads/../../secret-user-home/api_keys.sqlite3")
        assert status in (403, 404)
        translate = fn_index(url, "translate")
        _, messages = run_event(url, translate, ["See /uploads/x/y.txt for details.", "zh"])
        assert _completed(messages)["output"]["data"] == ["<See /uploads/x/y.txt for details.>"]
