"""OpenDocument text and presentations (.odt, .odp), as LibreOffice writes them.

The text lives in ``content.xml`` (paragraphs ``text:p``, headings ``text:h``, list items, table
cells, notes, the text boxes of drawings and slides) and, for headers and footers, ``styles.xml``.
Both go through the HTML translator's machinery in its OpenDocument mode
(:func:`~bilingual.documents.html.translate_html` with ``odf``): a paragraph is translated whole
over its spans, the translation written into its first text (into its link, ``text:a``, when it
has one: the link's target stays on the translated words); styles, spans, frames, images,
fields and note citations keep their place. Every other part of the package is copied byte for
byte, ``mimetype`` first and stored. The document's language (``dc:language`` in ``meta.xml``)
becomes the target's. In bilingual mode each paragraph is followed, after a line break, by its
translation.
"""

from __future__ import annotations

import io
import zipfile

from .archive import repack, xml_text
from .formats import Format, Job, language_of
from .html import translate_html

PARTS = ("content.xml", "styles.xml")


def translate_odf(data: bytes, translate_many, *, source: str | None, target_tag, bilingual: bool = False,
                  check=None, kind: str = "odt") -> bytes:
    """The document ``data`` translated (see the module docstring); ``translate_many(texts, source)``."""
    from ..errors import UnsupportedFormatError

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        if "content.xml" not in names:
            raise UnsupportedFormatError(f"The file is not a valid {kind} document (it has no content.xml).")
        markup = {name: package.read(name).decode("utf-8", errors="replace") for name in PARTS if name in names}
        texts = [xml_text(m) for m in markup.values()]
        if check is not None:
            check(texts)
        source = language_of(texts, source)
        changed = {name: translate_html(text, translate_many, source=source, lang_code=target_tag,
                                        bilingual=bilingual, odf=True).encode("utf-8")
                   for name, text in markup.items()}
        if "meta.xml" in names and not bilingual:
            meta = package.read("meta.xml")
            start, end = meta.find(b"<dc:language>"), meta.find(b"</dc:language>")
            if 0 <= start < end:
                changed["meta.xml"] = meta[:start] + f"<dc:language>{target_tag(source)}</dc:language>".encode() + \
                    meta[end + len(b"</dc:language>"):]
        return repack(package, changed)


def _translate(job: Job, kind: str) -> bytes:
    with job.unpacked(kind) as package:
        return translate_odf(package.data, job.translate_from, source=job.source, target_tag=job.target_tag,
                             bilingual=job.bilingual,
                             check=lambda texts: job.translator.check_size(texts, document=True), kind=kind)


ODT = Format("OpenDocument text", (".odt",), "application/vnd.oasis.opendocument.text",
             lambda job: _translate(job, "odt"))
ODP = Format("OpenDocument presentation", (".odp",), "application/vnd.oasis.opendocument.presentation",
             lambda job: _translate(job, "odp"))
