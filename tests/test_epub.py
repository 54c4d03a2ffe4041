"""E-books built here as EPUB 3 packages (with an EPUB 2 toc.ncx), translated with the tiny models:
chapters, the navigation document and the NCX labels exactly; the spine, manifest, metadata and
images as they were, the language updated, ``mimetype`` first and stored; bad books refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from bilingual import UnsupportedFormatError
from bilingual.documents import translate_content
from tests.fixtures.corpus import PAIRS
from tests.test_documents import _png

ZH = {en: zh for zh, en in PAIRS}
OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:1234</dc:identifier><dc:title>Trade News</dc:title><dc:language>en</dc:language>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="c1" href="text/chapter1.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="text/chapter2.xhtml" media-type="application/xhtml+xml"/>
    <item id="img" href="images/cover.png" media-type="image/png"/>
  </manifest>
  <spine toc="ncx"><itemref idref="c1"/><itemref idref="c2"/></spine>
</package>"""
CHAPTER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><title>{title}</title></head>
<body><section epub:type="chapter"><h1>{title}</h1><p>{body}</p><img src="../images/cover.png" alt="{alt}"/>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg></section></body>
</html>"""
NAV = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>Contents</title></head>
<body><nav epub:type="toc"><ol><li><a href="text/chapter1.xhtml">The weather is good.</a></li>
<li><a href="text/chapter2.xhtml">Thank you.</a></li></ol></nav></body></html>"""
NCX = """<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head/><docTitle><text>Trade News</text></docTitle>
<navMap><navPoint id="p1" playOrder="1"><navLabel><text>The weather is good.</text></navLabel>
<content src="text/chapter1.xhtml"/></navPoint></navMap></ncx>"""



def _epub(**replace: str) -> bytes:
    parts = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
                                  'opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" '
                                  'media-type="application/oebps-package+xml"/></rootfiles></container>',
        "OEBPS/content.opf": OPF,
        "OEBPS/nav.xhtml": NAV,
        "OEBPS/toc.ncx": NCX,
        "OEBPS/text/chapter1.xhtml": CHAPTER.format(title="The weather is good.", alt="The city has many bridges.",
                                                   body="The delegation visited Chongqing. Thank you."),
        "OEBPS/text/chapter2.xhtml": CHAPTER.format(title="Thank you.", alt="", body="Prices remain stable."),
        **replace,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
        book.writestr("OEBPS/images/cover.png", _png())
    return out.getvalue()


def _read(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {info.filename: book.read(info) for info in book.infolist()}


def test_an_ebook_is_translated_chapter_by_chapter_and_stays_an_ebook(tiny_translator):
    source = _epub()
    out = translate_content(tiny_translator, source, "news.epub", "zh")
    before, after = _read(source), _read(out)
    with zipfile.ZipFile(io.BytesIO(out)) as book:
        first = book.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert list(after) == list(before) and after["OEBPS/images/cover.png"] == before["OEBPS/images/cover.png"]
    chapter = etree.fromstring(after["OEBPS/text/chapter1.xhtml"])
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    assert chapter.findtext(".//x:h1", namespaces=ns) == ZH["The weather is good."]
    assert chapter.findtext(".//x:p", namespaces=ns) == ZH["The delegation visited Chongqing."] + ZH["Thank you."]
    assert chapter.find(".//x:img", ns).get("alt") == ZH["The city has many bridges."]
    assert chapter.get("lang") == "zh-Hans" and chapter.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans"
    assert chapter.find(".//{http://www.w3.org/2000/svg}svg").get("viewBox") == "0 0 10 10"  # case and namespace kept
    nav = etree.fromstring(after["OEBPS/nav.xhtml"])
    assert [a.text for a in nav.iter("{http://www.w3.org/1999/xhtml}a")] == [ZH["The weather is good."], ZH["Thank you."]]
    ncx = etree.fromstring(after["OEBPS/toc.ncx"])
    assert [t.text for t in ncx.iter("{http://www.daisy.org/z3986/2005/ncx/}text")][1] == ZH["The weather is good."]
    opf = etree.fromstring(after["OEBPS/content.opf"])
    assert opf.findtext(".//{http://purl.org/dc/elements/1.1/}language") == "zh-Hans"
    assert opf.findtext(".//{http://purl.org/dc/elements/1.1/}title") == "Trade News"  # the metadata stays
    assert [r.get("idref") for r in opf.iter("{http://www.idpf.org/2007/opf}itemref")] == ["c1", "c2"]


def test_a_bilingual_ebook_keeps_each_block_and_adds_its_translation(tiny_translator):
    out = _read(translate_content(tiny_translator, _epub(), "news.epub", "zh", bilingual=True))
    chapter = out["OEBPS/text/chapter2.xhtml"].decode()
    assert "Prices remain stable." in chapter and ZH["Prices remain stable."] in chapter
    assert b"<dc:language>en</dc:language>" in out["OEBPS/content.opf"]


@pytest.mark.parametrize(("replace", "message"), [
    ({"META-INF/container.xml": "<container/>"}, "not a valid EPUB"),
    ({"OEBPS/text/chapter1.xhtml": '<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><p>&a;</p>'}, "entities"),
])
def test_bad_ebooks_are_refused(tmp_path, replace, message):
    from tests.fakes import fake_translator

    with pytest.raises(UnsupportedFormatError, match=message):
        translate_content(fake_translator(tmp_path), _epub(**replace), "bad.epub", "zh", source="en")
