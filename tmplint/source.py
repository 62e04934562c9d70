"""Turning bytes on disk into text the parser accepts, with a reason when that is impossible."""

import ast
import io
import os
import re
import stat
import tokenize
import warnings
from typing import Iterator, List, Optional, Tuple


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


# The most a run reads of one file (unless max-file-size is set higher). A file over max-file-size is
# still read for the cheap screen; one over this bound is "too large" unread, so a huge sparse file
# cannot exhaust memory.
READ_LIMIT = 64 * 1024 * 1024


def read_limit(max_file_size: Optional[int] = None) -> int:
    """How many bytes of one file a run reads at most, given the configured ``max-file-size``."""
    return max(READ_LIMIT, max_file_size or 0)


def read_bytes(path: str, limit: int = READ_LIMIT) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; SourceError otherwise.

    The file is opened without blocking (a FIFO has no writer to wait for) and checked with ``fstat``
    on the open descriptor, so what is read is what was checked: a FIFO, a device (``/dev/zero``) or a
    folder is "not a regular file"; a file over the limit is "too large" and is not read, and a read
    stops at the limit should the file grow meanwhile.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("not a regular file")
        if info.st_size > limit:
            raise SourceError(f"too large to read ({info.st_size} bytes; the limit is {limit})")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:
        raise SourceError(f"too large to read (over {limit} bytes)")
    return data


def read_source(path: str, limit: int = READ_LIMIT) -> Tuple[str, str]:
    """Read (as ``read_bytes``) and decode one file; OSError becomes a SourceError naming the reason."""
    return decode_source(read_bytes(path, limit))


def standard_tree(text: str) -> Optional[ast.Module]:
    """The standard parser's tree of ``text``, or None where it refuses it (a syntax error, a NUL, too
    deep, out of memory). Its warnings (invalid escapes and the like) are not ours to report."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def statement_lines(tree: ast.Module) -> Iterator[Tuple[int, int]]:
    """(first, last) line of each statement's own logical line, or more: a simple statement's lines;
    a compound statement's from its first decorator to its body's first line (an ``except`` clause's
    likewise); a ``match`` statement (no ``body``) whole: what the parser guard's shortcut judges
    (``engine._surely_safe``) and the noqa lines are placed in."""
    todo: List[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        body = getattr(node, "body", None)
        if not (isinstance(body, list) and body):
            yield node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
            continue
        decorators = getattr(node, "decorator_list", ())
        yield min([node.lineno] + [d.lineno for d in decorators]), body[0].lineno  # type: ignore[attr-defined]
        todo.extend(body)
        todo.extend(getattr(node, "orelse", ()))
        todo.extend(getattr(node, "finalbody", ()))
        for handler in getattr(node, "handlers", ()):
            yield handler.lineno, handler.body[0].lineno
            todo.extend(handler.body)
