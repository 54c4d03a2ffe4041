"""E-books (.epub 2 and 3): every XHTML document of the book through the HTML translator.

The package is read as the other zip formats are (counted while inflated, see :mod:`.archive`);
``META-INF/container.xml`` names the package document (OPF), whose manifest lists the XHTML
documents: the chapters of the spine and the navigation document (EPUB 3's table of contents).
Each is translated with :func:`~bilingual.documents.html.translate_html` as XHTML (its markup,
case and namespaces kept; ``lang``/``xml:lang`` set to the target), the EPUB 2 table of contents
(``toc.ncx``) gets its labels translated, and the OPF's ``dc:language`` becomes the target's. The
spine, the manifest, the other metadata, styles, fonts and images are kept byte for byte, and the
``mimetype`` entry stays first and uncompressed, as readers require. In bilingual mode each block
of the chapters is followed by its translation (the language is left as it was).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable

from lxml import etree

from ..errors import UnsupportedFormatError
from ..text.pieces import needs_translation
from .archive import repack, xml_text
from .formats import Format, Job, language_of
from .html import TranslateMany, translate_html

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
XHTML = "application/xhtml+xml"


def _xml(data: bytes):
    if b"<!ENTITY" in data:
        raise UnsupportedFormatError("The e-book declares XML entities, which are not accepted.")
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


def translate_epub(data: bytes, translate_many: TranslateMany, *, source: str | None, target_tag: Callable[[str], str],
                   bilingual: bool = False, check: Callable[[list[str]], None] | None = None) -> bytes:
    """The book ``data`` translated (see the module docstring); ``translate_many(texts, source)``; ``check``
    is given the text of every document before any is translated (the size limit)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = set(book.namelist())
        try:
            container = _xml(book.read("META-INF/container.xml"))
            opf_name = container.find(f".//{{{CONTAINER}}}rootfile").get("full-path")
            opf = _xml(book.read(opf_name))
        except (KeyError, AttributeError, etree.XMLSyntaxError) as exc:
            raise UnsupportedFormatError("The file is not a valid EPUB (its container or package document cannot "
                                         "be read).") from exc
        base = posixpath.dirname(opf_name)
        items = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
        spine = [items[ref.get("idref")] for ref in opf.iter(f"{{{OPF}}}itemref") if ref.get("idref") in items]
        documents = [posixpath.normpath(posixpath.join(base, item.get("href", ""))) for item in
                     spine + [i for i in items.values() if i not in spine and i.get("media-type") == XHTML]]
        documents = [name for name in dict.fromkeys(documents) if name in names]
        markup = {name: book.read(name).decode("utf-8", errors="replace") for name in documents}
        texts = [xml_text(markup[name]) for name in documents]
        if check is not None:
            check(texts)
        source = language_of(texts, source)
        changed: dict[str, bytes] = {}
        for name in documents:
            changed[name] = translate_html(markup[name], translate_many, source=source, lang_code=target_tag,
                                           bilingual=bilingual, xml=True).encode("utf-8")
        ncx = [posixpath.normpath(posixpath.join(base, i.get("href", ""))) for i in items.values()
               if i.get("media-type") == "application/x-dtbncx+xml"]
        for name in (n for n in ncx if n in names):
            changed[name] = _translate_ncx(book.read(name), translate_many, source, bilingual)
        if not bilingual:
            for language in opf.iter(f"{{{DC}}}language"):
                language.text = target_tag(source)
            changed[opf_name] = etree.tostring(opf, xml_declaration=True, encoding="UTF-8")
        return repack(book, changed)


def _translate_ncx(data: bytes, translate_many: TranslateMany, source: str, bilingual: bool) -> bytes:
    root = _xml(data)
    labels = [t for t in root.iter(f"{{{NCX}}}text") if t.text and needs_translation(t.text)]
    for label, out in zip(labels, translate_many([" ".join(t.text.split()) for t in labels], source) if labels else []):
        label.text = f"{label.text} / {out.text}" if bilingual else out.text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _translate(job: Job) -> bytes:
    with job.unpacked("epub") as package:
        return translate_epub(package.data, job.translate_from, source=job.source, target_tag=job.target_tag,
                              bilingual=job.bilingual,
                              check=lambda texts: job.translator.check_size(texts, document=True))


FORMAT = Format("EPUB", (".epub",), "application/epub+zip", _translate)
