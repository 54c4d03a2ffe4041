"""The translation memory: people's translations before the model, hints, /suggest, the page, TMX.

Over the fake backend (it "translates" by tagging: ``<sentence>``), so what came from the model
and what from the memory is plain; the tiny models' end-to-end runs are in test_rest.py and
test_web.py.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual import Settings, Translator
from bilingual.config import ServiceSettings
from bilingual.errors import InputTooLargeError, InvalidInputError, QuotaExceededError
from bilingual.server import build
from bilingual.service.keys import KeyStore
from bilingual.translation.memory import MAX_CHARS, TranslationMemory, memory_key
from bilingual.translation.tmx import read_tmx, write_tmx
from tests.fakes import fake_factory, fake_translator
from tests.growth import assert_linear_time


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def _segments(doc):
    return [(s.source, s.target, s.confidence, s.origin) for p in doc.paragraphs for s in p]


# -- the translator --------------------------------------------------------------------------------


def test_a_remembered_sentence_comes_from_the_memory_not_the_model(home):
    record: list = []
    translator = fake_translator(home, record=record)
    translator.memory.add("天气很好。", "Lovely weather.", "zh", "en")
    doc = translator.translate_document("天气很好。谢谢。\n\n谢谢。", "en")
    assert _segments(doc) == [("天气很好。", "Lovely weather.", 1.0, "memory"), ("谢谢。", "<谢谢。>", 1.0, "model"),
                              ("谢谢。", "<谢谢。>", 1.0, "model")]
    assert doc.text == "Lovely weather. <谢谢。>\n\n<谢谢。>"
    sent = [t for backend in record for batch in backend.batches for t in batch]
    assert "天气很好。" not in sent and "谢谢。" in sent  # the remembered sentence never reached the model


def test_the_same_sentence_is_found_across_scripts_and_white_space(home):
    translator = fake_translator(home)
    translator.memory.add("天氣很好。", "Lovely weather.", "zh", "en")  # stored in Traditional
    assert translator.translate("天气很好。", "en") == "Lovely weather."
    translator.memory.add("The  weather is\tgood.", "天氣真好。", "en", "zh")
    # the person's Traditional translation, written in the script asked for
    assert translator.translate("The weather is good.", "zh") == "天气真好。"
    assert translator.translate("The weather is good.", "zh-Hant") == "天氣真好。"
    assert translator.translate("The weather is good.", "zh-TW") == "天氣真好。"


def test_the_memory_comes_before_the_glossary_and_the_cache(home):
    translator = fake_translator(home, cache=True)
    assert translator.translate("重庆很美。", "en", glossary={"重庆": "Chongqing"}) == "<Chongqing很美。>"
    translator.memory.add("重庆很美。", "Chongqing is beautiful.", "zh", "en")
    # the cache holds the model's translation; the memory now overrides it, glossary or not
    assert translator.translate("重庆很美。", "en", glossary={"重庆": "Chongqing"}) == "Chongqing is beautiful."
    assert translator.translate("重庆很美。", "en") == "Chongqing is beautiful."
    assert translator.memory.remove(source_text="重庆很美。", source="zh") == 1
    assert translator.translate("重庆很美。", "en") == "<重庆很美。>"  # back to the model (and its cache)


def test_near_matches_are_hints_beside_the_model_sentence(home):
    translator = fake_translator(home)
    translator.memory.add("出口增长了百分之五。", "Exports grew by five percent.", "zh", "en")
    translator.memory.add("会议在周一举行。", "The meeting was held on Monday.", "zh", "en")
    (segment,) = translator.translate_document("出口增长了百分之六。", "en").paragraphs[0]
    assert (segment.target, segment.origin) == ("<出口增长了百分之六。>", "model")  # a hint, not a replacement
    assert [(h.source, h.target) for h in segment.hints] == [("出口增长了百分之五。", "Exports grew by five percent.")]
    assert segment.hints[0].similarity >= 0.85
    (far,) = translator.translate_document("会议在周五结束了讨论。", "en").paragraphs[0]
    assert far.hints == ()  # under 85% similar


def test_namespaces_are_kept_apart(home):
    translator = fake_translator(home)
    translator.with_memory("key:a").memory.add("谢谢。", "Many thanks.", "zh", "en", namespace="key:a")
    assert translator.with_memory("key:a").translate("谢谢。", "en") == "Many thanks."
    assert translator.translate("谢谢。", "en") == "<谢谢。>"
    assert translator.with_memory("key:b").translate("谢谢。", "en") == "<谢谢。>"


def test_a_correction_of_several_sentences_is_stored_sentence_by_sentence(home):
    memory = TranslationMemory(home / "m.sqlite3")
    assert memory.add("天气很好。谢谢。", "Fine weather. Thanks a lot.", "zh", "en") == 2
    assert memory.lookup(["谢谢。", "天气很好。"], "zh", "en") == {"谢谢。": "Thanks a lot.", "天气很好。": "Fine weather."}
    assert memory.add("天气很好，谢谢。", "Fine weather. Thanks.", "zh", "en") == 1  # counts differ: kept whole
    assert memory.add("天气很好。", "Sunny.", "zh", "en") == 1  # the latest correction replaces the earlier
    assert memory.lookup(["天气很好。"], "zh", "en") == {"天气很好。": "Sunny."}
    assert memory.count() == 3


def test_memory_limits(home):
    memory = TranslationMemory(home / "m.sqlite3", max_entries=2)
    memory.add("一。", "One.", "zh", "en")
    memory.add("二。", "Two.", "zh", "en")
    with pytest.raises(QuotaExceededError, match="holds 2 entries"):
        memory.add("三。", "Three.", "zh", "en")
    memory.add("二。", "Two!", "zh", "en")  # replacing is not adding
    memory.add("Three.", "三。", "en", "zh")  # another direction has its own room
    with pytest.raises(InputTooLargeError, match="up to 5,000"):
        memory.add("x" * (MAX_CHARS + 1), "y", "en", "zh")
    with pytest.raises(InvalidInputError, match="empty"):
        memory.add("天气很好。", "   ", "zh", "en")
    with pytest.raises(InvalidInputError, match="same"):
        memory.add("天气很好。", "天气很好。", "zh", "zh")


def test_the_memory_can_be_switched_off(home):
    translator = Translator(Settings(home=str(home), cache=False, offline=True, memory=False, batch_wait_ms=0),
                            backend_factory=fake_factory([]))
    assert translator.memory is None
    assert Settings.from_env({"BILINGUAL_MEMORY": "0"}).memory is False
    assert Settings.from_env({"BILINGUAL_MEMORY_MAX_ENTRIES": "7"}).memory_max_entries == 7


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("天气很好谢 The wather is god.。，\t\n\u3000ＡＢ"), min_size=1, max_size=40),
       st.sampled_from(["zh", "en"]))
def test_memory_keys_ignore_white_space_and_are_stable(sentence, language):
    key = memory_key(sentence, language)
    assert memory_key(key, language) == key
    assert memory_key(f"  {sentence}\n", language) == key
    assert "  " not in key and key == key.strip()


def test_translation_time_grows_linearly_with_a_full_memory(home):
    """Every sentence is looked up, and near matches searched in an index: 8x the article, about 8x the time."""
    translator = fake_translator(home, max_input_chars=10_000_000)
    translator.memory.import_entries((f"第{i}号文件已经签署。", f"Document {i} is signed.", "zh", "en")
                                     for i in range(3000))

    def run(n: int):
        text = "".join(f"第{i}号协议已经生效。" for i in range(n))
        return lambda: translator.translate(text, "en")

    assert_linear_time(run, 40)


# -- /suggest and the page -------------------------------------------------------------------------


def _app(home, **service):
    settings = Settings(home=str(home), cache=True, offline=True)
    return build(settings, ServiceSettings(**service), translator=fake_translator(home, cache=True), page=False)


def _suggest(client, key=None, **fields):
    body = {"q": "天气很好。", "s": "Lovely weather.", "source": "zh", "target": "en", **fields}
    if key:
        body["api_key"] = key
    return client.post("/suggest", data=body)


def test_suggest_feeds_the_memory_and_translate_uses_it(home):
    with TestClient(_app(home, suggestions=True)) as client:
        before = client.post("/translate", json={"q": "天气很好。谢谢。", "source": "zh", "target": "en"}).json()
        assert before == {"translatedText": "<天气很好。> <谢谢。>"}  # now in the cache too
        assert (_suggest(client).status_code, _suggest(client).json()) == (200, {"success": True})
        answer = client.post("/translate", json={"q": "天气很好。谢谢。", "source": "zh", "target": "en",
                                                  "detail": True}).json()
        assert answer["translatedText"] == "Lovely weather. <谢谢。>"
        first, second = answer["segments"][0]
        assert (first["origin"], first["confidence"], second["origin"]) == ("memory", 1.0, "model")
        near = client.post("/translate", json={"q": "天气很好吧。", "source": "zh", "target": "en", "detail": True})
        (segment,) = near.json()["segments"][0]
        assert segment["hints"] == [{"source": "天气很好。", "target": "Lovely weather.", "similarity": 0.909}]
        # detection, zh-TW and LibreTranslate's error texts
        assert _suggest(client, q="谢谢。", s="Cheers.", source="auto").json() == {"success": True}
        assert client.post("/translate", json={"q": "谢谢。", "source": "zh", "target": "en"}).json() == {
            "translatedText": "Cheers."}
        for missing in ("q", "s", "source", "target"):
            answer = _suggest(client, **{missing: ""})
            assert answer.json() == {"error": f"Invalid request: missing {missing} parameter"}
        assert _suggest(client, q="x" * (MAX_CHARS + 1)).status_code == 400
        assert _suggest(client, target="fr").json() == {"error": "fr is not supported"}
        # markup is stored as text, and given back as text
        assert _suggest(client, q="谢谢你。", s="<script>alert(1)</script>").json() == {"success": True}
        answer = client.post("/translate", json={"q": "谢谢你。", "source": "zh", "target": "en"}).json()
        assert answer == {"translatedText": "<script>alert(1)</script>"}


def test_who_may_suggest(home):
    secret, record = KeyStore(home / "api_keys.sqlite3").add(name="newsroom")
    with TestClient(_app(home)) as client:  # the default; TestClient's address is not this machine's loopback
        refused = _suggest(client)
        assert (refused.status_code, refused.json()) == (403, {"error": "Suggestions are disabled on this server."})
        assert client.get("/frontend/settings").json()["suggestions"] is False
        assert client.get(f"/frontend/settings?api_key={secret}").json()["suggestions"] is True
        assert _suggest(client, key=secret).json() == {"success": True}  # key holders may
        # ... into their key's own memory
        keyed = client.post("/translate", json={"q": "天气很好。", "source": "zh", "target": "en", "api_key": secret})
        assert keyed.json() == {"translatedText": "Lovely weather."}
        anonymous = client.post("/translate", json={"q": "天气很好。", "source": "zh", "target": "en"})
        assert anonymous.json() == {"translatedText": "<天气很好。>"}
    with TestClient(_app(home, suggestions=False)) as client:
        assert _suggest(client, key=secret).status_code == 403
        assert client.get(f"/frontend/settings?api_key={secret}").json()["suggestions"] is False
    with TestClient(_app(home, suggestions=True)) as client:
        assert _suggest(client).json() == {"success": True}
        assert client.get("/frontend/settings").json()["suggestions"] is True
    assert ServiceSettings.from_env({"BILINGUAL_SUGGESTIONS": "1"}).suggestions is True
    assert ServiceSettings.from_env({"BILINGUAL_SUGGESTIONS": "0"}).suggestions is False
    assert ServiceSettings.from_env({}).suggestions is None


def test_loopback_may_suggest_unless_a_proxy_forwarded_the_request(home):
    from tests.live_server import live_server, request

    body = b"q=%E8%B0%A2%E8%B0%A2%E3%80%82&s=Cheers.&source=zh&target=en"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with live_server(home, page=False) as url:
        assert request(url + "/suggest", body, headers=form) == (200, b'{"success":true}')
        status, _ = request(url + "/suggest", body, headers={**form, "X-Forwarded-For": "203.0.113.9"})
        assert status == 403
        status, answer = request(url + "/frontend/settings", headers={"Forwarded": "for=203.0.113.9"})
        assert json.loads(answer)["suggestions"] is False


def test_the_page_saves_corrections_into_the_memory(home):
    from tests.live_server import fn_index, live_server, run_event

    with live_server(home) as url:
        translate = fn_index(url, "translate_stream")
        _, messages = run_event(url, translate, ["天气很好。谢谢。", "自动 Auto", "", "latency_optimized"])
        data = next(m for m in messages if m.get("msg") == "process_completed")["output"]["data"]
        choices = data[4]["choices"]
        assert [label for label, _ in choices] == ["1.1 天气很好。", "1.2 谢谢。"]
        pick, save = fn_index(url, "pick_correction"), fn_index(url, "save_correction")
        _, messages = run_event(url, pick, [choices[0][1]])
        assert next(m for m in messages if m.get("msg") == "process_completed")["output"]["data"] == ["<天气很好。>"]
        _, messages = run_event(url, save, [choices[0][1], "Lovely weather."])
        status = next(m for m in messages if m.get("msg") == "process_completed")["output"]["data"][0]
        assert status.startswith("已保存到翻译记忆 Saved to the translation memory")
        _, messages = run_event(url, translate, ["天气很好。谢谢。", "自动 Auto", "", "latency_optimized"])
        data = next(m for m in messages if m.get("msg") == "process_completed")["output"]["data"]
        assert data[1] == "Lovely weather. <谢谢。>"
        assert 'class="seg memory"' in data[2]
        # a forged choice is refused, not stored
        _, messages = run_event(url, save, [json.dumps(["天气", "x", "zh", "fr"]), "Weather."])
        status = next(m for m in messages if m.get("msg") == "process_completed")["output"]["data"][0]
        assert status.startswith("请先选择句子 Pick a sentence first")


# -- TMX ---------------------------------------------------------------------------------------------

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx [<!ENTITY secret SYSTEM "file:///etc/hostname"><!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6" segtype="sentence" o-tmf="OmegaT TMX" adminlang="EN-US"
          srclang="ZH-CN" datatype="plaintext"/>
  <body>
    <tu><tuv xml:lang="ZH-CN"><seg>天气很好。</seg></tuv>
        <tuv xml:lang="EN-US"><seg>It is <bpt i="1">&lt;b&gt;</bpt>fine<ept i="1">&lt;/b&gt;</ept> weather.</seg></tuv></tu>
    <tu><tuv xml:lang="ZH-CN"><seg>&secret;谢谢。&c;</seg></tuv><tuv xml:lang="EN-US"><seg>Thanks.</seg></tuv></tu>
    <tu srclang="EN-GB"><tuv xml:lang="EN-GB"><seg>Hello.</seg></tuv><tuv xml:lang="ZH-TW"><seg>哈囉。</seg></tuv></tu>
    <tu><tuv xml:lang="FR-FR"><seg>Bonjour.</seg></tuv><tuv xml:lang="EN-US"><seg>Hello.</seg></tuv></tu>
    <tu><tuv xml:lang="ZH-CN"><seg>只有一边。</seg></tuv></tu>
  </body>
</tmx>
"""


def test_tmx_in_and_out(tmp_path):
    source = tmp_path / "omegat.tmx"
    source.write_text(TMX, encoding="utf-8")
    assert list(read_tmx(source)) == [
        ("天气很好。", "It is fine weather.", "zh", "en"),  # inline codes left out
        ("谢谢。", "Thanks.", "zh", "en"),  # entities neither fetched nor expanded
        ("Hello.", "哈囉。", "en", "zh"),
    ]
    memory = TranslationMemory(tmp_path / "m.sqlite3")
    assert memory.import_entries(read_tmx(source)) == 3
    out = tmp_path / "out.tmx"
    assert write_tmx(memory.entries(), out, tool_version="1") == 3
    assert list(read_tmx(out)) == list(read_tmx(source))  # a round trip
    written = out.read_text(encoding="utf-8")
    assert '<tuv xml:lang="zh-Hant">' in written and '<tu tuid="1" srclang="zh-Hans"' in written


def test_bad_tmx_files_get_clear_errors(tmp_path, monkeypatch):
    from bilingual.translation import tmx

    broken = tmp_path / "broken.tmx"
    broken.write_text("<tmx><body><tu>", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not a well-formed TMX file"):
        list(read_tmx(broken))
    other = tmp_path / "other.tmx"
    other.write_text("<xliff/>", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="root element is not <tmx>"):
        list(read_tmx(other))
    monkeypatch.setattr(tmx, "MAX_TMX_BYTES", 100)
    big = tmp_path / "big.tmx"
    big.write_text(TMX, encoding="utf-8")
    with pytest.raises(InputTooLargeError, match="Split it"):
        list(read_tmx(big))
    monkeypatch.setattr(tmx, "MAX_TMX_BYTES", 10**6)
    monkeypatch.setattr(tmx, "MAX_UNITS", 2)
    with pytest.raises(InputTooLargeError, match="more than 2 units"):
        list(read_tmx(big))


def test_the_memory_cli(tmp_path, monkeypatch, capsys):
    from bilingual.cli import main

    monkeypatch.setenv("BILINGUAL_HOME", str(tmp_path / "home"))
    source = tmp_path / "in.tmx"
    source.write_text(TMX, encoding="utf-8")
    assert main(["memory", "list"]) == 0
    assert "empty" in capsys.readouterr().out
    assert main(["memory", "import", str(source)]) == 0
    assert capsys.readouterr().out == "3 entries imported from in.tmx\n"
    assert main(["memory", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1\tzh->en\t天气很好。\tIt is fine weather.", "2\tzh->en\t谢谢。\tThanks.",
                                                    "3\ten->zh\tHello.\t哈囉。"]
    assert main(["memory", "remove", "2"]) == 0
    assert main(["memory", "remove", "2"]) == 1
    assert "No entry with id 2" in capsys.readouterr().err
    out = tmp_path / "out.tmx"
    assert main(["memory", "export", str(out)]) == 0
    assert main(["memory", "export", str(out)]) == 1
    assert "give --force" in capsys.readouterr().err
    assert [pair[0] for pair in read_tmx(out)] == ["天气很好。", "Hello."]
    assert main(["memory", "import", str(tmp_path / "missing.tmx")]) == 1
    assert main(["memory", "import", str(source), "--key", "abc"]) == 0
    capsys.readouterr()
    assert main(["memory", "list", "--all"]) == 0
    assert "[key:abc]" in capsys.readouterr().out


def test_logged_in_page_users_may_save_corrections_from_anywhere(home):
    from types import SimpleNamespace

    from bilingual import Summarizer
    from bilingual.ui.app import Handlers

    translator = fake_translator(home)
    handlers = Handlers(translator, Summarizer(translator.settings, translator=translator))
    choice = json.dumps(["谢谢。", "<谢谢。>", "zh", "en"])

    def visitor(username, address="203.0.113.9", headers=None):
        return SimpleNamespace(username=username, client=SimpleNamespace(host=address), headers=headers or {})

    assert handlers.save_correction(choice, "Cheers.", visitor(None)).startswith("此服务器不接受修改")
    assert handlers.save_correction(choice, "Cheers.", visitor("editor")).startswith("已保存到翻译记忆")
    assert translator.translate("谢谢。", "en") == "Cheers."
    proxied = visitor(None, "127.0.0.1", {"x-forwarded-for": "203.0.113.9"})
    assert handlers.save_correction(choice, "Cheers!", proxied).startswith("此服务器不接受修改")
    assert handlers.save_correction(choice, "Cheers!", visitor(None, "127.0.0.1")).startswith("已保存到翻译记忆")
    handlers.suggestions = False
    assert handlers.save_correction(choice, "Thanks!", visitor("editor")).startswith("此服务器不接受修改")
    assert handlers.save_correction(choice, "  ", visitor("editor")).startswith("请输入译文")
