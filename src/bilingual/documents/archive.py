"""Zip packages (.docx, .pptx) read without trusting what they declare.

A zip's directory states each member's size, and a hostile file states small ones: a 1.9 MB
``.docx`` whose directory declared 5.9 KB inflated to 1.9 GB inside ``zipfile`` (which asks zlib
for up to 2 GB at once when a member is read whole). Here every member is inflated in small
steps and the bytes that really come out are counted, against three limits, stopping at the
first one passed:

* :data:`MAX_UNCOMPRESSED_BYTES` for the whole package;
* :data:`MAX_XML_BYTES` for its XML, which is what costs memory: a document parsed and walked
  (lxml, python-docx, our paragraphs) took 32x its XML in ``benchmarks/abuse.py``, so one
  document's memory stays under :data:`XML_MEMORY_FACTOR` x its XML, at most about 1 GB;
* :data:`MAX_MEMBERS` members.

What was read is written into a new package whose directory tells the truth (members stored,
not compressed), and only that package reaches the Office libraries: whatever the original's
directory said, they never inflate more than was counted here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from ..errors import UnsupportedFormatError

MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_XML_BYTES = 24 * 1024 * 1024
MAX_MEMBERS = 10_000
XML_MEMORY_FACTOR = 40  # memory per byte of XML while a document is read, rounded up from the measured 32
_STEP = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class Package:
    """A zip package read and counted: its members' real contents, repacked.

    Attributes:
        data: the new package (members stored, sizes true).
        unpacked: bytes of all members.
        xml: bytes of the XML members (what parsing costs memory for).
    """

    data: bytes
    unpacked: int
    xml: int

    @property
    def memory_estimate(self) -> int:
        """Bytes that reading this document may take at most (see the module docstring)."""
        return self.xml * XML_MEMORY_FACTOR + self.unpacked + len(self.data)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: what Office writes around an encrypted package
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .docx/.pptx/.xlsx is kept in
_OLD_FORMATS = {"docx": ".doc", "pptx": ".ppt", "xlsx": ".xls"}


def refuse_ole(data: bytes, kind: str) -> None:
    """A Compound File where a zip package belongs: a password-protected Office file, or the old binary format.

    Raises:
        UnsupportedFormatError: saying which, and what to do.
    """
    if not data.startswith(OLE_MAGIC):
        return
    if _ENCRYPTED in data:
        raise UnsupportedFormatError(
            f"The {kind} file is password-protected. Open it, remove the password (File → Info → Protect), save "
            "it, and upload that copy.")
    old = _OLD_FORMATS.get(kind, "binary Office")
    raise UnsupportedFormatError(
        f"The file is an old {old} document, not {kind}. Save it as .{kind} (File → Save As) and upload that.")


def read_package(data: bytes, kind: str) -> Package:
    """Inflate and count every member of a zip package; see the module docstring.

    Raises:
        UnsupportedFormatError: not a zip, damaged (a CRC error), encrypted, an unknown compression
            method, or over a limit (the message names it); a password-protected Office file (a
            Compound File holding the encrypted package) says so.
    """
    refuse_ole(data, kind)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnsupportedFormatError(f"The file is not a valid {kind} document (it is not a zip package).") from exc
    too_big = UnsupportedFormatError(
        f"The {kind} file unpacks to more than {_mb(MAX_UNCOMPRESSED_BYTES)}, more than this server accepts; "
        "it is refused (it may be a zip bomb). Split it into smaller documents.")
    out = io.BytesIO()
    unpacked = xml = 0
    with archive, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as repacked:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnsupportedFormatError(f"The {kind} file has {len(members):,} parts, more than {MAX_MEMBERS:,}.")
        for info in members:
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise UnsupportedFormatError(f"The {kind} file is encrypted; save an unprotected copy and upload that.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnsupportedFormatError(f"The {kind} file uses a compression method Office files do not use.")
            is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
            chunks = []
            try:
                with archive.open(info) as member:
                    while True:
                        chunk = member.read(_STEP)  # at most _STEP bytes inflated per call
                        if not chunk:
                            break
                        unpacked += len(chunk)
                        if unpacked > MAX_UNCOMPRESSED_BYTES:
                            raise too_big
                        if is_xml:
                            xml += len(chunk)
                            if xml > MAX_XML_BYTES:
                                raise UnsupportedFormatError(
                                    f"The {kind} file holds more than {_mb(MAX_XML_BYTES)} of XML, more than this "
                                    "server reads at once; split it into smaller documents.")
                        chunks.append(chunk)
            except UnsupportedFormatError:
                raise
            except Exception as exc:  # noqa: BLE001 - BadZipFile (a CRC error), zlib.error, EOFError: damaged
                raise UnsupportedFormatError(f"The {kind} file is damaged (a part cannot be unpacked).") from exc
            repacked.writestr(_stored(info), b"".join(chunks))
    return Package(out.getvalue(), unpacked, xml)


def _stored(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = zipfile.ZIP_STORED
    new.external_attr = info.external_attr
    return new


def xml_text(markup: str) -> str:
    """The text of an XML part (an e-book's chapter, an OpenDocument's content), for its size and language:
    parsed with entities neither resolved nor fetched, leniently."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    try:
        root = etree.fromstring(markup.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return ""
    return " ".join(root.itertext()) if root is not None else ""


def repack(book: zipfile.ZipFile, changed: dict[str, bytes]) -> bytes:
    """The package again, in its order, with ``mimetype`` first and stored (readers check it)."""
    out = io.BytesIO()
    infos = sorted(book.infolist(), key=lambda info: info.filename != "mimetype")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            content = changed.get(info.filename, None)
            if info.filename == "mimetype":
                target.writestr("mimetype", book.read(info), compress_type=zipfile.ZIP_STORED)
            else:
                target.writestr(info, content if content is not None else book.read(info),
                                compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
