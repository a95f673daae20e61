"""Read a text file whatever its encoding: UTF-8 (with or without BOM), UTF-16, or GB18030 from Chinese systems."""

from __future__ import annotations

import re
from pathlib import Path

from charset_normalizer import from_bytes

from fanzha.intake.errors import IngestError, RecordError

_UNEXPECTED = re.compile(r"[^\x00-\u024f\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
"""Characters a Chinese or English record hardly holds: UTF-8 that decodes to them is likely GB18030 instead."""
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode ``data``; returns the text and the encoding used.

    UTF-8 is tried first, then GB18030 (a superset of GBK and GB2312, what Chinese bank and police systems
    export), then whatever charset-normalizer finds most likely. Short GB18030 text can also be valid UTF-8
    (转 is D7 AA, which is UTF-8 for Hebrew ת): then the reading without characters foreign to Chinese and English
    records wins.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    decoded = {encoding: _try_decode(data, encoding) for encoding in ("utf-8", "gb18030")}
    utf8, gb = decoded["utf-8"], decoded["gb18030"]
    if utf8 is not None and (gb is None or not _UNEXPECTED.search(utf8) or _UNEXPECTED.search(gb)):
        return utf8, "utf-8"
    if gb is not None:
        return gb, "gb18030"
    best = from_bytes(data).best()
    if best is None:
        raise IngestError([RecordError(source, "file", "", "cannot tell the text encoding")])
    return str(best), best.encoding


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


SNIFF_BYTES = 1024 * 1024
"""How much of the head of a file tells its encoding when it is read as a stream."""


def sniff_encoding(path: Path) -> tuple[str, str]:
    """The encoding of ``path`` told from its head (as :func:`decode_bytes` tells it), and the head decoded.

    The head is cut at its last line break so that no character is split; a file read as a stream with this
    encoding may still fail to decode further on, which its reader reports with the line.
    """
    source = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            whole = len(head) < SNIFF_BYTES or not handle.read(1)
    except OSError as error:
        raise IngestError([RecordError(source, "file", "", f"cannot read the file: {error}")]) from error
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, head.decode(encoding, errors="ignore")
    if not whole and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    text, encoding = decode_bytes(head, source)
    return encoding, text


def read_text(path: Path) -> tuple[str, str]:
    """The text of ``path`` and the encoding it was read with."""
    return decode_bytes(path.read_bytes(), str(path))
