"""Facts: what the analysis found, before any rule decides. Plain records; the rules in
``tmplint/rules`` turn them into findings (the rename family's facts are still ``checker.Fact``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import libcst as cst


class SharedTmpLiteral(NamedTuple):
    """A literal naming something inside a shared temp folder (``"/tmp/app.log"``)."""

    node: cst.CSTNode
    spelling: str  # as the program builds it: "/tmp/{user}.log"
    reaches_filesystem: bool  # it flows to open/mkdir/remove/bind/... (analysis/pathflow.py)


class MktempCall(NamedTuple):
    """A call of ``tempfile.mktemp``, however imported."""

    node: cst.CSTNode
