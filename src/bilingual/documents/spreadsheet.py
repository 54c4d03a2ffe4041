"""Excel workbooks (.xlsx): the text of the cells translated in the package's own XML.

A cell's text lives in the workbook's shared strings (``xl/sharedStrings.xml``, one ``<si>`` per
distinct text, which any number of cells point at) or inline in a sheet (``<c t="inlineStr">``).
Only those are rewritten; every other part of the package is copied byte for byte, so numbers,
dates, formulas and their cached results, styles, merged cells, comments, charts, images, pivot
tables and macros' parts stay exactly as they were (a library that loads and saves the workbook,
as openpyxl does, drops charts and images). A rich-text cell becomes one run with its first run's
formatting (inline emphasis cannot be placed on the translated words, as in Word).

Sheet names are translated only when asked (``sheet_names``), and never a sheet's that a formula
or a defined name refers to (renaming would break the reference).

Bilingual mode, by ``layout``:

* ``""`` (the default): a cell holds its text and, on the next line, the translation;
* ``"side"``: each column with text to translate is followed by a new column of its translations,
  ``"below"``: each such row by a new row of them (same style and width or height). Inserting moves
  every cell after it, so a sheet is rearranged only when nothing refers to its cells by position:
  no formula in it or naming it elsewhere, no merged cells, drawings, charts, comments, tables,
  conditional formats, validations, filters, pivot sources or defined names on it. Any other sheet
  gets the default (and ``report["warnings"]`` says which and why): a reference rewritten wrongly
  would corrupt the workbook silently.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from bisect import bisect_left
from collections.abc import Callable

from lxml import etree

from ..errors import UnsupportedFormatError
from ..text.pieces import needs_translation
from ..translation.result import DocumentTranslation
from .formats import Format, Job

Translate = Callable[[list[str]], list[DocumentTranslation]]
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHEET = re.compile(r"^xl/worksheets/sheet\d+\.xml$")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _q(name: str) -> str:
    return f"{{{S}}}{name}"


def _parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    if b"<!ENTITY" in data[:4096]:
        raise UnsupportedFormatError("The workbook declares XML entities, which are not accepted.")
    return etree.fromstring(data, parser)


def _text(holder) -> str:
    """The text of a shared or inline string (``<si>``/``<is>``): its runs' text, phonetic hints left out."""
    return "".join(t.text or "" for t in holder.iter(_q("t")) if etree.QName(t.getparent()).localname != "rPh")


def _write(holder, text: str) -> None:
    """``text`` in place of a string's runs: one run, with the first run's formatting."""
    runs = holder.findall(_q("r"))
    props = runs[0].find(_q("rPr")) if runs else None
    for child in list(holder):
        if etree.QName(child).localname in ("t", "r"):
            holder.remove(child)
    if props is not None:
        run = etree.Element(_q("r"))
        run.append(props)
        target = etree.SubElement(run, _q("t"))
        holder.insert(0, run)
    else:
        target = etree.Element(_q("t"))
        holder.insert(0, target)
    target.text = text
    if text != text.strip() or "\n" in text:
        target.set(_XML_SPACE, "preserve")


def translate_xlsx(data: bytes, translate: Translate, *, bilingual: bool = False, sheet_names: bool = False,
                   layout: str = "", warnings: list[str] | None = None) -> bytes:
    """The workbook ``data`` with its cells' text translated (see the module docstring); ``warnings`` receives
    why a sheet kept the default bilingual layout."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        if "xl/workbook.xml" not in names:
            raise UnsupportedFormatError("The file is not an Excel workbook (it has no xl/workbook.xml).")
        parts = {name: _parse(package.read(name)) for name in names
                 if name == "xl/sharedStrings.xml" or name == "xl/workbook.xml" or _SHEET.match(name)}
        holders = []
        shared = parts.get("xl/sharedStrings.xml")
        if shared is not None:
            holders += shared.findall(_q("si"))
        for name, root in parts.items():
            if _SHEET.match(name):
                holders += [c.find(_q("is")) for c in root.iter(_q("c"))
                            if c.get("t") == "inlineStr" and c.find(_q("is")) is not None]
        texts = [(holder, _text(holder)) for holder in holders]
        texts = [(holder, text) for holder, text in texts if needs_translation(text)]
        sheets = _renamable(parts) if sheet_names else []
        docs = translate([text for _, text in texts] + [title for _, title in sheets]) if texts or sheets else []
        if layout:
            translated = {id(holder): doc.text for (holder, _), doc in zip(texts, docs)}
            _arrange(package, parts, shared, translated, layout, warnings if warnings is not None else [])
        else:
            for (holder, text), doc in zip(texts, docs):
                _write(holder, f"{text}\n{doc.text}" if bilingual else doc.text)
        _rename(sheets, docs[len(texts):], bilingual)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in package.infolist():
                content = (etree.tostring(parts[info.filename], xml_declaration=True, encoding="UTF-8",
                                          standalone=True) if info.filename in parts else package.read(info))
                target.writestr(info, content)
    return out.getvalue()


_FIXED = ("mergeCells", "drawing", "legacyDrawing", "legacyDrawingHF", "picture", "oleObjects", "controls",
          "tableParts", "conditionalFormatting", "dataValidations", "autoFilter", "sortState", "scenarios",
          "protectedRanges", "ignoredErrors")  # what names cells of a sheet by position
_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")
MAX_COLUMNS, MAX_ROWS = 16_384, 1_048_576  # Excel's


def _arrange(package, parts, shared, translated: dict[int, str], layout: str, warnings: list[str]) -> None:
    """Each sheet's translations in new columns (``side``) or rows (``below``) where nothing refers to its
    cells by position; in the cells themselves, on a second line, elsewhere (with a warning)."""
    strings = shared.findall(_q("si")) if shared is not None else []
    workbook = parts["xl/workbook.xml"]
    sheets = _sheet_files(package, workbook)
    others = _references(package, parts)
    for name, title in sheets.items():
        root = parts.get(name)
        if root is None:
            continue
        cells = []  # (cell, its text's holder, the translation)
        for cell in root.iter(_q("c")):
            holder = cell.find(_q("is")) if cell.get("t") == "inlineStr" else None
            if cell.get("t") == "s":
                value = cell.findtext(_q("v"))
                holder = strings[int(value)] if value and value.isdigit() and int(value) < len(strings) else None
            if holder is not None and id(holder) in translated:
                cells.append((cell, holder, translated[id(holder)]))
        if not cells:
            continue
        why = _fixed(root, title, others) or _too_big(root, cells, layout)
        if why:
            warnings.append(f"Sheet {title!r} keeps each translation in its cell, on a second line: {why}.")
            for cell, holder, text in cells:
                _inline(cell, f"{_text(holder)}\n{text}")
            continue
        _insert(root, cells, layout)


def _sheet_files(package, workbook) -> dict[str, str]:
    """The workbook's sheets: their part names and titles, in order."""
    rels = _parse(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in workbook.iter(_q("sheet")):
        target = targets.get(sheet.get(_RID), "")
        name = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[posixpath.normpath(name)] = sheet.get("name", "")
    return out


def _references(package, parts) -> str:
    """Every text that may name a sheet's cells from outside it: formulas, defined names, charts, pivots."""
    texts = [f.text or "" for root in parts.values() for f in root.iter(_q("f"))]
    texts += [d.text or "" for d in parts["xl/workbook.xml"].iter(_q("definedName"))]
    for name in package.namelist():
        if name.startswith(("xl/charts/", "xl/pivotCache/", "xl/externalLinks/")) and name.endswith(".xml"):
            texts.append(package.read(name).decode("utf-8", errors="replace"))
    return "\n".join(texts)


def _fixed(root, title: str, others: str) -> str:
    """Why a sheet's cells cannot move (empty: they can)."""
    found = [etree.QName(e).localname for e in root if etree.QName(e).localname in _FIXED]
    if found:
        return f"it has {', '.join(dict.fromkeys(found))}"
    if root.find(f".//{_q('f')}") is not None:
        return "it has formulas"
    if title and (f"{title}!" in others or f"'{title.replace(chr(39), chr(39) * 2)}'!" in others):
        return "formulas, names or charts refer to it"
    return ""


def _too_big(root, cells, layout: str) -> str:
    """Why the new columns or rows cannot be placed in a sheet (empty: they can): a cell or row without its
    position (it would be placed by its order), or too many of them for Excel's grid."""
    if any(not _CELL.match(c.get("r", "")) for c in root.iter(_q("c"))) or any(
            not r.get("r", "").isdigit() for r in root.iter(_q("row"))):
        return "its cells are not all named by their position"
    found = [_CELL.match(cell.get("r", "")) for cell, _, _ in cells]
    used = {_number(m.group(1)) if layout == "side" else int(m.group(2)) for m in found}
    if max(used) + len(used) > (MAX_COLUMNS if layout == "side" else MAX_ROWS):
        return f"the new {'columns' if layout == 'side' else 'rows'} would not fit in it"
    return ""


def _inline(cell, text: str) -> None:
    """A cell's value replaced by an inline string (its style kept)."""
    for child in list(cell):
        cell.remove(child)
    cell.set("t", "inlineStr")
    holder = etree.SubElement(cell, _q("is"))
    target = etree.SubElement(holder, _q("t"))
    target.text = text
    if text != text.strip() or "\n" in text:
        target.set(_XML_SPACE, "preserve")


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _number(letters: str) -> int:
    n = 0
    for char in letters:
        n = n * 26 + ord(char) - 64
    return n


def _insert(root, cells, layout: str) -> None:
    """New columns (``side``) or rows (``below``) of translations, every cell after them moved."""
    data = root.find(_q("sheetData"))
    where = {id(cell): _CELL.match(cell.get("r", "")) for cell, _, _ in cells}
    chosen = sorted({_number(m.group(1)) if layout == "side" else int(m.group(2)) for m in where.values()})

    def moved(n: int) -> int:  # a column's or row's new number
        return n + bisect_left(chosen, n)

    def cell_ref(ref: str) -> str:
        m = _CELL.match(ref.replace("$", ""))
        if not m:
            return ref
        column, row = _number(m.group(1)), int(m.group(2))
        return (f"{_letters(moved(column))}{row}" if layout == "side" else f"{m.group(1)}{moved(row)}")

    extra = {id(cell): text for cell, _, text in cells}
    for row in list(data.iter(_q("row"))):
        number = int(row.get("r", "0") or 0)
        added = []
        for cell in list(row.iter(_q("c"))):
            cell.set("r", cell_ref(cell.get("r", "")))
            if id(cell) in extra:
                twin = etree.Element(_q("c"), {k: v for k, v in cell.attrib.items() if k in ("s",)})
                _inline(twin, extra[id(cell)])
                m = _CELL.match(cell.get("r", ""))
                if layout == "side":
                    twin.set("r", f"{_letters(_number(m.group(1)) + 1)}{m.group(2)}")
                    cell.addnext(twin)
                else:
                    twin.set("r", f"{m.group(1)}{int(m.group(2)) + 1}")
                    added.append(twin)
        row.attrib.pop("spans", None)  # an optional hint of the row's columns: left for Excel to recount
        if layout == "below" and number:
            row.set("r", str(moved(number)))
            if added:
                twin_row = etree.Element(_q("row"), {k: v for k, v in row.attrib.items() if k != "r"})
                twin_row.set("r", str(moved(number) + 1))
                for twin in added:
                    twin_row.append(twin)
                row.addnext(twin_row)
    _move_around(root, chosen, layout, cell_ref, moved)


def _move_around(root, chosen: list[int], layout: str, cell_ref, moved) -> None:
    """What names the sheet's cells or columns besides the cells: its dimension, views, hyperlinks, column
    widths and page breaks, moved with them."""
    def area(ref: str) -> str:
        return " ".join(":".join(cell_ref(part) for part in piece.split(":")) for piece in ref.split())

    for element in root.iter(_q("dimension"), _q("hyperlink"), _q("selection"), _q("pane")):
        for attribute in ("ref", "sqref", "activeCell", "topLeftCell"):
            if element.get(attribute):
                element.set(attribute, area(element.get(attribute)))
        split = "xSplit" if layout == "side" else "ySplit"
        if etree.QName(element).localname == "pane" and element.get(split):
            frozen = int(float(element.get(split)))
            element.set(split, str(moved(frozen + 1) - 1))
    dimension = root.find(_q("dimension"))
    if dimension is not None and dimension.get("ref"):  # the new cells may lie past its corner
        first, _, last = dimension.get("ref").partition(":")
        m = _CELL.match(last or first)
        if m:
            grown = (f"{_letters(_number(m.group(1)) + 1)}{m.group(2)}" if layout == "side"
                     else f"{m.group(1)}{int(m.group(2)) + 1}")
            dimension.set("ref", f"{first}:{grown}")
    breaks = root.find(_q("colBreaks" if layout == "side" else "rowBreaks"))
    if breaks is not None:
        for brk in breaks.iter(_q("brk")):
            if brk.get("id", "").isdigit():
                brk.set("id", str(moved(int(brk.get("id")) + 1) - 1))
    if layout == "side":
        _widen(root, chosen, moved)


def _widen(root, chosen: list[int], moved) -> None:
    """Column widths moved with their columns; each new column as wide as the one it translates."""
    cols = root.find(_q("cols"))
    if cols is None:
        return
    ranges = []
    for col in cols.findall(_q("col")):
        low, high = int(col.get("min", "1")), int(col.get("max", "1"))
        start = low
        for column in (c for c in chosen if low <= c <= high):  # up to a translated column, then its new one
            ranges.append((moved(start), moved(column), col.attrib))
            ranges.append((moved(column) + 1, moved(column) + 1, col.attrib))
            start = column + 1
        if start <= high:
            ranges.append((moved(start), moved(high), col.attrib))
        cols.remove(col)
    for low, high, attributes in sorted(ranges, key=lambda r: r[0]):
        if low > MAX_COLUMNS:
            continue
        col = etree.SubElement(cols, _q("col"), dict(attributes))
        col.set("min", str(low))
        col.set("max", str(min(high, MAX_COLUMNS)))


def _renamable(parts) -> list[tuple[object, str]]:
    """The sheets whose names may be translated: (their ``<sheet>`` element, their name); none that a
    formula or a defined name refers to."""
    workbook = parts["xl/workbook.xml"]
    formulas = " ".join(f.text or "" for root in parts.values() for f in root.iter(_q("f")))
    formulas += " ".join(d.text or "" for d in workbook.iter(_q("definedName")))
    return [(sheet, sheet.get("name", "")) for sheet in workbook.iter(_q("sheet"))
            if needs_translation(sheet.get("name", "")) and sheet.get("name", "") not in formulas]


def _rename(sheets, docs, bilingual: bool) -> None:
    taken = {sheet.get("name") for sheet, _ in sheets}
    for (sheet, title), doc in zip(sheets, docs):
        new = _BAD_TITLE.sub(" ", doc.text).strip().strip("'")
        new = f"{title} {new}" if bilingual else new
        new = new[:31].strip()  # Excel's limit
        if new and new not in taken:
            taken.add(new)
            sheet.set("name", new)


def _translate(job: Job) -> bytes:
    from .word import office_package

    return office_package(job, lambda data, translate, bilingual: translate_xlsx(
        data, translate, bilingual=bilingual, sheet_names=job.sheet_names, layout=job.layout,
        warnings=job.report.setdefault("warnings", [])), "xlsx")


FORMAT = Format("Excel", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _translate)
