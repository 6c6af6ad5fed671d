"""CSV dialect detection: encoding, separator, decimal mark, date format (data-contract.md).

Canonical dialect: UTF-8, comma, decimal point, ISO dates. The German office dialect (what Excel
and office software write): semicolon, decimal comma, Windows-1252 or UTF-8 with BOM, dates as
``DD.MM.YYYY``. Every file is detected on its own; the result is reported to the user, e.g.
``payments.csv: Semikolon, Dezimalkomma, Windows-1252, Datum TT.MM.JJJJ``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
CP1252 = "cp1252"
ASCII = "ascii"  # pure 7-bit: valid in every supported encoding, read as UTF-8

ENCODING_LABELS = {UTF8: "UTF-8", UTF8_BOM: "UTF-8 mit BOM", CP1252: "Windows-1252", ASCII: "ASCII"}
SEPARATOR_LABELS = {",": "Komma", ";": "Semikolon"}
SEPARATORS = (",", ";")
DATE_ISO = "iso"
DATE_GERMAN = "german"
DATE_LABELS = {DATE_ISO: "Datum JJJJ-MM-TT", DATE_GERMAN: "Datum TT.MM.JJJJ"}

# Bytes that Windows-1252 leaves undefined (Python's codec refuses them).
_CP1252_UNDEFINED_BYTES = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# A well-formed UTF-8 multi-byte sequence; its presence marks a file as (damaged) UTF-8.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CHUNK = 16 * 1024 * 1024


@dataclass(frozen=True)
class Dialect:
    """The detected dialect of one CSV file."""

    encoding: str = UTF8
    separator: str = ","
    decimal: str | None = "."  # None: the file has no decimal numbers
    dates: str | None = DATE_ISO  # None: the file has no (non-empty) dates

    def describe(self) -> str:
        """German description, e.g. ``Semikolon, Dezimalkomma, Windows-1252, Datum TT.MM.JJJJ``."""
        parts = [SEPARATOR_LABELS.get(self.separator, repr(self.separator))]
        if self.decimal == ",":
            parts.append("Dezimalkomma")
        elif self.decimal == ".":
            parts.append("Dezimalpunkt")
        parts.append(ENCODING_LABELS.get(self.encoding, self.encoding))
        if self.dates:
            parts.append(DATE_LABELS[self.dates])
        return ", ".join(parts)


@dataclass(frozen=True)
class EncodingResult:
    """Outcome of scanning a file: the encoding and whether every byte decodes in it."""

    encoding: str | None  # None: not a supported encoding at all (e.g. UTF-16)
    clean: bool
    reason: str = ""


def detect_encoding(path: Path, advance: Callable[[int], None] | None = None) -> EncodingResult:
    """Scan the whole file once (C speed, in chunks) and decide its encoding.

    UTF-8 BOM -> UTF-8 with BOM. Only 7-bit bytes -> ASCII. Otherwise UTF-8 if the whole file decodes as UTF-8. A file that
    does not decode as UTF-8 but holds well-formed UTF-8 multi-byte sequences is damaged UTF-8;
    without any, it is Windows-1252 (clean unless it holds one of the five undefined bytes).
    """
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return EncodingResult(
                None, False, "UTF-16 wird nicht unterstützt (bitte als UTF-8 oder Windows-1252 speichern)"
            )
        f.seek(0)
        bom = head.startswith(codecs.BOM_UTF8)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8_ok = True
        non_ascii = False
        while chunk := f.read(_CHUNK):
            if advance is not None:
                advance(len(chunk))
            if not utf8_ok:
                continue
            if chunk.isascii() and not decoder.getstate()[0]:  # C speed: most chunks of most files
                continue
            non_ascii = True
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    if bom:
        return EncodingResult(UTF8_BOM, utf8_ok)
    if utf8_ok:
        return EncodingResult(UTF8 if non_ascii else ASCII, True)
    # Not UTF-8: a second pass tells damaged UTF-8 from Windows-1252 (only such files pay for it).
    saw_multibyte = cp_undefined = False
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            if chunk.isascii():
                continue
            saw_multibyte = saw_multibyte or bool(_UTF8_MULTIBYTE.search(chunk))
            cp_undefined = cp_undefined or any(b in chunk for b in _CP1252_UNDEFINED_BYTES)
    if saw_multibyte:
        return EncodingResult(UTF8, False)
    return EncodingResult(CP1252, not cp_undefined)


def detect_separator(header: str, known_columns: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """Pick the separator (comma or semicolon) under which the header names the most known columns.

    Returns ``(separator, names)``; separator is ``None`` if neither splits the header into
    at least two fields.
    """
    best: tuple[int, int, str, list[str]] | None = None
    for sep in SEPARATORS:
        try:
            names = next(csv.reader([header], delimiter=sep, strict=True))
        except (csv.Error, StopIteration):
            continue
        names = [n.strip() for n in names]
        if len(names) < 2:
            continue
        score = (sum(n in known_columns for n in names), len(names))
        if best is None or score > best[:2]:
            best = (*score, sep, names)
    if best is None:
        return None, []
    return best[2], best[3]
