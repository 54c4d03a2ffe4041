"""Make the real-documents corpus (tests/fixtures/real/): files written by real office software.

The words are this project's own (the tests' sentence pairs, tests/fixtures/corpus.py); the files
are written by LibreOffice 7.4 (Writer and Impress, two .docx and two .pptx filters each), pandoc
2.17 and pdfLaTeX, so they hold the structures those programs write and python-docx, python-pptx
and reportlab do not: fields and their results, tracked changes, comments, footnotes, bookmarks,
tabs and breaks inside paragraphs, links, tables, lists, images, headers and footers, speaker
notes, a table of contents. tests/test_real_documents.py translates each one with the tiny models
and counts every structure before and after.

Needs ``soffice``, ``pandoc`` and ``pdflatex`` (Debian: libreoffice-writer-nogui,
libreoffice-impress-nogui, pandoc, texlive-latex-base, texlive-latex-recommended); the tests do not,
they read the files committed. Run: ``python scripts/make_real_documents.py``.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fixtures.corpus import PAIRS  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "real"
EN = [en for _, en in PAIRS if en.endswith(".")]
ZH = [zh for zh, en in PAIRS if en.endswith(".")]
WORD_FILTERS = {"lo2007": "docx:MS Word 2007 XML", "looxml": "docx:Office Open XML Text"}
SLIDE_FILTERS = {"lo2007": "pptx:Impress MS PowerPoint 2007 XML", "looxml": "pptx:Impress Office Open XML"}

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def _fodt(body: str, *, header: str = "", footer: str = "", changes: str = "") -> str:
    """A flat OpenDocument text: styles (bold, italic), a page with a header and footer, the body."""
    master = ""
    if header or footer:
        master = ('<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">'
                  f'<style:header><text:p>{header}</text:p></style:header>'
                  f'<style:footer><text:p>{footer}</text:p></style:footer></style:master-page></office:master-styles>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
            'office:mimetype="application/vnd.oasis.opendocument.text">'
            '<office:automatic-styles><style:page-layout style:name="pm1"/>'
            '<style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/>'
            '</style:style><style:style style:name="I" style:family="text">'
            '<style:text-properties fo:font-style="italic"/></style:style></office:automatic-styles>'
            f'{master}<office:body><office:text>{changes}{body}</office:text></office:body></office:document>')


def _p(inner: str) -> str:
    return f"<text:p>{inner}</text:p>"


def _image(png: bytes) -> str:
    data = base64.b64encode(png).decode()
    return ('<text:p><draw:frame draw:name="Picture" svg:width="1cm" svg:height="1cm" text:anchor-type="as-char">'
            f'<draw:image><office:binary-data>{data}</office:binary-data></draw:image></draw:frame></text:p>')


def sources(png: bytes) -> dict[str, str]:
    """The Writer documents, by name: each shows some of the structures real files hold."""
    link = '<text:a xlink:type="simple" xlink:href="https://example.com/{0}">{1}</text:a>'
    return {
        "press": _fodt(
            f'<text:h text:outline-level="1">{EN[0]}</text:h>'
            + _p(f'{EN[1]} {link.format("visit", EN[2])} {EN[3]}')
            + _p(f'<text:span text:style-name="B">{EN[4]}</text:span> {EN[5]}<text:tab/>{EN[6]}<text:line-break/>{EN[7]}')
            + _p(f'{EN[8]}<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation>'
                 f'<text:note-body><text:p>{EN[9]}</text:p></text:note-body></text:note> {EN[10]}')
            + _image(png)
            + '<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>'
            + "".join(f"<table:table-row><table:table-cell><text:p>{a}</text:p></table:table-cell>"
                      f"<table:table-cell><text:p>{b}</text:p></table:table-cell></table:table-row>"
                      for a, b in ((EN[11], "2023"), (EN[12], "12.5%")))
            + "</table:table>"
            + "<text:list>" + "".join(f"<text:list-item><text:p>{s}</text:p></text:list-item>" for s in EN[13:16])
            + "</text:list>",
            header=EN[16], footer=f'{EN[17]} <text:page-number text:select-page="current">1</text:page-number>'),
        "fields": _fodt(
            '<text:table-of-content text:name="TOC"><text:table-of-content-source text:outline-level="2">'
            '<text:index-title-template>Contents</text:index-title-template></text:table-of-content-source>'
            f'<text:index-body><text:p>{EN[18]}</text:p></text:index-body></text:table-of-content>'
            + f'<text:h text:outline-level="1">{EN[18]}</text:h>'
            + _p(f'{EN[19]} <text:date>2024-05-06</text:date> {EN[20]}')
            + _p(f'<text:bookmark-start text:name="b1"/>{EN[21]}<text:bookmark-end text:name="b1"/> {EN[22]}')
            + _p(f'{EN[23]} <text:bookmark-ref text:reference-format="text" text:ref-name="b1">{EN[21]}'
                 '</text:bookmark-ref>')
            + _p(f'Table <text:sequence text:name="Table" text:formula="ooow:Table+1" style:num-format="1">1'
                 f'</text:sequence>: {EN[24]}')
            + _p(f'{EN[25]} <text:page-count>1</text:page-count>'),
            footer='<text:page-number text:select-page="current">1</text:page-number>'),
        "review": _fodt(
            _p(f'{EN[1]} <text:change-start text:change-id="c1"/>{EN[2]}<text:change-end text:change-id="c1"/>'
               f'<text:change text:change-id="c2"/> {EN[3]}')
            + _p(f'<office:annotation><dc:creator>Reviewer</dc:creator><dc:date>2024-05-06T10:00:00</dc:date>'
                 f'<text:p>{EN[4]}</text:p></office:annotation>{EN[5]} {EN[6]}')
            + _p(f'{EN[7]} {link.format("a", EN[8])} {link.format("b", EN[9])}'),
            changes='<text:tracked-changes text:track-changes="true">'
                    '<text:changed-region text:id="c1"><text:insertion><office:change-info><dc:creator>Editor'
                    '</dc:creator><dc:date>2024-05-06T10:00:00</dc:date></office:change-info></text:insertion>'
                    '</text:changed-region><text:changed-region text:id="c2"><text:deletion><office:change-info>'
                    '<dc:creator>Editor</dc:creator><dc:date>2024-05-06T10:00:00</dc:date></office:change-info>'
                    f'<text:p>{EN[10]}</text:p></text:deletion></text:changed-region></text:tracked-changes>'),
        "chinese": _fodt(
            f'<text:h text:outline-level="1">{ZH[0]}</text:h>'
            + _p(f'{ZH[1]}{link.format("cq", ZH[2])}{ZH[3]}<text:tab/>{ZH[4]}')
            + _p(f'<text:span text:style-name="I">{ZH[5]}</text:span>{ZH[6]}<text:line-break/>{ZH[7]}'),
            header=ZH[8]),
    }


ARTICLE = f"""# {EN[0]}

{EN[1]} [{EN[2]}](https://example.com/report) {EN[3]}[^1]

[^1]: {EN[4]}

## {EN[5]}

- {EN[6]}
- **{EN[7]}** {EN[8]}

| {EN[9]} | 2023 |
|---|---|
| {EN[10]} | 12.5% |

![{EN[11]}](image.png)

> {EN[12]}
"""

DECK = f"""---
title: {EN[0]}
---

# {EN[1]}

- {EN[2]}
- [{EN[3]}](https://example.com/deck)

::: notes
{EN[4]}
:::

# {EN[5]}

| {EN[6]} | 2023 |
|---|---|
| {EN[7]} | 5% |

# {EN[8]}

![{EN[9]}](image.png)
"""

PAPER = r"""\documentclass[twocolumn]{article}
\usepackage[hidelinks]{hyperref}
\begin{document}
\section{%s}
%s %s %s\footnote{%s}
\begin{itemize}
\item %s %s
\item %s
\end{itemize}
%s \href{https://example.com/paper}{%s} %s %s %s %s
\section{%s}
%s %s %s %s %s
\end{document}
""" % tuple(EN[:20])


def run(*command: str, cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def main() -> None:
    for tool in ("soffice", "pandoc", "pdflatex"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (see this script's docstring)")
    OUT.mkdir(parents=True, exist_ok=True)
    png = _png()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        profile = f"-env:UserInstallation=file://{work}/profile"
        (work / "image.png").write_bytes(png)

        def office(source: Path, target: str, name: str) -> None:
            folder = work / "lo" / name
            folder.mkdir(parents=True, exist_ok=True)
            run("soffice", profile, "--headless", "--convert-to", target, "--outdir", str(folder), str(source), cwd=work)
            made = next(folder.iterdir())
            shutil.copyfile(made, OUT / f"{name}{made.suffix}")

        for name, xml in sources(png).items():
            source = work / f"{name}.fodt"
            source.write_text(xml, encoding="utf-8")
            for flavour, target in WORD_FILTERS.items():
                office(source, target, f"writer-{name}-{flavour}")
            office(source, "odt", f"writer-{name}")
        office(work / "press.fodt", "pdf", "writer-press")
        (work / "article.md").write_text(ARTICLE, encoding="utf-8")
        run("pandoc", "article.md", "-o", str(OUT / "pandoc-article.docx"), cwd=work)
        run("pandoc", "article.md", "--toc", "-s", "-o", str(OUT / "pandoc-article-toc.docx"), cwd=work)
        run("pandoc", "article.md", "-o", str(OUT / "pandoc-article.odt"), cwd=work)
        run("pandoc", "article.md", "--metadata", f"title={EN[0]}", "-o", str(OUT / "pandoc-article.epub"), cwd=work)
        for flavour, target in WORD_FILTERS.items():
            office(OUT / "pandoc-article.docx", target, f"pandoc-writer-article-{flavour}")
        (work / "deck.md").write_text(DECK, encoding="utf-8")
        run("pandoc", "deck.md", "-o", str(OUT / "pandoc-deck.pptx"), cwd=work)
        for flavour, target in SLIDE_FILTERS.items():
            office(OUT / "pandoc-deck.pptx", target, f"pandoc-impress-deck-{flavour}")
        office(OUT / "pandoc-deck.pptx", "odp", "pandoc-impress-deck")
        (work / "paper.tex").write_text(PAPER, encoding="utf-8")
        run("pdflatex", "-interaction=batchmode", "paper.tex", cwd=work)
        shutil.copyfile(work / "paper.pdf", OUT / "latex-paper.pdf")
        run("pandoc", "paper.tex", "-o", str(OUT / "pandoc-latex-paper.docx"), cwd=work)
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>8}  {path.name}")


if __name__ == "__main__":
    main()
