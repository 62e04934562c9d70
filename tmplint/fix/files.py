"""Changing files on disk (``--fix``, ``--add-noqa``): read, change, and write back atomically with the
file's own encoding and mode."""

import contextlib
import os
import signal
import stat
import uuid
from typing import Callable, List, NamedTuple, Optional, Sequence, Tuple

from tmplint.config import Config
from tmplint.diagnostics import Diagnostic
from tmplint.fix import fix_text
from tmplint.fix.guard import check_unchanged
from tmplint.source import SourceError, decode_source, read_bytes, read_limit


class FileFix(NamedTuple):
    path: str
    original: str
    fixed: str
    fixed_count: int  # findings fixed (not ``count``, which a tuple has as a method)
    remaining: List[Diagnostic]

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fix_file(path: str, config: Config, unsafe_fixes: bool = False, write: bool = True,
             inside: Optional[Sequence[str]] = None) -> FileFix:
    """Fix one file; with ``write`` the result replaces it atomically. Raises SourceError on bad input."""
    results = []

    def fix(text: str) -> str:
        results.append(fix_text(text, path, config, unsafe_fixes))
        return results[0].text

    text, fixed = rewrite_file(path, config, fix, write=write, inside=inside)
    return FileFix(path, text, fixed, results[0].fixed, results[0].remaining)


def rewrite_file(path: str, config: Config, change: Callable[[str], str], write: bool = True,
                 inside: Optional[Sequence[str]] = None) -> Tuple[str, str]:
    """Read a file, ``change`` its text, and with ``write`` replace it atomically when the text changed,
    in the file's own encoding: (the text, the changed text). Raises SourceError on bad input or a
    failed write (``--fix``, ``--add-noqa``).

    With ``inside`` (the folders a run was given), a file whose real path lies outside all of them (a
    symlink pointing out of the tree) is refused before it is read and again just before the write:
    ``--fix`` on a tree must not rewrite files elsewhere through links planted in it.
    """
    if write and inside is not None:
        _refuse_outside(path, inside)
    text, encoding = decode_source(read_bytes(path, read_limit(config.analysis.max_file_size)))
    changed = change(text)
    if changed != text and write:
        try:
            encoded = changed.encode(encoding)
        except UnicodeEncodeError as exc:
            raise SourceError(f"the fix cannot be written in {encoding}: {exc.reason}") from None
        if inside is not None:
            _refuse_outside(path, inside)  # a link swapped in while the file was being fixed
        try:
            write_atomically(path, encoded)
        except OSError as exc:
            raise SourceError(f"cannot write: {exc.strerror or exc}") from None
    return text, changed


def allowed_roots(paths: Sequence[str]) -> List[str]:
    """The real folders a ``--fix`` run may write in: each named folder, and the folder of each named file."""
    roots = []
    for given in paths:
        folder = given if os.path.isdir(given) else (os.path.dirname(given) or os.curdir)
        roots.append(os.path.realpath(folder))
    return roots


def _refuse_outside(path: str, inside: Sequence[str]) -> None:
    """SourceError unless ``path`` resolves to a regular file inside one of the real folders ``inside``."""
    target = os.path.realpath(path)
    for root in inside:
        if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
            break
    else:
        raise SourceError(f"a symlink to {target}, outside the folders named, is not followed")
    try:
        info = os.stat(target)
    except OSError:
        return  # the read reports it
    if not stat.S_ISREG(info.st_mode):
        raise SourceError("not a regular file")


def write_atomically(path: str, data: bytes) -> None:
    """Write through a unique temp file in the same folder and ``os.replace`` it onto the real file.

    The target keeps its permission bits and, as far as the process may set them, its owner and
    group (see :func:`_keep_owner`); a symlink is followed so the link itself stays. If anything
    fails before the rename the original is intact and the temp file is removed. In a ``--fix`` run a
    file that changed since the check is not replaced (``tmplint.fix.guard``).
    SIGINT and SIGTERM are held back while the temp file exists, so an interrupt lands before
    or after the write, never between creating the temp file and cleaning it up.
    """
    target = os.path.realpath(path)
    original = os.stat(target)
    mode = stat.S_IMODE(original.st_mode)
    folder, name = os.path.split(target)
    temp = os.path.join(folder, f".{name}.{uuid.uuid4().hex}.tmplint")
    with _signals_held():
        try:
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                _keep_owner(handle.fileno(), original)
            os.chmod(temp, mode)  # after the owner: chown clears the set-user/group-ID bits
            check_unchanged(target)  # in a --fix run: still what its check read, as late as can be
            os.replace(temp, target)
        except BaseException:
            try:
                os.unlink(temp)
            except OSError:
                pass
            raise


def _keep_owner(descriptor: int, original: os.stat_result) -> None:
    """Give the new file the original's owner and group where they differ (the new one is the
    process's: root fixing another user's file would take it over). A process that may not (not
    root, or a file system without owners) keeps what it may: the group, if it belongs to it, or
    nothing. The fix is written either way."""
    fchown = getattr(os, "fchown", None)
    if fchown is None:
        return
    created = os.fstat(descriptor)
    if (created.st_uid, created.st_gid) == (original.st_uid, original.st_gid):
        return
    try:
        fchown(descriptor, original.st_uid, original.st_gid)
        return
    except OSError:  # EPERM: only root may give a file away
        pass
    if created.st_gid != original.st_gid:
        try:
            fchown(descriptor, -1, original.st_gid)
        except OSError:
            pass


@contextlib.contextmanager
def _signals_held():
    """Block SIGINT and SIGTERM for the duration (POSIX); they are delivered when it ends."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:
        yield
        return
    previous = block(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)
