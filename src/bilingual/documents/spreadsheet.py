"""Excel workbooks (.xlsx): the text of the cells translated in the package's own XML.

A cell's text lives in the workbook's shared strings (``xl/sharedStrings.xml``, one ``<si>`` per
distinct text, which any number of cells point at) or inline in a sheet (``<c t="inlineStr">``).
Only those are rewritten; every other part of the package is copied byte for byte, so numbers,
dates, formulas and their cached results, styles, merged cells, comments, charts, images, pivot
tables and macros' parts stay exactly as they were (a library that loads and saves the workbook,
as openpyxl does, drops charts and images). A rich-text cell becomes one run with its first run's
formatting (inline emphasis cannot be placed on the translated words, as in Word).

Sheet names are translated only when asked (``sheet_names``), and never a sheet's that a formula
or a defined name refers to (renaming would break the reference). In bilingual mode a cell holds
its text and, on the next line, the translation: rows and columns are not inserted, as that would
move every formula, merged range and chart reference after them.
"""

from __future__ import annotations

import io
import re
import zipfile
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


def translate_xlsx(data: bytes, translate: Translate, *, bilingual: bool = False, sheet_names: bool = False) -> bytes:
    """The workbook ``data`` with its cells' text translated (see the module docstring)."""
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
        data, translate, bilingual=bilingual, sheet_names=job.sheet_names), "xlsx")


FORMAT = Format("Excel", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _translate)
