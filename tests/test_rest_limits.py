"""Keys, rate limits, wrong methods and the one work limit, in process: the real ASGI stack (REST routes,
the Gradio page mounted at /, the guard) over a fake backend (no model), driven with Starlette's TestClient."""

from __future__ import annotations

import io
import sqlite3
import threading
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from bilingual import Settings, Translator
from bilingual.cli import main as cli_main
from bilingual.config import ServiceSettings
from bilingual.errors import ServerBusyError
from bilingual.server import build
from bilingual.service.keys import KeyStore
from bilingual.service.work import WorkLimit
from tests.fakes import FakeBackend, fake_translator, slot_held


@pytest.fixture()
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture()
def fake_settings(home):
    return Settings(home=str(home), cache=False, offline=True)


def _app(settings, home, translator=None, page=True, **service):
    translator = translator or fake_translator(home)
    return build(replace(settings, home=str(home)), ServiceSettings(rate_window_s=1, **service), translator=translator,
                 page=page)


def _translate(client, key=None, text="谢谢。", **extra):
    body = {"q": text, "source": "zh", "target": "en", **extra}
    if key:
        body["api_key"] = key
    return client.post("/translate", json=body)


def test_required_keys(fake_settings, home):
    secret, _ = KeyStore(home / "api_keys.sqlite3").add(name="ann")
    with TestClient(_app(fake_settings, home, require_api_key=True, page=False)) as client:
        missing = _translate(client)
        assert missing.status_code == 400
        assert missing.json() == {"error": "Please contact the server operator to get an API key"}
        wrong = _translate(client, key="wrong")
        assert (wrong.status_code, wrong.json()) == (403, {"error": "Invalid API key"})
        assert _translate(client, key=secret).json() == {"translatedText": "<谢谢。>"}
        # as a bearer token too, and on every model route
        ok = client.post("/detect", data={"q": "谢谢。"}, headers={"Authorization": f"Bearer {secret}"})
        assert ok.status_code == 200
        assert client.post("/detect", data={"q": "谢谢。"}).status_code == 400
        # routes without work stay open
        assert client.get("/languages").status_code == 200
        assert client.get("/frontend/settings").json()["keyRequired"] is True


@pytest.mark.waits
def test_key_rate_limit_and_recovery(fake_settings, home):
    secret, _ = KeyStore(home / "api_keys.sqlite3").add(req_limit=2)
    with TestClient(_app(fake_settings, home, page=False)) as client:
        assert _translate(client, key=secret).status_code == 200
        assert _translate(client, key=secret).status_code == 200
        limited = _translate(client, key=secret)
        assert limited.status_code == 429
        assert limited.json() == {"error": "Slowdown: 2 per 1 second"}
        assert _translate(client).status_code == 200  # without the key: the server's default (unlimited)
        time.sleep(1.1)  # the window moves on
        assert _translate(client, key=secret).status_code == 200


def test_key_char_limit(fake_settings, home):
    secret, _ = KeyStore(home / "api_keys.sqlite3").add(char_limit=10)
    with TestClient(_app(fake_settings, home, page=False)) as client:
        assert _translate(client, key=secret, text="谢谢。").status_code == 200
        over = _translate(client, key=secret, text=["谢谢。", "天气很好。" * 2])
        assert over.status_code == 400
        assert over.json() == {"error": "Invalid request: request (13) exceeds text limit (10)"}


def test_files_have_their_own_limits_not_the_requests_text_limit(fake_settings, home):
    article = ("The weather is good. " * 10).encode()  # 210 characters
    secret, _ = KeyStore(home / "api_keys.sqlite3").add(char_limit=100)
    translator = fake_translator(home, max_document_chars=300)
    with TestClient(_app(fake_settings, home, translator, page=False, char_limit=50)) as client:
        assert _translate(client, text="The weather is good. " * 3).status_code == 400  # 63 > the request limit

        def upload(data, **fields):
            return client.post("/translate_file", data={"source": "en", "target": "zh", **fields},
                               files={"file": ("a.txt", data, "text/plain")})

        assert upload(article).status_code == 200  # a file: held to the documents' limit (300)
        over = upload(article * 2)
        assert over.status_code == 400 and "limit for documents of 300" in over.json()["error"]
        assert "BILINGUAL_MAX_DOCUMENT_CHARS" in over.json()["error"]
        keyed = upload(article, api_key=secret)  # a key's own character limit holds its files too
        assert keyed.status_code == 400 and "API key's limit" in keyed.json()["error"]


def test_address_rate_limit_without_key(fake_settings, home):
    secret, _ = KeyStore(home / "api_keys.sqlite3").add(req_limit=0)  # a key with no limit
    with TestClient(_app(fake_settings, home, req_limit=1, page=False)) as client:
        assert _translate(client).status_code == 200
        assert _translate(client).status_code == 429
        assert _translate(client, key=secret).status_code == 200
        assert _translate(client, key=secret).status_code == 200


def test_keys_are_stored_only_as_digests(home):
    store = KeyStore(home / "api_keys.sqlite3")
    secret, record = store.add(name="ann", req_limit=5)
    assert store.lookup(secret) == record
    assert store.lookup(secret + "x") is None
    raw = (home / "api_keys.sqlite3").read_bytes()
    assert secret.encode() not in raw
    rows = sqlite3.connect(home / "api_keys.sqlite3").execute("SELECT * FROM api_keys").fetchall()
    assert all(secret not in map(str, row) for row in rows)
    assert (home / "api_keys.sqlite3").stat().st_mode & 0o077 == 0


def test_keys_cli(home, monkeypatch):
    monkeypatch.setenv("BILINGUAL_HOME", str(home))
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["keys", "add", "--req-limit", "30", "--char-limit", "500", "--name", "newsroom"],
                    stdout=out, stderr=err) == 0
    secret = out.getvalue().strip()
    assert len(secret) >= 40 and "only time" in err.getvalue()
    listing = io.StringIO()
    assert cli_main(["keys", "list"], stdout=listing) == 0
    (key,) = KeyStore(home / "api_keys.sqlite3").list()
    assert key.id in listing.getvalue() and "newsroom" in listing.getvalue() and secret not in listing.getvalue()
    assert cli_main(["keys", "remove", key.id], stdout=io.StringIO()) == 0
    assert KeyStore(home / "api_keys.sqlite3").lookup(secret) is None
    err = io.StringIO()
    assert cli_main(["keys", "remove", key.id], stdout=io.StringIO(), stderr=err) == 1
    assert "No key with id" in err.getvalue()


def test_work_limit_unit():
    work = WorkLimit(1, 1, wait_timeout=5)
    waiter_done = threading.Event()

    def wait_for_slot():
        with work.slot():
            waiter_done.set()

    with slot_held(work):
        second = threading.Thread(target=wait_for_slot)
        second.start()
        deadline = time.monotonic() + 5
        while work.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (work.running, work.waiting) == (1, 1)
        with pytest.raises(ServerBusyError, match="busy"):
            with work.slot():
                pass
    second.join(5)
    assert waiter_done.is_set() and work.running == 0 and work.peak_running == 1


@pytest.mark.waits
def test_page_api_and_rest_share_one_work_limit(tmp_path):
    """Four jobs at once through two doors (REST and the page's Gradio API) on a server with one
    slot and one place in line: one runs, one waits, two are refused as busy; never two at once."""
    backends: list[FakeBackend] = []

    def factory(source, target, settings):
        backends.append(FakeBackend(f"fake-{source}-{target}", delay=0.6))
        return backends[-1]

    settings = Settings(home=str(tmp_path / "home"), cache=False, offline=True)
    translator = Translator(settings, backend_factory=factory)
    app = _app(settings, tmp_path / "home", translator=translator, workers=1, queue_size=1)
    results: list[str] = []
    lock = threading.Lock()

    with TestClient(app) as client:

        def refused(r) -> str:  # REST answers {"error": ...}; the page's API {"detail": ...}, as Gradio does
            said = r.json().get("error") or r.json().get("detail", "")
            return "busy" if r.status_code == 503 and "busy" in said else str(r.status_code)

        def rest(i):
            r = client.post("/translate", json={"q": f"Sentence {i}.", "source": "en", "target": "zh"})
            with lock:
                results.append(refused(r))

        def page(i):
            # refused at the door (503) when Gradio's own queue of one is full as it arrives (the other
            # page event not yet handed on), or later in its event stream by the work limit
            r = client.post("/gradio_api/call/translate", json={"data": [f"Sentence {i}.", "zh"]})
            if r.status_code != 200:
                with lock:
                    results.append(refused(r))
                return
            stream = client.get(f"/gradio_api/call/translate/{r.json()['event_id']}").text
            with lock:
                results.append("200" if "event: complete" in stream else "busy" if "busy" in stream else stream)

        threads = [threading.Thread(target=f, args=(i,)) for i, f in enumerate([rest, page, rest, page])]
        for t in threads:
            t.start()
            time.sleep(0.05)
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["running"] == 1
        for t in threads:
            t.join(30)
    assert sorted(results) == ["200", "200", "busy", "busy"], results
    assert app.work.peak_running == 1
    assert max(b.peak for b in backends) == 1


def test_cors_only_for_configured_origins(fake_settings, home):
    with TestClient(_app(fake_settings, home, cors_origins=("https://ext.example",), page=False)) as client:
        preflight = client.options("/translate", headers={"Origin": "https://ext.example",
                                                          "Access-Control-Request-Method": "POST"})
        assert preflight.headers["access-control-allow-origin"] == "https://ext.example"
        answer = client.post("/translate", json={"q": "谢谢。", "source": "zh", "target": "en"},
                             headers={"Origin": "https://ext.example"})
        assert answer.headers["access-control-allow-origin"] == "https://ext.example"
        other = client.post("/translate", json={"q": "谢谢。", "source": "zh", "target": "en"},
                            headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    with TestClient(_app(fake_settings, home, cors_origins=("*",), page=False)) as client:
        anyone = client.post("/detect", data={"q": "谢谢。"}, headers={"Origin": "moz-extension://abc"})
        assert anyone.headers["access-control-allow-origin"] == "*"


def test_page_uploads_refuse_other_sites_and_big_files(fake_settings, home):
    with TestClient(_app(fake_settings, home, file_limit_mb=1)) as client:
        files = {"files": ("a.txt", b"hello", "text/plain")}
        evil = client.post("/gradio_api/upload", files=files, headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403 and evil.json() == {"error": "Requests from other sites are not accepted here."}
        own = client.post("/gradio_api/upload", files=files, headers={"Origin": "http://testserver"})
        assert own.status_code == 200
        (stored,) = own.json()
        assert stored.startswith("/uploads/")  # named without the server path; kept in the home folder, private
        assert (home / "gradio" / stored.removeprefix("/uploads/")).is_file()
        assert (home / "gradio").stat().st_mode & 0o777 == 0o700
        big = client.post("/gradio_api/upload", files={"files": ("b.txt", b"x" * (2 * 1024 * 1024), "text/plain")})
        assert big.status_code == 413


def test_allowed_hosts(fake_settings, home):
    with TestClient(_app(fake_settings, home, allowed_hosts=("translate.example.org",))) as client:
        assert client.get("/languages").status_code == 400  # Host: testserver
        assert client.get("/languages", headers={"Host": "translate.example.org"}).status_code == 200
        assert client.get("/config", headers={"Host": "evil.example"}).status_code == 400


def test_page_login_covers_uploads_but_not_the_rest_api(fake_settings, home):
    app = build(replace(fake_settings, home=str(home)), ServiceSettings(rate_window_s=2), auth=[("ann", "s3cret")],
                translator=fake_translator(home))
    with TestClient(app) as client:
        upload = client.post("/gradio_api/upload", files={"files": ("a.txt", b"hello", "text/plain")})
        assert upload.status_code == 401
        assert _translate(client).json() == {"translatedText": "<谢谢。>"}  # REST: keys, not logins


WRONG_METHODS = [("GET", "/detect"), ("DELETE", "/translate"), ("POST", "/spec"), ("POST", "/languages"),
                 ("POST", "/health"), ("PUT", "/translate"), ("GET", "/translate_file"), ("POST", "/frontend/settings"),
                 ("DELETE", "/glossaries"), ("PATCH", "/summarize")]


def test_wrong_http_methods_are_405(fake_settings, home):
    with TestClient(_app(fake_settings, home, page=False)) as client:
        for method, path in WRONG_METHODS:
            response = client.request(method, path)
            assert (response.status_code, response.json()) == (405, {"error": "Method Not Allowed"}), (method, path)
            allowed = "GET, POST" if path == "/translate" else "GET" if method == "POST" else "POST"
            assert response.headers["allow"] == allowed, (method, path)


def test_fields_are_read_with_libretranslates_precedence(fake_settings, home):
    """A form POST is read as Flask's request.values (the query string first, then the form); a JSON
    body alone, the query string filling in only what it lacks. zh -> zh-Hant needs no model."""
    with TestClient(_app(fake_settings, home, page=False)) as client:
        form = client.post("/translate?target=zh-Hant", data={"q": "谢谢。", "source": "zh", "target": "en"})
        assert form.json() == {"translatedText": "謝謝。"}
        body = {"q": "谢谢。", "source": "zh", "target": "en"}
        assert client.post("/translate?target=zh-Hant", json=body).json() == {"translatedText": "<谢谢。>"}
        assert client.post("/translate?target=zh-Hant", json={"q": "谢谢。", "source": "zh"}).json() == {
            "translatedText": "謝謝。"}
        multipart = client.post("/translate?source=zh", files={"q": (None, "谢谢。"), "target": (None, "en")})
        assert multipart.json() == {"translatedText": "<谢谢。>"}
        assert client.get("/translate?q=%E8%B0%A2%E8%B0%A2%E3%80%82&source=zh&target=en").json() == {
            "translatedText": "<谢谢。>"}


def test_chinese_codes_in_any_case(fake_settings, home):
    """LibreTranslate's zh (zh-Hans) and zt (zh-Hant), and the tags clients send, in any case; zh -> zh needs
    no model, so the script conversion shows which one was understood."""
    traditional = {"zt": "臺灣的軟件", "ZT": "臺灣的軟件", "zh-Hant": "臺灣的軟件", "ZH-HANT": "臺灣的軟件",
                   "zh_hant": "臺灣的軟件", "zh-TW": "臺灣的軟體", "zh-tw": "臺灣的軟體", "zh-HK": "台灣的軟件",
                   "Zh-Hk": "台灣的軟件"}
    with TestClient(_app(fake_settings, home, page=False)) as client:
        for code, expected in traditional.items():
            answer = client.post("/translate", json={"q": "台湾的软件", "source": "zh", "target": code}).json()
            assert answer == {"translatedText": expected}, code
        for code in ("zh", "ZH", "zh-Hans", "zh-CN", "zh_cn", "ZH-HANS"):
            answer = client.post("/translate", json={"q": "臺灣的軟體", "source": "zh-Hant", "target": code}).json()
            assert answer == {"translatedText": "台湾的软体"}, code


def test_a_key_is_ignored_where_keys_are_not_required(fake_settings, home):
    KeyStore(home / "api_keys.sqlite3").add(name="ann")
    with TestClient(_app(fake_settings, home, page=False)) as client:
        for key in ("", "not-a-key", None):
            assert _translate(client, key=key).json() == {"translatedText": "<谢谢。>"}
        assert client.post("/translate", json={"q": "谢谢。", "source": "zh", "target": "en", "api_key": 5}).json() == {
            "translatedText": "<谢谢。>"}


def test_unknown_routes_answer_404_in_libretranslates_shape(fake_settings, home):
    with TestClient(_app(fake_settings, home)) as client:
        for method, path in (("GET", "/v2/translate"), ("POST", "/translate/extra"), ("PUT", "/nothing")):
            answer = client.request(method, path)
            assert (answer.status_code, answer.json()) == (404, {"error": "Not Found: see /docs for this server's routes"})
            assert int(answer.headers["content-length"]) == len(answer.content)
        assert client.get("/").status_code == 200  # the page is still there
