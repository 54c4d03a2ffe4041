"""The LibreTranslate-compatible REST API, over HTTP against ``python app.py`` with the tiny models.

The first group ports what LibreTranslate's own API tests check (its ``tests/test_api/``:
translate, batch, unsupported target, missing ``q``, detect, languages, frontend settings,
spec, health, wrong HTTP methods), adapted from ``es`` to ``zh``; the tests are written
here from what they check. Then the official client ``libretranslatepy``, unmodified;
then our extensions, files, and hostile input.
"""

from __future__ import annotations

import io
import json
import threading
import time

import httpx
import pytest

from tests.app_server import running_app
from tests.fixtures.articles import EN_ARTICLE, EN_OF_ZH_ARTICLE, ZH_ARTICLE, ZH_OF_EN_ARTICLE

pytestmark = pytest.mark.slow

LIMITS = dict(
    BILINGUAL_CHAR_LIMIT="5000",
    BILINGUAL_BATCH_LIMIT="50",
    BILINGUAL_FILE_LIMIT_MB="1",
    BILINGUAL_ALTERNATIVES_LIMIT="2",
    BILINGUAL_FILE_RETENTION="600",
)


@pytest.fixture(scope="module")
def url(tiny_zh_en, tiny_en_zh, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("rest"), (tiny_zh_en, tiny_en_zh), **LIMITS) as address:
        yield address


@pytest.fixture(scope="module")
def http(url):
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client


# -- LibreTranslate's API tests, ported ---------------------------------------------------------


def test_translate_form(http):
    response = http.post("/translate", data={"q": "天气很好。", "source": "zh", "target": "en", "format": "text"})
    assert response.status_code == 200
    assert response.json() == {"translatedText": "The weather is good."}


def test_translate_batch(http):
    response = http.post("/translate", json={"q": ["天气很好。", "谢谢。"], "source": "zh", "target": "en"})
    assert response.status_code == 200
    assert response.json() == {"translatedText": ["The weather is good.", "Thank you."]}


def test_translate_unsupported_target(http):
    response = http.post("/translate", data={"q": "Hello", "source": "en", "target": "zz"})
    assert response.status_code == 400
    assert response.json() == {"error": "zz is not supported"}


@pytest.mark.parametrize("missing", ["q", "source", "target"])
def test_translate_missing_parameter(http, missing):
    fields = {"q": "Hello", "source": "en", "target": "zh"}
    del fields[missing]
    response = http.post("/translate", data=fields)
    assert response.status_code == 400
    assert response.json() == {"error": f"Invalid request: missing {missing} parameter"}


def test_detect(http):
    response = http.post("/detect", data={"q": "两江新区签署了合作协议。"})
    assert response.status_code == 200
    (best,) = response.json()
    assert best["language"] == "zh-Hans" and 0 < best["confidence"] <= 100


def test_detect_without_parameters(http):
    response = http.post("/detect")
    assert response.status_code == 400
    assert "error" in response.json()


def test_languages(http):
    response = http.get("/languages")
    assert response.status_code == 200
    # LibreTranslate 1.9's entries (its Argos models' names; every language a target of each, itself
    # included), plus the Traditional targets with Taiwan and Hong Kong usage
    targets = ["en", "zh-Hans", "zh-Hant", "zh-TW", "zh-HK"]
    assert response.json() == [
        {"code": "en", "name": "English", "targets": targets},
        {"code": "zh-Hans", "name": "Chinese", "targets": targets},
        {"code": "zh-Hant", "name": "Chinese (traditional)", "targets": targets},
    ]


def test_frontend_settings(http):
    response = http.get("/frontend/settings")
    assert response.status_code == 200
    settings = response.json()
    assert settings["charLimit"] == 5000 and settings["keyRequired"] is False
    assert settings["supportedFilesFormat"] == [".txt", ".html", ".htm", ".docx", ".pptx", ".xlsx", ".odt", ".odp", ".srt", ".md", ".markdown",
                                                ".epub", ".pdf", ".xlf", ".xliff"]


def test_spec_and_docs(http):
    spec = http.get("/spec")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/translate", "/detect", "/languages", "/translate_file", "/summarize"} <= set(paths)
    assert http.get("/docs").status_code == 200


def test_health(http):
    assert http.get("/health").json()["status"] == "ok"


# -- the official client, unmodified -------------------------------------------------------------


def test_libretranslatepy(url):
    from libretranslatepy import LibreTranslateAPI

    lt = LibreTranslateAPI(url)
    assert lt.translate(ZH_ARTICLE, "zh", "en") == EN_OF_ZH_ARTICLE
    assert lt.translate(EN_ARTICLE, "en", "zh") == ZH_OF_EN_ARTICLE
    assert lt.translate("谢谢。", "auto", "en") == "Thank you."
    assert lt.detect("The weather is good.")[0]["language"] == "en"
    assert [lang["code"] for lang in lt.languages()] == ["en", "zh-Hans", "zh-Hant"]
    # keys are not required here: a key is ignored, as LibreTranslate does (several clients always send one)
    assert LibreTranslateAPI(url, api_key="not-a-key").translate("谢谢。", "zh", "en") == "Thank you."


# -- fields beyond the basics --------------------------------------------------------------------


def test_auto_source_reports_the_detected_language(http):
    single = http.post("/translate", json={"q": "谢谢。", "source": "auto", "target": "en"}).json()
    assert single["translatedText"] == "Thank you."
    assert single["detectedLanguage"]["language"] == "zh-Hans"
    assert 0 < single["detectedLanguage"]["confidence"] <= 100
    batch = http.post("/translate", json={"q": ["谢谢。", "Thank you."], "source": "auto", "target": "zh"}).json()
    assert batch["translatedText"] == ["谢谢。", "谢谢。"]
    assert [d["language"] for d in batch["detectedLanguage"]] == ["zh-Hans", "en"]


@pytest.mark.parametrize("source", ["zh", "zh-Hans", "zh-CN", "zh-Hant", "Chinese", "cmn"])
def test_source_aliases(http, source):
    response = http.post("/translate", json={"q": "天气很好。", "source": source, "target": "en"})
    assert response.json() == {"translatedText": "The weather is good."}


def test_traditional_chinese(http):
    body = {"q": "The weather is good. Thank you.", "source": "en", "target": "zh-Hant"}
    assert http.post("/translate", json=body).json() == {"translatedText": "天氣很好。謝謝。"}
    assert http.post("/translate", json={**body, "target": "zh-TW"}).json() == {"translatedText": "天氣很好。謝謝。"}
    traditional = http.post("/translate", json={"q": "兩江新區簽署了合作協議。", "source": "auto", "target": "en"}).json()
    assert traditional["translatedText"] == "Liangjiang New Area signed a cooperation agreement."
    assert traditional["detectedLanguage"]["language"] == "zh-Hant"
    assert http.post("/detect", data={"q": "兩江新區簽署了合作協議。"}).json()[0]["language"] == "zh-Hant"
    # between the scripts: converted, no model
    convert = {"q": "鼠标和软件", "source": "zh", "target": "zh-TW"}
    assert http.post("/translate", json=convert).json() == {"translatedText": "滑鼠和軟體"}


def test_detail_gives_segments_with_confidence_and_flags(http):
    body = {"q": "WTPF签署了12万份协议。天气很好。", "source": "zh", "target": "en", "detail": True}
    answer = http.post("/translate", json=body).json()
    (paragraph,) = answer["segments"]
    bad, good = paragraph
    assert bad["source"] == "WTPF签署了12万份协议。" and {"numbers", "names"} <= {f["code"] for f in bad["flags"]}
    assert good == {"source": "天气很好。", "target": "The weather is good.", "confidence": good["confidence"],
                    "flags": [], "origin": "model", "hints": []}
    assert good["confidence"] > 0.9 > bad["confidence"]
    assert answer["translatedText"] == " ".join(s["target"] for s in paragraph)
    form = http.post("/translate", data={"q": "天气很好。", "source": "zh", "target": "en", "detail": "true"}).json()
    assert form["segments"][0][0]["target"] == "The weather is good."


def test_glossaries(http):
    body = {"q": "代表团访问了重庆。", "source": "zh", "target": "en"}
    expected = {"translatedText": "The delegation visited Chongqing Municipality."}
    assert http.post("/translate", json={**body, "glossary": {"重庆": "Chongqing Municipality"}}).json() == expected
    assert http.post("/translate", json={**body, "glossary": [["重庆", "Chongqing Municipality"]]}).json() == expected
    assert http.post("/translate", data={**body, "glossary": "重庆\tChongqing Municipality"}).json() == expected
    stored = http.post("/glossaries", json={"entries": "重庆\tChongqing Municipality\n两江新区\tLJNA"}).json()
    assert stored["entries"] == 2 and len(stored["id"]) >= 16
    assert http.post("/translate", json={**body, "glossary": stored["id"]}).json() == expected
    html = {**body, "q": "<p>代表团访问了重庆。</p>", "format": "html", "glossary": {"重庆": "Chongqing Municipality"}}
    assert http.post("/translate", json=html).json() == {
        "translatedText": "<p>The delegation visited Chongqing Municipality.</p>"}
    bad = http.post("/translate", json={**body, "glossary": "重庆"})
    assert bad.status_code == 400 and "no second column" in bad.json()["error"]
    assert http.post("/translate", json={**body, "glossary": 5}).status_code == 400
    assert http.post("/glossaries", json={}).json() == {"error": "Invalid request: missing entries parameter"}
    assert http.get("/glossaries").status_code == 405


def test_alternatives(http, tiny_translator_ct2):
    body = {"q": "The weather is good.", "source": "en", "target": "zh", "alternatives": 2}
    answer = http.post("/translate", json=body).json()
    assert answer["translatedText"] == "天气很好。"
    # the server runs the default backend (CTranslate2): the same hypotheses as in-process
    assert answer["alternatives"] == tiny_translator_ct2.alternatives("The weather is good.", 2, "zh")
    assert 1 <= len(answer["alternatives"]) <= 2 and "天气很好。" not in answer["alternatives"]
    too_many = http.post("/translate", json={**body, "alternatives": 3})
    assert too_many.status_code == 400 and "exceeds the limit (2)" in too_many.json()["error"]


def test_html_keeps_markup_and_skips_code(http):
    markup = (
        '<html><head><title>Thank you.</title></head><body><h1>The weather is good.</h1>'
        '<p>The delegation visited <b>Chongqing</b>.</p><pre>The weather is good.</pre>'
        '<p class="notranslate">Thank you.</p><p translate="no">Thank you.</p>'
        '<img src="a.png" alt="Thank you."><code>Thank you.</code></body></html>'
    )
    answer = http.post("/translate", json={"q": markup, "source": "en", "target": "zh", "format": "html"}).json()
    assert answer["translatedText"] == (
        '<html lang="zh-Hans"><head><title>谢谢。</title></head><body><h1>天气很好。</h1>'
        '<p>代表团访问了<b>重庆</b>。</p><pre>The weather is good.</pre>'
        '<p class="notranslate">Thank you.</p><p translate="no">Thank you.</p>'
        '<img alt="谢谢。" src="a.png"/><code>Thank you.</code></body></html>'
    )


def test_summarize(http):
    article = (
        "The city council approved a plan on Tuesday to rebuild the old harbour district. "
        "The plan includes new housing for twelve thousand residents and a riverside park. "
        "Critics said the budget was too small for a project of this size."
    )
    answer = http.post("/summarize", data={"q": article, "method": "extractive", "sentences": "1"}).json()
    assert answer == {
        "summary": "The city council approved a plan on Tuesday to rebuild the old harbour district.",
        "method": "extractive",
    }
    assert http.post("/summarize", data={"q": article}).json()["method"] == "extractive"  # no abstractive model
    bad = http.post("/summarize", data={"q": article, "method": "magic"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("Invalid request: method must be one of")


def test_missing_model_is_503_with_the_fix(tmp_path, tiny_zh_en):
    with running_app(tmp_path, (tiny_zh_en, tmp_path / "no-such-model")) as address:
        response = httpx.post(address + "/translate", json={"q": "Thank you.", "source": "en", "target": "zh"},
                              timeout=60)
        assert response.status_code == 503
        message = response.json()["error"]
        assert "BILINGUAL_MODEL_EN_ZH" in message and str(tmp_path) not in message
        # the other direction still works
        ok = httpx.post(address + "/translate", json={"q": "谢谢。", "source": "zh", "target": "en"}, timeout=60)
        assert ok.json() == {"translatedText": "Thank you."}


# -- files ---------------------------------------------------------------------------------------


def test_translate_file_txt_round_trip(http):
    upload = {"file": ("新闻 稿.txt", ZH_ARTICLE.encode("utf-8"), "text/plain")}
    answer = http.post("/translate_file", data={"source": "auto", "target": "en"}, files=upload)
    assert answer.status_code == 200, answer.text
    link = answer.json()["translatedFileUrl"]
    name = link.rsplit("/", 1)[1]
    token, rest = name.split(".", 1)
    assert len(token) == 32 and rest == "translation.en.txt"  # unguessable; unusual names replaced
    download = httpx.get(link, timeout=30)
    assert download.status_code == 200
    assert download.text == EN_OF_ZH_ARTICLE
    assert "attachment" in download.headers["content-disposition"]


def test_translate_file_html(http):
    page = "<html><body><p>Thank you.</p></body></html>".encode()
    answer = http.post("/translate_file", data={"source": "en", "target": "zh"},
                       files={"file": ("page.html", page, "text/html")}).json()
    assert httpx.get(answer["translatedFileUrl"]).text == '<html lang="zh-Hans"><body><p>谢谢。</p></body></html>'


def test_translate_file_docx_bilingual_and_pdf(http):
    from docx import Document

    from tests.test_documents import PDF_LINES, PDF_ZH, _docx, _pdf, _zip_bomb

    upload = {"file": ("新闻稿 release.docx", _docx(), "application/octet-stream")}
    answer = http.post("/translate_file", data={"source": "en", "target": "zh", "bilingual": "true"}, files=upload)
    assert answer.status_code == 200, answer.text
    link = answer.json()["translatedFileUrl"]
    assert link.endswith(".release.zh-Hans.bilingual.docx")
    result = Document(io.BytesIO(httpx.get(link).content))
    assert [p.text for p in result.paragraphs[:2]] == ["The weather is good.", "天气很好。"]
    as_pdf = http.post("/translate_file", data={"source": "auto", "target": "zh"},
                       files={"file": ("report.pdf", _pdf(PDF_LINES), "application/pdf")}).json()
    assert as_pdf["translatedFileUrl"].endswith(".report.zh-Hans.pdf")  # a PDF stays a PDF
    side = http.post("/translate_file", data={"source": "auto", "target": "zh", "layout": "side"},
                     files={"file": ("report.pdf", _pdf(PDF_LINES), "application/pdf")}).json()
    assert side["translatedFileUrl"].endswith(".report.zh-Hans.bilingual.pdf")
    from pypdf import PdfReader

    (wide,) = PdfReader(io.BytesIO(httpx.get(side["translatedFileUrl"]).content)).pages
    (page,) = PdfReader(io.BytesIO(_pdf(PDF_LINES))).pages
    assert float(wide.mediabox.width) == 2 * float(page.mediabox.width)  # the page and its translation, on one
    pdf = http.post("/translate_file", data={"source": "auto", "target": "zh", "output": "docx"},
                    files={"file": ("report.pdf", _pdf(PDF_LINES), "application/pdf")}).json()
    assert pdf["translatedFileUrl"].endswith(".report.zh-Hans.docx")
    assert [p.text for p in Document(io.BytesIO(httpx.get(pdf["translatedFileUrl"]).content)).paragraphs] == PDF_ZH
    from tests.test_spreadsheets import _plain_workbook

    sheets = {"file": ("list.xlsx", _plain_workbook(), "application/octet-stream")}
    beside = http.post("/translate_file", data={"source": "en", "target": "zh", "layout": "side"}, files=sheets)
    assert beside.status_code == 200 and beside.json()["translatedFileUrl"].endswith(".list.zh-Hans.bilingual.xlsx")
    assert [w for w in beside.json()["warnings"] if "'Report'" in w]  # that sheet kept the in-cell layout
    wrong = http.post("/translate_file", data={"source": "en", "target": "zh", "layout": "diagonal"}, files=sheets)
    assert wrong.status_code == 400 and "layout" in wrong.json()["error"]
    bomb = http.post("/translate_file", data={"source": "en", "target": "zh"},
                     files={"file": ("bomb.docx", _zip_bomb(), "application/octet-stream")})
    assert bomb.status_code == 400 and "zip bomb" in bomb.json()["error"]


@pytest.mark.parametrize(
    "name",
    ["0123456789abcdefghijklmnopqrstuv.x.txt", "..%2F..%2Fetc%2Fpasswd", "nothing.txt", "%2e%2e"],
)
def test_download_only_serves_stored_files(http, name):
    response = http.get(f"/download_file/{name}")
    assert response.status_code == 404
    assert "root:" not in response.text


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", bytes(range(256)) * 4, "not text in UTF-8"),
        ("latin1.txt", "café olé".encode("latin-1"), "not text in UTF-8"),
        ("report.exe", b"MZ\x90\x00", "file format not supported"),
        ("noextension", b"Thank you.", "file format not supported"),
    ],
)
def test_bad_files_get_clear_400s(http, filename, content, message):
    response = http.post("/translate_file", data={"source": "en", "target": "zh"},
                         files={"file": (filename, content, "application/octet-stream")})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_translate_file_missing_fields(http):
    assert http.post("/translate_file", data={"source": "en", "target": "zh"}).json() == {
        "error": "Invalid request: missing file parameter"
    }
    response = http.post("/translate_file", data={"target": "zh"}, files={"file": ("a.txt", b"Thank you.")})
    assert response.json() == {"error": "Invalid request: missing source parameter"}


# -- hostile input: each a clear 4xx JSON error within a second, the server unharmed ----------------


def _timed(call):
    start = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - start
    return response, elapsed


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b"[1, 2]", "application/json", 400, "must be an object"),
        (b'{"q": 5, "source": "en", "target": "zh"}', "application/json", 400, "q must be a string"),
        (b'{"q": null, "source": "en", "target": "zh"}', "application/json", 400, "missing q parameter"),
        (b'{"q": {"a": 1}, "source": "en", "target": "zh"}', "application/json", 400, "q must be a string"),
        (b'{"q": ["a", 5], "source": "en", "target": "zh"}', "application/json", 400, "q must be a string"),
        (b'{"q": "a", "source": 3, "target": "zh"}', "application/json", 400, "language codes must be strings"),
        (b'{"q": "a", "source": "en", "target": "zh", "format": "pdf"}', "application/json", 400,
         "pdf format is not supported"),
        (b'{"q": "a", "source": "en", "target": "zh", "alternatives": "many"}', "application/json", 400,
         "alternatives must be a whole number"),
        (json.dumps({"q": [""] * 51, "source": "en", "target": "zh"}).encode(), "application/json", 400,
         "request (51) exceeds text limit (50)"),
        (json.dumps({"q": ["x" * 3000, "y" * 3000], "source": "en", "target": "zh"}).encode(), "application/json",
         400, "request (6000) exceeds text limit (5000)"),
        (b"q=\xff\xfe&source=en&target=zh", "application/x-www-form-urlencoded", 400, "in UTF-8"),
    ],
)
def test_malformed_requests(http, body, content_type, status, message):
    response, elapsed = _timed(lambda: http.post("/translate", content=body, headers={"Content-Type": content_type}))
    assert response.status_code == status
    assert message in response.json()["error"]
    assert elapsed < 1.0


def test_unsupported_source_text_is_400(http):
    response = http.post("/translate", json={"q": "서울은 한국의 수도입니다", "source": "auto", "target": "en"})
    assert response.status_code == 400
    assert "Korean" in response.json()["error"]


def test_three_million_empty_strings_are_refused_early(http):
    body = b'{"source": "en", "target": "zh", "q": [' + b'"",' * 2_999_999 + b'""]}'
    response, elapsed = _timed(lambda: http.post("/translate", content=body,
                                                 headers={"Content-Type": "application/json"}))
    assert response.status_code == 413
    assert "larger than this server accepts" in response.json()["error"]
    assert elapsed < 1.0


def test_fifty_megabyte_body_is_refused_before_it_is_read(url):
    # declared length over the limit: answered at once, without sending the body
    with httpx.Client(timeout=10) as client:
        response, elapsed = _timed(lambda: client.post(
            url + "/translate", content=b"x" * (50 * 1024 * 1024), headers={"Content-Type": "application/json"}))
    assert response.status_code == 413 and elapsed < 1.0


def test_huge_chunked_upload_is_cut_off(url):
    sent = 0

    def chunks():  # 300 MB without a Content-Length, never held in memory here
        nonlocal sent
        block = b"a" * (1024 * 1024)
        for _ in range(300):
            sent += len(block)
            yield block

    start = time.perf_counter()
    try:
        response = httpx.post(url + "/translate_file", content=chunks(), timeout=30,
                              headers={"Content-Type": "multipart/form-data; boundary=x"})
        assert response.status_code == 413
    except httpx.HTTPError:
        pass  # the server may close the connection while we are still sending: also a refusal
    assert time.perf_counter() - start < 5.0
    assert sent < 100 * 1024 * 1024


def test_server_is_unharmed_after_the_abuse(http):
    assert http.get("/health").status_code == 200
    assert http.post("/translate", json={"q": "谢谢。", "source": "zh", "target": "en"}).json() == {
        "translatedText": "Thank you."
    }


def test_security_headers(http):
    response = http.get("/languages")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert http.get("/").headers["x-frame-options"] == "DENY"


def test_no_cors_by_default(http):
    response = http.post("/translate", json={"q": "谢谢。", "source": "zh", "target": "en"},
                         headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_health_answers_while_translations_run(http, url):
    stop = time.monotonic() + 3
    failures = []

    def load():
        with httpx.Client(base_url=url, timeout=60) as client:
            while time.monotonic() < stop:
                r = client.post("/translate", json={"q": ZH_ARTICLE, "source": "zh", "target": "en"})
                if r.status_code != 200:
                    failures.append(r.status_code)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    slowest = 0.0
    while time.monotonic() < stop:
        response, elapsed = _timed(lambda: http.get("/health"))
        assert response.status_code == 200
        slowest = max(slowest, elapsed)
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert not failures
    assert slowest < 1.0


# -- the requests real clients send, reproduced from their source ---------------------------------


def _form(**fields) -> tuple[bytes, dict]:
    from urllib.parse import urlencode

    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def test_weblate_machinery(http):
    """weblate/machinery/libretranslate.py: the codes of GET /languages, then a form POST whose
    ``api_key`` requests leaves out when unset, with Weblate's ``zh_Hans`` mapped to ``zh``."""
    codes = [x["code"] for x in http.get("/languages").json()]
    assert {"en", "zh-Hans", "zh-Hant"} <= set(codes)
    body, headers = _form(q="天气很好。", source="zh", target="en")
    assert http.post("/translate", content=body, headers=headers).json() == {"translatedText": "The weather is good."}
    body, headers = _form(api_key="any-key", q="The weather is good.", source="en", target="zh_Hant")
    assert http.post("/translate", content=body, headers=headers).json() == {"translatedText": "天氣很好。"}


def test_mastodon(http):
    """app/lib/translation_service/libre_translate.rb: JSON with format html, ``source`` auto when the
    post's language is unknown, and ``api_key`` null when none is configured."""
    body = {"q": "<p>天气很好。</p>", "source": "auto", "target": "en", "format": "html", "api_key": None}
    answer = http.post("/translate", content=json.dumps(body), headers={"Content-Type": "application/json"}).json()
    assert answer["translatedText"] == "<p>The weather is good.</p>"
    assert answer["detectedLanguage"]["language"] == "zh-Hans"
    body = {"q": ["<p>天气很好。</p>", "<p>谢谢。</p>"], "source": "zh", "target": "en", "format": "html", "api_key": ""}
    answer = http.post("/translate", json=body).json()
    assert answer == {"translatedText": ["<p>The weather is good.</p>", "<p>Thank you.</p>"]}


def test_discourse_translator(http):
    """discourse-translator's LibreTranslate provider: a urlencoded POST /detect with ``api_key``
    written bare when unset (``URI.encode_www_form``), then /languages, then /translate with the
    detected code as ``source`` and format html."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    detected = http.post("/detect", content="q=%E8%B0%A2%E8%B0%A2%E3%80%82&api_key", headers=headers).json()
    source = detected[0]["language"]
    assert source == "zh-Hans" and source in [x["code"] for x in http.get("/languages").json()]
    body, headers = _form(q="谢谢。", source=source, target="en", format="html", api_key="")
    assert http.post("/translate", content=body, headers=headers).json() == {"translatedText": "Thank you."}


def test_subtitle_edit(http):
    """SubtitleEdit's LibreTranslate.cs: a JSON body it writes by hand, ``zt`` for Traditional Chinese."""
    content = '{"q": "The weather is good.", "source": "en", "target": "zt"}'.encode()
    answer = http.post("/translate", content=content, headers={"Content-Type": "application/json; charset=utf-8",
                                                               "accept": "application/json"})
    assert answer.json() == {"translatedText": "天氣很好。"}


def test_parameters_in_the_query_string(http):
    """Clients that put every field in the URL of a POST (LibreTranslate reads request.values), and CAT-tool
    plugins that GET /translate."""
    answer = http.post("/translate?q=%E8%B0%A2%E8%B0%A2%E3%80%82&source=zh&target=en")
    assert answer.json() == {"translatedText": "Thank you."}
    answer = http.get("/translate", params={"q": "天气很好。", "source": "ZH-cn", "target": "EN"})
    assert answer.json() == {"translatedText": "The weather is good."}
    assert http.get("/no-such-route").json() == {"error": "Not Found: see /docs for this server's routes"}


def test_suggestions_go_into_the_memory_and_come_back(http):
    """LibreTranslate's /suggest, used: the next translation of that sentence is the person's (this server
    runs on loopback, where suggestions are on by default)."""
    body = {"q": "游客喜欢这里的美食。谢谢。", "source": "zh", "target": "en"}
    assert http.post("/translate", json=body).json() == {"translatedText": "Tourists like the food here. Thank you."}
    assert http.get("/frontend/settings").json()["suggestions"] is True
    suggestion = {"q": "游客喜欢这里的美食。", "s": "Visitors love the local food.", "source": "zh", "target": "en"}
    assert http.post("/suggest", data=suggestion).json() == {"success": True}
    answer = http.post("/translate", json={**body, "detail": True}).json()
    assert answer["translatedText"] == "Visitors love the local food. Thank you."
    assert [s["origin"] for s in answer["segments"][0]] == ["memory", "model"]
