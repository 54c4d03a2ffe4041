"""The Chinese font of a translated PDF.

A Noto Sans CJK font (or any CJK OpenType or TrueType font, ``BILINGUAL_PDF_FONT``) when one is
installed: cut down to the characters the document uses (fontTools), its PostScript outlines turned
into TrueType ones (reportlab embeds only TrueType), and embedded, so every viewer shows the same
glyphs. Otherwise reportlab's built-in CID font ``STSong-Light``, which needs no file but is not
embedded (the viewer draws it with a Song font of its own).

Each document gets its own subset, registered with reportlab while it is drawn and forgotten after,
so a long-running server does not keep every document's font.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)

BUILTIN = "STSong-Light"
# Where distributions install Noto Sans CJK (Debian and Ubuntu's fonts-noto-cjk, Fedora, Arch), and a
# TrueType CJK font some systems have instead.
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
_LOCK = threading.Lock()
_warned: set[str] = set()
_count = 0


def font_file(setting: str | None) -> Path | None:
    """The font file to embed: ``setting`` (a path; ``builtin``: none), else the first installed candidate."""
    if setting and setting.strip().lower() in ("builtin", BUILTIN.lower()):
        return None
    if setting:
        return Path(setting).expanduser()
    return next((Path(c) for c in CANDIDATES if Path(c).is_file()), None)


@contextmanager
def chinese_font(text: str, setting: str | None = None) -> Iterator[str]:
    """The reportlab font name to draw ``text`` in, registered while the block runs: an embedded subset of
    the CJK font (:func:`font_file`), or ``STSong-Light`` when there is none or it cannot be used."""
    from reportlab.pdfbase import pdfmetrics

    path = font_file(setting)
    # reportlab knows a font by its PostScript name too, and maps a second font of the same name to the
    # first: each subset gets a name of its own (what it holds, and a count)
    global _count
    with _LOCK:
        _count += 1
        name = f"BilingualCJK{_count}-" + hashlib.sha256(f"{path}|{text}".encode()).hexdigest()[:12]
    data = _subset(path, text, name) if path is not None else None
    if data is None:
        yield _builtin()
        return
    from reportlab.lib import fonts
    from reportlab.pdfbase.ttfonts import TTFont

    with _LOCK:
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    try:
        yield name
    finally:
        with _LOCK:  # forgotten: reportlab has no call for it, so its registries are emptied of this name
            pdfmetrics._fonts.pop(name, None)  # noqa: SLF001
            for face in (name, name.encode()):  # reportlab keeps the face's name as the font file's bytes
                pdfmetrics._dynFaceNames.pop(face, None)  # noqa: SLF001
            for bold in (0, 1):
                for italic in (0, 1):
                    fonts._tt2ps_map.pop((name.lower(), bold, italic), None)  # noqa: SLF001
            fonts._ps2tt_map.pop(name.lower(), None)  # noqa: SLF001


def _builtin() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    with _LOCK:
        if BUILTIN not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN))
    return BUILTIN


def _subset(path: Path, text: str, name: str) -> bytes | None:
    """The font at ``path`` cut down to ``text``'s characters (and ASCII), with TrueType outlines, under the
    PostScript name ``name``; None (and a warning, once per file) when fontTools is missing or the file is
    not a usable font."""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        _warn(str(path), "fontTools is not installed (pip install fonttools)")
        return None
    try:
        font = _simplified_face(path, TTFont)
        options = subset.Options()
        options.layout_features = []  # horizontal text, no shaping: reportlab draws glyph by glyph
        options.hinting = False
        options.desubroutinize = True
        options.notdef_outline = True
        options.name_IDs = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes={ord(c) for c in text} | set(range(0x20, 0x7F)))
        subsetter.subset(font)
        if "CFF " in font:
            _to_truetype(font)
        for record in font["name"].names:
            if record.nameID == 6:
                record.string = name
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()
    except Exception as exc:  # a broken or unusual font file: the built-in font still draws the text
        _warn(str(path), f"it could not be read ({type(exc).__name__})")
        return None


def _warn(path: str, why: str) -> None:
    if path not in _warned:
        _warned.add(path)
        logger.warning("The CJK font %s is not used for PDFs: %s; Chinese is drawn in %s (not embedded).",
                       Path(path).name, why, BUILTIN)


def _simplified_face(path: Path, loader):
    """The font, or in a collection (``.ttc``) its Simplified Chinese face (Noto's "SC"), else its first."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return loader(str(path), lazy=False)
    from fontTools.ttLib import TTCollection

    with TTCollection(str(path), lazy=True) as collection:
        count = len(collection.fonts)
        names = [" ".join(str(n) for n in f["name"].names if n.nameID in (1, 4)) for f in collection.fonts]
    index = next((i for i, n in enumerate(names) if " SC" in n or "Simplified" in n or "GB" in n), 0)
    return loader(str(path), fontNumber=min(index, count - 1), lazy=False)


def _to_truetype(font) -> None:
    """PostScript (CFF) outlines turned into TrueType ones, in place (fontTools' cu2qu)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    metrics = font["hmtx"].metrics
    for name, glyph in glyphs.items():  # left side bearings follow the new outlines
        width = metrics[name][0]
        metrics[name] = (width, getattr(glyph, "xMin", 0) if glyph.numberOfContours else 0)
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                      "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attribute, 1 if attribute == "maxZones" else 0)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
