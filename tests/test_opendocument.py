"""OpenDocument text and presentations, written here as LibreOffice writes their XML, translated with the
tiny models: paragraphs, headings, list items, table cells, notes, headers and slide text boxes
exactly; spans, links, frames and images kept; the language updated; bilingual mode; bad files."""

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
NS = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
      "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
      "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
      "xlink": "http://www.w3.org/1999/xlink",
      "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
      "dc": "http://purl.org/dc/elements/1.1/", "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"}
DECLS = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
TEXT_BODY = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {DECLS} office:version="1.3"><office:body><office:text>
<text:h text:style-name="Heading_1" text:outline-level="1">The weather is good.</text:h>
<text:p text:style-name="Standard">The <text:span text:style-name="Bold">delegation</text:span> visited Chongqing.<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Prices remain stable.</text:p></text:note-body></text:note> Thank you.</text:p>
<text:p>See <text:a xlink:type="simple" xlink:href="https://example.com/report">the report</text:a>.</text:p>
<text:list><text:list-item><text:p>The bank lowered interest rates.</text:p></text:list-item></text:list>
<table:table table:name="T1"><table:table-row><table:table-cell><text:p>Exports grew by five percent.</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12.5"><text:p>12.5</text:p></table:table-cell></table:table-row></table:table>
<text:p><draw:frame draw:name="img"><draw:image xlink:href="Pictures/a.png"/></draw:frame></text:p>
</office:text></office:body></office:document-content>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {DECLS}><office:master-styles><style:master-page style:name="Standard"><style:header>
<text:p>The company released its annual report.</text:p></style:header></style:master-page></office:master-styles>
</office:document-styles>"""
META = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta {DECLS}><office:meta><dc:title>Report</dc:title><dc:language>en-US</dc:language></office:meta>
</office:document-meta>"""
SLIDES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {DECLS}><office:body><office:presentation><draw:page draw:name="p1">
<draw:frame presentation:class="title"><draw:text-box><text:p>Thank you.</text:p></draw:text-box></draw:frame>
<draw:frame presentation:class="outline"><draw:text-box><text:list><text:list-item><text:p>The meeting was held on Monday.<text:line-break/>Exports grew by five percent.</text:p></text:list-item></text:list></draw:text-box></draw:frame>
</draw:page></office:presentation></office:body></office:document-content>"""


def _package(mimetype: str, content: str, *, styles: str = STYLES, meta: str = META) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", content)
        package.writestr("styles.xml", styles)
        package.writestr("meta.xml", meta)
        package.writestr("Pictures/a.png", _png())
        package.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                         'opendocument:xmlns:manifest:1.0"/>')
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def _texts(root, path: str) -> list[str]:
    return ["".join(p.itertext()) for p in root.iterfind(path, NS)]


def test_a_text_document_is_translated_and_keeps_its_structure(tiny_translator):
    source = _package("application/vnd.oasis.opendocument.text", TEXT_BODY)
    out = _parts(translate_content(tiny_translator, source, "report.odt", "zh"))
    assert list(out)[0] == "mimetype" and out["Pictures/a.png"] == _parts(source)["Pictures/a.png"]
    content = etree.fromstring(out["content.xml"])
    assert _texts(content, ".//text:h") == [ZH["The weather is good."]]
    body = content.findall(".//office:text/text:p", NS)
    assert body[0].find(".//text:note-citation", NS).text == "1"  # the note keeps its place and number
    note = body[0].find("text:note", NS)
    assert (body[0].text, note.tail) == (ZH["The delegation visited Chongqing."], " " + ZH["Thank you."])
    assert _texts(content, ".//text:note-body/text:p") == [ZH["Prices remain stable."]]
    link = body[1].find("text:a", NS)
    assert link.get(f"{{{NS['xlink']}}}href") == "https://example.com/report" and link.text  # the link keeps words
    assert _texts(content, ".//text:list-item/text:p") == [ZH["The bank lowered interest rates."]]
    cells = content.findall(".//table:table-cell", NS)
    assert "".join(cells[0].itertext()) == ZH["Exports grew by five percent."] and cells[1].get(
        f"{{{NS['office']}}}value") == "12.5"
    assert content.find(".//draw:image", NS).get(f"{{{NS['xlink']}}}href") == "Pictures/a.png"
    assert _texts(etree.fromstring(out["styles.xml"]), ".//style:header/text:p") == [
        ZH["The company released its annual report."]]
    assert etree.fromstring(out["meta.xml"]).findtext(".//dc:language", namespaces=NS) == "zh-Hans"


def test_slides_and_bilingual_mode(tiny_translator):
    out = _parts(translate_content(tiny_translator, _package("application/vnd.oasis.opendocument.presentation",
                                                             SLIDES), "deck.odp", "zh"))
    content = etree.fromstring(out["content.xml"])
    assert _texts(content, ".//draw:text-box/text:p")[0] == ZH["Thank you."]
    item = content.find(".//text:list-item/text:p", NS)
    assert item.find("text:line-break", NS) is not None  # the break stays between its sentences
    assert "".join(item.itertext()) == ZH["The meeting was held on Monday."] + ZH["Exports grew by five percent."]
    both = _parts(translate_content(tiny_translator, _package("application/vnd.oasis.opendocument.text", TEXT_BODY),
                                    "report.odt", "zh", bilingual=True))
    heading = etree.fromstring(both["content.xml"]).find(".//text:h", NS)
    assert "".join(heading.itertext()) == "The weather is good." + ZH["The weather is good."]
    assert heading.find("text:line-break", NS) is not None
    assert b"<dc:language>en-US</dc:language>" in both["meta.xml"]


@pytest.mark.parametrize(("data", "message"), [
    (b"not a zip", "not a valid odt"),
    (_package("application/vnd.oasis.opendocument.text", '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), "entities"),
])
def test_bad_opendocument_files_are_refused(tmp_path, data, message):
    from tests.fakes import fake_translator

    with pytest.raises(UnsupportedFormatError, match=message):
        translate_content(fake_translator(tmp_path), data, "bad.odt", "zh", source="en")
