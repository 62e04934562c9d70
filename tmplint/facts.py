"""Facts: what the analysis found, before any rule decides. Plain records; the rules in
``tmplint/rules`` turn them into findings. The in-file checker and the project index make the
same facts, so a rule decides alike whether a helper is in the file or in another one."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import libcst as cst

    from tmplint.analysis.values import Value

# How a rename reaches its temp path (TempRename.via)
RENAME = "rename"  # the scope renames it itself: os.replace(tmp, path)
HELPER = "helper"  # the scope passes the temp name to a helper that renames it
DEFAULT = "default"  # a helper parameter's default is the temp name


class TempRename(NamedTuple):
    """A rename into place with its temp path valued as it reaches the rename (arguments substituted)."""

    src: Value
    dst: Value
    written: bool  # the scope (or the helper) wrote the temp path before the rename
    locked: bool  # the write and the rename are held by an inter-process lock
    via: str  # RENAME, HELPER or DEFAULT
    label: str  # "os.replace", or the helper's name
    dst_text: str = ""  # the destination as written, for a derived name's message
    where: str = ""  # where a helper renames: "line 21", "utils.py:21"
    parameter: str = ""  # the parameter whose default is the temp name (DEFAULT)


class TempNameKeyword(NamedTuple):
    """A value passed to a helper no file shows, as a temp-name keyword (``tmp_file_name=``) or a
    configured ``save-helpers`` parameter."""

    value: Value
    keyword: str
    label: str


class SharedTmpLiteral(NamedTuple):
    """A literal naming something inside a shared temp folder (``"/tmp/app.log"``)."""

    node: cst.CSTNode
    spelling: str  # as the program builds it: "/tmp/{user}.log"
    reaches_filesystem: bool  # it flows to open/mkdir/remove/bind/... (analysis/pathflow.py)


class MktempCall(NamedTuple):
    """A call of ``tempfile.mktemp``, however imported."""

    node: cst.CSTNode
