"""Excel workbooks built with openpyxl, translated with the tiny models: the cells' text exactly, and
everything else as it was (numbers, dates, formulas, styles, merged cells, comments, images byte for
byte), in plain and bilingual mode; sheet names only when asked and never one a formula uses."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from bilingual import UnsupportedFormatError
from bilingual.documents import translate_content
from tests.fixtures.corpus import PAIRS
from tests.test_documents import _png

ZH = {en: zh for zh, en in PAIRS}



def _workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    sheet["A1"] = "The weather is good."
    sheet["A1"].font = Font(bold=True, color="C00000")
    sheet["B1"] = 12.5
    sheet["C1"] = datetime.date(2024, 3, 1)
    sheet["A2"] = "Exports grew by five percent."
    sheet["B2"] = "=B1*2"
    sheet["A3"] = "The weather is good."  # the same text twice: one shared string
    sheet["A4"] = "Thank you."
    sheet.merge_cells("A4:C4")
    sheet["A5"] = "2023"
    sheet["A1"].comment = Comment("Prices remain stable.", "Editor")
    sheet.add_image(Image(io.BytesIO(_png())), "E2")
    other = book.create_sheet("2024")
    other["A1"] = "=Report!B1"
    free = book.create_sheet("Thank you.")
    free["A1"] = "The bank lowered interest rates."
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return _workbook()


def _media(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {n: package.read(n) for n in package.namelist() if "/media/" in n or "/drawings/" in n}


def test_cells_are_translated_and_everything_else_kept(tiny_translator, workbook):
    from openpyxl import load_workbook

    out = translate_content(tiny_translator, workbook, "report.xlsx", "zh")
    book = load_workbook(io.BytesIO(out))
    sheet = book["Report"]
    assert [sheet[c].value for c in ("A1", "A2", "A3", "A4", "A5")] == [
        ZH["The weather is good."], ZH["Exports grew by five percent."], ZH["The weather is good."], ZH["Thank you."],
        "2023"]
    assert (sheet["B1"].value, sheet["C1"].value, sheet["B2"].value) == (12.5, datetime.datetime(2024, 3, 1), "=B1*2")
    assert sheet["A1"].font.bold and sheet["A1"].font.color.rgb.endswith("C00000")
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A4:C4"]
    assert sheet["A1"].comment.text == "Prices remain stable."  # comments are kept as written
    assert book.sheetnames == ["Report", "2024", "Thank you."]  # sheet names only when asked
    assert book["Thank you."]["A1"].value == ZH["The bank lowered interest rates."]
    assert _media(out) == _media(workbook)  # the image and its drawing, byte for byte


def test_sheet_names_when_asked_but_never_one_a_formula_uses(tiny_translator, workbook):
    from openpyxl import load_workbook

    out = translate_content(tiny_translator, workbook, "report.xlsx", "zh", sheet_names=True)
    book = load_workbook(io.BytesIO(out))
    assert book.sheetnames == ["Report", "2024", ZH["Thank you."]]  # "Report" is in =Report!B1
    assert book["2024"]["A1"].value == "=Report!B1"


def test_bilingual_cells_hold_the_text_and_its_translation(tiny_translator, workbook):
    from openpyxl import load_workbook

    out = translate_content(tiny_translator, workbook, "report.xlsx", "zh", bilingual=True)
    sheet = load_workbook(io.BytesIO(out))["Report"]
    assert sheet["A2"].value == "Exports grew by five percent.\n" + ZH["Exports grew by five percent."]
    assert sheet["B2"].value == "=B1*2"


def test_bad_workbooks_are_refused(tmp_path):
    from tests.fakes import fake_translator

    translator = fake_translator(tmp_path)
    with pytest.raises(UnsupportedFormatError, match="not a valid xlsx"):
        translate_content(translator, b"not a zip", "a.xlsx", "zh", source="en")
    hollow = io.BytesIO()
    with zipfile.ZipFile(hollow, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(UnsupportedFormatError, match="not an Excel workbook"):
        translate_content(translator, hollow.getvalue(), "a.xlsx", "zh", source="en")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/sharedStrings.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>')
    with pytest.raises(UnsupportedFormatError, match="entities"):
        translate_content(translator, bomb.getvalue(), "a.xlsx", "zh", source="en")


def _plain_workbook() -> bytes:
    """A list with nothing that names its cells by position (translations may be inserted), and the
    fixture's sheet with formulas, merged cells, a comment and an image (they may not)."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Font

    book = load_workbook(io.BytesIO(_workbook()))
    plain = book.create_sheet("List", 0)
    plain["A1"], plain["B1"], plain["C1"] = "The weather is good.", 12.5, "Thank you."
    plain["A1"].font = Font(bold=True)
    plain["A2"], plain["B2"], plain["C2"] = "Prices remain stable.", "2023", "Exports grew by five percent."
    plain["C2"].hyperlink = "https://example.com/exports"
    plain.column_dimensions["A"].width, plain.column_dimensions["C"].width = 30, 40
    plain.freeze_panes = "B2"
    assert isinstance(book, Workbook)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("layout", ["side", "below"])
def test_bilingual_columns_or_rows_of_translations_where_nothing_refers_to_the_cells(tiny_translator, layout):
    from openpyxl import load_workbook

    report: dict = {}
    out = translate_content(tiny_translator, _plain_workbook(), "list.xlsx", "zh", layout=layout, report=report)
    book = load_workbook(io.BytesIO(out))
    plain = book["List"]
    values = [[c.value for c in row] for row in plain.iter_rows()]
    w, t, p = "The weather is good.", "Thank you.", "Prices remain stable."
    e = "Exports grew by five percent."
    if layout == "side":  # a column of translations after each column with text: A, C (B holds numbers only)
        assert values == [[w, ZH[w], 12.5, t, ZH[t]], [p, ZH[p], "2023", e, ZH[e]]]
        assert (plain.column_dimensions["A"].width, plain.column_dimensions["B"].width) == (30, 30)
        assert (plain.column_dimensions["D"].width, plain.column_dimensions["E"].width) == (40, 40)
        assert plain["D2"].hyperlink.target == "https://example.com/exports"  # moved with its cell
        assert plain.freeze_panes == "C2"  # the frozen column and its translation
        assert plain["B1"].font.bold  # the translation takes its cell's style
    else:  # a row of translations after each row
        assert values == [[w, 12.5, t], [ZH[w], None, ZH[t]], [p, "2023", e], [ZH[p], None, ZH[e]]]
        assert plain["C3"].hyperlink.target == "https://example.com/exports"
        assert plain.freeze_panes == "B3"
    # the sheet with formulas, merged cells, a comment and an image: in its cells, said why
    report_sheet = book["Report"]
    assert report_sheet["A2"].value == "Exports grew by five percent.\n" + ZH["Exports grew by five percent."]
    assert report_sheet["B2"].value == "=B1*2" and [str(r) for r in report_sheet.merged_cells.ranges] == ["A4:C4"]
    assert [w for w in report["warnings"] if "'Report'" in w and "mergeCells" in w]
    assert not [w for w in report["warnings"] if "'List'" in w or "'Thank you.'" in w]
    free = [[c.value for c in row] for row in book["Thank you."].iter_rows()]
    b = "The bank lowered interest rates."
    assert free == ([[b, ZH[b]]] if layout == "side" else [[b], [ZH[b]]])  # nothing refers to it: it moves


def test_an_unknown_layout_is_refused(tiny_translator, workbook):
    from bilingual.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="layout"):
        translate_content(tiny_translator, workbook, "report.xlsx", "zh", layout="diagonal")


def test_a_sheet_whose_cells_are_placed_by_their_order_keeps_the_in_cell_layout(tiny_translator):
    """A cell may leave out its position (it is then the next one); moving the others would move it wrongly."""
    import re

    from openpyxl import load_workbook

    source = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_plain_workbook())) as package, zipfile.ZipFile(source, "w") as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # the List sheet: its number (B1) unnamed
                data, count = re.subn(rb'(<c )r="B1" ', rb"\1", data)
                assert count == 1
            out.writestr(info, data)
    report: dict = {}
    out = translate_content(tiny_translator, source.getvalue(), "list.xlsx", "zh", layout="side", report=report)
    assert [w for w in report["warnings"] if "'List'" in w and "position" in w]
    first = [c.value for c in next(load_workbook(io.BytesIO(out))["List"].iter_rows())]
    assert first[0] == "The weather is good.\n" + ZH["The weather is good."]


def test_the_page_says_which_sheet_kept_the_in_cell_layout_and_why(tmp_path):
    import json

    from tests.live_server import fn_index, live_server, run_event, upload
    from tests.test_hardening import _completed

    with live_server(tmp_path / "home") as url:
        _, body = upload(url, "list.xlsx", _plain_workbook())
        (alias,) = json.loads(body)
        file_data = {"path": alias, "meta": {"_type": "gradio.FileData"}, "orig_name": "list.xlsx"}
        _, messages = run_event(url, fn_index(url, "translate_upload"),
                                [file_data, "自动 Auto", False, "", "latency_optimized", "side"])
    status = _completed(messages)["output"]["data"][0]
    assert status.startswith("完成 Done: list.xlsx")
    assert "Note: Sheet 'Report' keeps each translation in its cell" in status and "mergeCells" in status
    assert "'List'" not in status  # that one got its columns
