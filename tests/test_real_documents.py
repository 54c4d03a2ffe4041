"""Files made by Word, PowerPoint and LibreOffice, translated with the tiny models: every structure that
is not words (links, fields, breaks, tabs, tables, tracked changes, notes, comments, SmartArt, slides,
shapes, images byte for byte) is counted before and after, and must be the same (in bilingual mode:
nothing fewer).

The files are other projects' test fixtures, which this repository does not carry: point
``BILINGUAL_REAL_DOCS`` at a folder of them, or put them in ``../shared/documents`` beside the
checkout (README, "Documents": which ones, from where, under which licences). Without them these
tests are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bilingual.documents import translate_content
from bilingual.errors import BilingualError
from tests.fixtures.structures import changes, structure

# BILINGUAL_REAL_DOCS, else ../shared/documents beside the checkout (where the evaluation data is, for CI)
FOLDER = Path(os.environ.get("BILINGUAL_REAL_DOCS") or Path(__file__).resolve().parents[2] / "shared" / "documents")
FILES = sorted(p for p in FOLDER.glob("*") if p.suffix in (".docx", ".pptx")) if FOLDER.is_dir() else []


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
