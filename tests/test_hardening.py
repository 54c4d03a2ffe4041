"""The third hardening pass: the server's doors, over real HTTP, with the whole app in process and a fake backend.

Each test reproduces a finding of the probe (see the README's threat model) and fails without its fix.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.parse

import pytest

from bilingual.keys import KeyStore
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
            _, messages = run_event(url, document, [file_data, "自动 Auto", False, ""])
            shown = json.dumps(_completed(messages), ensure_ascii=False)
            assert "0000" not in shown and "launch" not in shown
            _, messages = run_event(url, glossary, [file_data, ""])
            shown = json.dumps(_completed(messages), ensure_ascii=False)
            assert "0000" not in shown and "launch" not in shown
            assert _completed(messages)["success"] is False

        # a real upload is translated, and a glossary file fills the box
        status, body = upload(url, "note.txt", "The weather is good.".encode())
        assert status == 200
        (path,) = json.loads(body)
        file_data = {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "note.txt"}
        _, messages = run_event(url, document, [file_data, "自动 Auto", False, ""])
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


def _docx(paragraphs: list[str]) -> bytes:
    import io

    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _lying_zip(data: bytes, name: str, payload_size: int, declared: int) -> bytes:
    """``data`` (a zip) plus a member ``name`` of ``payload_size`` zero bytes whose headers declare
    ``declared`` bytes, with the CRC of that prefix: it reads back 'correctly' as the short member."""
    import io
    import struct
    import zipfile
    import zlib

    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"\0" * payload_size)
    raw = bytearray(out.getvalue())
    crc = zlib.crc32(b"\0" * declared)
    encoded = name.encode()
    at = 0
    while True:  # the member's local header
        at = raw.find(b"PK\x03\x04", at)
        if raw[at + 30: at + 30 + len(encoded)] == encoded:
            break
        at += 4
    struct.pack_into("<I", raw, at + 14, crc)
    struct.pack_into("<I", raw, at + 22, declared)
    at = raw.find(b"PK\x01\x02")
    while raw[at + 46: at + 46 + len(encoded)] != encoded:  # its central directory entry
        at = raw.find(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", raw, at + 16, crc)
    struct.pack_into("<I", raw, at + 24, declared)
    return bytes(raw)


def _translator(tmp_path):
    from bilingual import Settings, Translator
    from tests.fakes import fake_factory

    return Translator(Settings(home=str(tmp_path), cache=False, offline=True), backend_factory=fake_factory([]))


def test_a_zip_directory_that_lies_is_not_believed(tmp_path):
    """High 2: a member declaring 4 KB that inflates to 400 MB costs only what was counted."""
    import io
    import tracemalloc
    import zipfile

    from bilingual.documents import translate_content
    from bilingual.documents.archive import read_package

    hostile = _lying_zip(_docx(["The weather is good."]), "word/media/blob.bin", 400 * 1024 * 1024, 4096)
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

    hostile = _lying_zip(_docx(["The weather is good."]), "word/media/blob.bin", 50 * 1024 * 1024, 4096)
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
    import threading

    from bilingual.documents import translate_content
    from bilingual.errors import InputTooLargeError, ServerBusyError
    from bilingual.work import MemoryBudget

    budget = MemoryBudget(150 * 1024 * 1024, wait_timeout=0.5)
    with pytest.raises(InputTooLargeError, match="BILINGUAL_MEMORY_BUDGET_MB"):
        translate_content(_translator(tmp_path), _docx(["Hi there."]), "a.docx", "zh", source="en", memory=budget)
    budget = MemoryBudget(1024 * 1024 * 1024, wait_timeout=0.5)
    held, release = threading.Event(), threading.Event()

    def hold():
        with budget.reserve(900 * 1024 * 1024):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(ServerBusyError):
            translate_content(_translator(tmp_path), _docx(["Hi there."]), "a.docx", "zh", source="en", memory=budget)
    finally:
        release.set()
        thread.join()
    translate_content(_translator(tmp_path), _docx(["Hi there."]), "a.docx", "zh", source="en", memory=budget)
    assert budget.used == 0 and budget.peak >= 900 * 1024 * 1024


def _shared_stream_pdf(pages: int, content_bytes: int) -> bytes:
    """A small PDF whose pages all draw one content stream of ``content_bytes`` (flate-compressed)."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    stream = DecodedStreamObject()
    line = b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n"
    stream.set_data(line * (content_bytes // len(line)))
    compressed = stream.flate_encode(level=9)
    reference = writer._add_object(compressed)
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Contents")] = reference
        page[NameObject("/Resources")] = resources
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_whose_pages_share_one_huge_stream_is_refused_in_time(tmp_path):
    """High 4: 15 pages pointing at one 74 MB stream took 102 s of CPU."""
    import time

    from bilingual.documents import translate_content
    from bilingual.errors import InputTooLargeError

    hostile = _shared_stream_pdf(15, 60 * 1024 * 1024)
    assert len(hostile) < 400_000
    started = time.perf_counter()
    with pytest.raises(InputTooLargeError, match="split it into smaller files"):
        translate_content(_translator(tmp_path), hostile, "paper.pdf", "zh", source="en")
    assert time.perf_counter() - started < 10
    # shared streams are counted at every use: 40 pages x 1 MB is past the document's content budget
    started = time.perf_counter()
    with pytest.raises(InputTooLargeError):
        translate_content(_translator(tmp_path), _shared_stream_pdf(40, 1024 * 1024), "p.pdf", "zh", source="en")
    assert time.perf_counter() - started < 10


def test_pdf_reading_stops_at_its_time_budget():
    from bilingual.documents.pdf import pdf_text
    from bilingual.errors import InputTooLargeError

    with pytest.raises(InputTooLargeError, match="longer than 0.05 s"):
        pdf_text(_shared_stream_pdf(4, 300_000), time_budget=0.05)


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


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

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
    from bilingual import Settings, Translator
    from bilingual.text import terms as terms_module
    from bilingual.translation.glossary import load_glossary
    from tests.fakes import fake_factory

    built = []
    original = terms_module.TermMatcher.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(terms_module.TermMatcher, "__init__", counting_init)
    glossary = load_glossary({f"term{n:05d}": f"术语{n}" for n in range(9_999)} | {"harbour": "港口"})
    translator = Translator(Settings(home=str(tmp_path), cache=False, offline=True), backend_factory=fake_factory([]))
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
