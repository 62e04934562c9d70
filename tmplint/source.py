"""Turning bytes on disk into text the parser accepts, with a reason when that is impossible."""

import io
import tokenize
from typing import Tuple


class SourceError(Exception):
    """The file cannot be analysed; ``str(self)`` is the reason shown to the user."""


def decode_source(data: bytes) -> Tuple[str, str]:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie); return (text, encoding)."""
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"bad encoding declaration: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"not valid {encoding}: {exc.reason if hasattr(exc, 'reason') else exc}") from None
    return text, encoding


def read_source(path: str) -> Tuple[str, str]:
    """Read and decode one file; OSError becomes a SourceError naming the reason."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    return decode_source(data)
