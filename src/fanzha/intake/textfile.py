"""Read a text file whatever its encoding: UTF-8 (with or without BOM), UTF-16, or GB18030 from Chinese systems."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from fanzha.intake.errors import IngestError, RecordError

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode ``data``; returns the text and the encoding used.

    UTF-8 is tried first, then GB18030 (a superset of GBK and GB2312, what Chinese bank and police systems
    export), then whatever charset-normalizer finds most likely.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise IngestError([RecordError(source, "file", "", "cannot tell the text encoding")])
    return str(best), best.encoding


def read_text(path: Path) -> tuple[str, str]:
    """The text of ``path`` and the encoding it was read with."""
    return decode_bytes(path.read_bytes(), str(path))
