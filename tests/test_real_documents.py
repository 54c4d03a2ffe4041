"""Files made by real office software, translated with the tiny models: every structure that is not
words (links, fields, breaks, tabs, tables, tracked changes, notes, comments, SmartArt, slides,
shapes, pages, images byte for byte) is counted before and after, and must be the same (in
bilingual mode: nothing fewer).

Two corpora:

* ``tests/fixtures/real/``, committed: 25 files written by LibreOffice 7.4 (Writer and Impress, both
  .docx and both .pptx filters, .odt, .odp, PDF), pandoc 2.17 (.docx, .pptx, .odt, .epub) and
  pdfLaTeX (a two-column paper) from this project's own sentences, with fields, a table of
  contents, tracked changes, comments, footnotes, bookmarks, tabs and breaks, links, tables, lists,
  images, headers and footers, speaker notes (``scripts/make_real_documents.py`` makes them again);
* other projects' test fixtures, which this repository does not carry: point ``BILINGUAL_REAL_DOCS``
  at a folder of them, or put them in ``../shared/documents`` beside the checkout (README,
  "Documents": which ones, from where, under which licences). Without them those tests are skipped.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from bilingual.documents import translate_content
from bilingual.errors import BilingualError
from tests.fixtures.structures import changes, package_structure, structure

OURS = sorted((Path(__file__).parent / "fixtures" / "real").glob("*.*"))
# BILINGUAL_REAL_DOCS, else ../shared/documents beside the checkout (where the evaluation data is, for CI)
FOLDER = Path(os.environ.get("BILINGUAL_REAL_DOCS") or Path(__file__).resolve().parents[2] / "shared" / "documents")
FILES = sorted(p for p in FOLDER.glob("*") if p.suffix in (".docx", ".pptx")) if FOLDER.is_dir() else []
OFFICE = [p for p in OURS if p.suffix in (".docx", ".pptx")]
OTHERS = [p for p in OURS if p.suffix in (".odt", ".odp", ".epub", ".pdf")]


def _target(path: Path) -> str:
    return "en" if "chinese" in path.name else "zh"


def test_the_committed_corpus_has_every_kind_of_file():
    assert len(OURS) >= 20
    assert {p.suffix for p in OURS} == {".docx", ".pptx", ".odt", ".odp", ".epub", ".pdf"}
    counts = sum((structure(p.read_bytes()) for p in OFFICE), start=Counter())
    for kind in ("hyperlinks", "complex fields", "fields showing a result", "tabs", "breaks", "tables", "footnotes",
                 "comments", "insertions", "deleted texts", "slides", "shapes", "pictures", "links"):
        assert counts[kind] > 0, kind  # the structures the test is there to keep are in the files


@pytest.mark.slow
@pytest.mark.parametrize("bilingual", [False, True], ids=["translated", "bilingual"])
@pytest.mark.parametrize("path", OFFICE, ids=[p.name for p in OFFICE])
def test_a_file_written_by_office_software_keeps_every_structure(tiny_translator, path, bilingual):
    data = path.read_bytes()
    out = translate_content(tiny_translator, data, path.name, _target(path), bilingual=bilingual)
    before, after = structure(data), structure(out)
    if bilingual:  # the translation is added: links, breaks and paragraphs may double; nothing may go
        assert {k: v for k, v in changes(before, after).items() if v[1] < v[0] or k.startswith("media")} == {}
    else:
        assert changes(before, after) == {}
    assert after["paragraphs"] >= before["paragraphs"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("path", OTHERS, ids=[p.name for p in OTHERS])
def test_opendocument_epub_and_pdf_files_keep_every_structure(tiny_translator, path):
    data = path.read_bytes()
    out = translate_content(tiny_translator, data, path.name, _target(path))
    assert changes(package_structure(data, path.suffix), package_structure(out, path.suffix)) == {}
    assert out != data


@pytest.mark.skipif(not FILES, reason="BILINGUAL_REAL_DOCS names no folder of .docx/.pptx files")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_real_file_keeps_every_structure(tiny_translator, path):
    data = path.read_bytes()
    try:
        out = translate_content(tiny_translator, data, path.name, "zh", source="en")
    except BilingualError as exc:  # a file we refuse must be one that says why (encrypted, too large …)
        pytest.skip(f"refused: {exc}")
    assert changes(structure(data), structure(out)) == {}


@pytest.mark.skipif(not FILES, reason="BILINGUAL_REAL_DOCS names no folder of .docx/.pptx files")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_real_file_in_bilingual_mode_loses_nothing(tiny_translator, path):
    data = path.read_bytes()
    try:
        out = translate_content(tiny_translator, data, path.name, "zh", source="en", bilingual=True)
    except BilingualError as exc:
        pytest.skip(f"refused: {exc}")
    before, after = structure(data), structure(out)
    # the translation is added: links, breaks and paragraphs may double; nothing may go, no image changes
    assert {k: v for k, v in changes(before, after).items() if v[1] < v[0] or k.startswith("media")} == {}
