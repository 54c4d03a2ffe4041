"""XLIFF 1.2 and 2.0 files written to the OASIS specifications: targets filled, states set, inline codes kept.

Structure over the fake backend (it tags each sentence: ``<sentence>``); exact translations and
inline codes carried by the tiny models (trained to copy the ``ZQ1``/``ZQ2`` placeholders).
"""

from __future__ import annotations

import pytest
from lxml import etree

from bilingual import UnsupportedFormatError
from bilingual.documents import FORMATS, translate_content
from tests.fakes import fake_translator

NS12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
NS20 = {"x": "urn:oasis:names:tc:xliff:document:2.0"}

# XLIFF 1.2 (OASIS Standard, 1 February 2008): <file> with source-language, <trans-unit> with <source>
# and an optional <target>; inline <g> (paired), <x/> (standalone), <ph> (native code inside)
XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="press-release.html" source-language="zh-CN" datatype="html">
    <header><tool tool-id="t" tool-name="test"/></header>
    <body>
      <trans-unit id="1"><source>天气很好。</source></trans-unit>
      <trans-unit id="2"><source><x id="1"/>签署了合作协议。</source></trans-unit>
      <trans-unit id="3"><source>谢谢。</source><target>Thanks (kept).</target></trans-unit>
      <trans-unit id="4" translate="no"><source>两江新区</source></trans-unit>
      <group id="g1">
        <trans-unit id="5"><source><ph id="2">&lt;br/&gt;</ph>代表团访问了重庆。</source></trans-unit>
      </group>
    </body>
  </file>
</xliff>
"""

# XLIFF 2.0 (OASIS Standard, 5 August 2014): srcLang on <xliff>, <unit> of <segment>s, inline <pc> and <ph/>
XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN">
  <file id="f1">
    <unit id="u1">
      <segment id="s1"><source>天气很好。</source></segment>
      <ignorable><source> </source></ignorable>
      <segment id="s2"><source>谢谢。</source></segment>
    </unit>
    <unit id="u2"><segment><source><pc id="1" dataRefStart="d1">连接了两个</pc>。</source></segment></unit>
    <unit id="u3" translate="no"><segment><source>重庆</source></segment></unit>
    <unit id="u4"><segment state="final"><source>会议在周一举行。</source><target>Kept.</target></segment></unit>
  </file>
</xliff>
"""


def _tree(data: bytes):
    return etree.fromstring(data)


def _targets(root, ns) -> dict[str, str | None]:
    out = {}
    for unit in root.iterfind(".//x:trans-unit", ns) if ns is NS12 else root.iterfind(".//x:segment", ns):
        key = unit.get("id") or unit.getparent().get("id")
        target = unit.find("x:target", ns)
        out[key] = None if target is None else etree.tostring(target, encoding="unicode", with_tail=False)
    return out


def test_xliff_is_a_registered_format():
    assert FORMATS[".xlf"] is FORMATS[".xliff"] and FORMATS[".xlf"].mime == "application/xliff+xml"


def test_xliff_12_targets_states_and_codes(tmp_path):
    result = translate_content(fake_translator(tmp_path), XLIFF12.encode(), "release.xlf", "en")
    root = _tree(result)
    assert root.find("x:file", NS12).get("target-language") == "en"
    units = {u.get("id"): u for u in root.iterfind(".//x:trans-unit", NS12)}
    assert units["4"].find("x:target", NS12) is None  # translate="no"
    assert units["3"].find("x:target", NS12).text == "Thanks (kept)." and units["3"].find(
        "x:target", NS12).get("state") is None
    one = units["1"].find("x:target", NS12)
    assert (one.text, one.get("state")) == ("<天气很好。>", "needs-review-translation")
    two = units["2"].find("x:target", NS12)
    assert etree.tostring(two, encoding="unicode", with_tail=False).endswith(
        '<x id="1"/>签署了合作协议。&gt;</target>')  # the code where its placeholder came back
    five = units["5"].find("x:target", NS12)
    assert five[0].tag.endswith("ph") and five[0].text == "<br/>"  # native code copied, never translated
    # the target follows its source
    assert units["1"].index(units["1"].find("x:target", NS12)) == units["1"].index(units["1"].find(
        "x:source", NS12)) + 1


def test_xliff_12_retranslate_replaces_existing_targets(tmp_path):
    result = translate_content(fake_translator(tmp_path), XLIFF12.encode(), "release.xlf", "en", retranslate=True)
    target = _tree(result).find(".//x:trans-unit[@id='3']/x:target", NS12)
    assert (target.text, target.get("state")) == ("<谢谢。>", "needs-review-translation")


def test_xliff_20_segments_states_and_languages(tmp_path):
    result = translate_content(fake_translator(tmp_path), XLIFF20.encode(), "release.xliff", None)
    root = _tree(result)
    assert root.get("trgLang") == "en"  # the other language of srcLang, as no target was given
    segments = list(root.iterfind(".//x:segment", NS20))
    assert [s.get("state") for s in segments] == ["translated", "translated", "translated", None, "final"]
    assert [s.findtext("x:target", namespaces=NS20) for s in segments] == [
        "<天气很好。>", "<谢谢。>", "<", None, "Kept."]
    pc = segments[2].find("x:target/x:pc", NS20)  # "<ZQ1连接了两个ZQ2。>": the code around the same words
    assert (pc.get("id"), pc.get("dataRefStart"), pc.text, pc.tail) == ("1", "d1", "连接了两个", "。>")
    assert root.find(".//x:ignorable/x:target", NS20) is None


def test_a_lost_code_is_kept_after_the_text_with_a_note(tmp_path):
    from tests.fakes import FakeBackend

    class Dropping(FakeBackend):  # a "model" that drops the placeholders
        def translate_batch(self, texts):
            return [t.replace("ZQ1", "").replace("ZQ2", "") for t in super().translate_batch(texts)]

    from bilingual import Settings, Translator

    translator = Translator(Settings(home=str(tmp_path), cache=False, offline=True, batch_wait_ms=0),
                            backend_factory=lambda *a: Dropping())
    xliff = XLIFF20.replace('<pc id="1" dataRefStart="d1">连接了两个</pc>。', '前面<pc id="1">连接了两个</pc>后面<ph id="2"/>')
    root = _tree(translate_content(translator, xliff.encode(), "x.xlf", "en"))
    unit = root.find(".//x:unit[@id='u2']", NS20)
    target = unit.find("x:segment/x:target", NS20)
    assert target.text.startswith("<前面") and [_local(c) for c in target] == ["pc", "ph"]
    assert "every code was placed after the text" in unit.findtext("x:notes/x:note", namespaces=NS20)


def _local(element) -> str:
    return etree.QName(element).localname


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<xliff><file>", "not well-formed"),
        (b'<xliff version="1.2"/>', "not XLIFF 1.2 or 2.x"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
         b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file source-language="en">'
         b"<body><trans-unit id='1'><source>&e;</source></trans-unit></body></file></xliff>", "declares XML entities"),
        (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="fr" trgLang="de">'
         b'<file id="f"/></xliff>', "is not Chinese or English"),
    ],
)
def test_bad_xliff_files_get_clear_errors(tmp_path, data, message):
    with pytest.raises(UnsupportedFormatError, match=message):
        translate_content(fake_translator(tmp_path), data, "bad.xlf", None)


def test_bilingual_mode_does_not_apply(tmp_path):
    with pytest.raises(UnsupportedFormatError, match="Bilingual mode does not apply to XLIFF"):
        translate_content(fake_translator(tmp_path), XLIFF12.encode(), "a.xlf", "en", bilingual=True)


def test_the_text_limit_is_checked_before_any_model_work(tmp_path):
    from bilingual import InputTooLargeError

    record: list = []
    with pytest.raises(InputTooLargeError):
        translate_content(fake_translator(tmp_path, record=record), XLIFF12.encode(), "a.xlf", "en", max_chars=10)
    assert not any(b.batches for b in record)


@pytest.mark.slow
def test_xliff_with_the_tiny_models(tiny_translator):
    """Exact translations; a standalone code and a paired one carried through by the model."""
    result = translate_content(tiny_translator, XLIFF12.encode(), "release.xlf", "en")
    targets = _targets(_tree(result), NS12)
    assert targets["1"] == ('<target xmlns="urn:oasis:names:tc:xliff:document:1.2" '
                            'state="needs-review-translation">The weather is good.</target>')
    assert targets["2"] == ('<target xmlns="urn:oasis:names:tc:xliff:document:1.2" state="needs-review-translation">'
                            '<x id="1"/> signed a cooperation agreement.</target>')
    root = _tree(translate_content(tiny_translator, XLIFF20.encode(), "release.xliff", "en"))
    target = root.find(".//x:unit[@id='u2']/x:segment/x:target", NS20)
    assert etree.tostring(target, encoding="unicode", with_tail=False) == (  # trained: ZQ1连接了两个ZQ2。
        '<target xmlns="urn:oasis:names:tc:xliff:document:2.0"><pc id="1" dataRefStart="d1">connects the two</pc>.'
        "</target>")
