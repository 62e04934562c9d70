"""Turning bytes on disk into text the parser accepts, with a reason when that is impossible."""

import io
import re
import tokenize
from typing import Tuple


_COOKIE = re.compile(rb"^(?:\xef\xbb\xbf)?[ \t\f]*#.*?coding[:=]", re.MULTILINE)  # after a UTF-8 BOM too


class SourceError(Exception):
    """The file cannot be analysed; ``str(self)`` is the reason shown to the user."""


def decode_source(data: bytes) -> Tuple[str, str]:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie); return (text, encoding)."""
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if not _COOKIE.search(b"\n".join(data.splitlines()[:2])):
            encoding = "utf-8"  # no cookie: detect_encoding failed on undecodable bytes in line 1 or 2
        else:
            reason = exc.msg if hasattr(exc, "msg") else str(exc)
            if reason == "encoding problem: utf-8":  # what tokenize says of a cookie that contradicts a BOM
                reason = "the coding cookie contradicts the UTF-8 BOM"
            raise SourceError(f"bad encoding declaration: {reason}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid {exc.encoding.replace('-sig', '')}: {exc.reason} at byte {exc.start}") from None
    except LookupError as exc:
        raise SourceError(f"bad encoding declaration: {exc}") from None
    return text, encoding


def read_source(path: str) -> Tuple[str, str]:
    """Read and decode one file; OSError becomes a SourceError naming the reason."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    return decode_source(data)
