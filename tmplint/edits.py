"""Each fixable finding's fix as ruff's JSON gives it: edits of the finding's own file, so another tool
(an editor, a review bot) can apply one fix without running tmplint.

An edit is ``{"content": str, "location": {"row", "column"}, "end_location": {"row", "column"}}``, rows
and columns 1-based, columns in characters (code points), the end exclusive, as in ruff. A finding's
edits are what ``tmplint --fix`` would make for it alone: the fixer plans each finding alone on one
analysis of its file (in the main process; only the JSON formats ask for it), and the result is
compared with the file as it was. A fix that lies in another file (a helper's that the project index
found) has no edits here: its message says where it lies.
"""

import difflib
import os
from typing import Dict, List, Optional, Sequence, Tuple, TypedDict

from tmplint.diagnostics import Diagnostic



class Location(TypedDict):
    row: int  # 1-based
    column: int  # 1-based, in characters


class Edit(TypedDict):
    content: str
    location: Location
    end_location: Location


def text_edits(before: str, after: str) -> List[Edit]:
    """The edits that turn ``before`` into ``after``: one per changed run of lines, trimmed to the
    characters that differ."""
    old, new = before.splitlines(True), after.splitlines(True)
    edits: List[Edit] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        head = _common_prefix(removed, added)
        tail = _common_prefix(removed[head:][::-1], added[head:][::-1])
        start = _location(old, i1, removed[:head])
        end = _location(old, i1, removed[:len(removed) - tail])
        edits.append({"content": added[head:len(added) - tail], "location": start, "end_location": end})
    return edits


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _location(lines: List[str], first: int, consumed: str) -> Location:
    """Row and column (1-based) just after ``consumed``, which starts at line ``first`` (0-based)."""
    breaks = consumed.count("\n")
    if breaks:
        return {"row": first + 1 + breaks, "column": len(consumed) - consumed.rindex("\n")}
    return {"row": first + 1, "column": len(consumed) + 1}


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with ``edits`` made (they must not overlap); what a consumer of the JSON does."""
    starts = [0]
    for line in text.splitlines(True):
        starts.append(starts[-1] + len(line))

    def offset(location: Location) -> int:
        return starts[location["row"] - 1] + location["column"] - 1

    out = text
    spans: List[Tuple[int, int, str]] = [(offset(e["location"]), offset(e["end_location"]), e["content"])
                                         for e in edits]
    for start, end, content in sorted(spans, reverse=True):
        out = out[:start] + content + out[end:]
    return out


def fix_edits(diagnostics: Sequence[Diagnostic], config, sources: Optional[Dict[str, str]] = None
              ) -> Dict[Diagnostic, List[Edit]]:
    """Each fixable finding's edits (unsafe fixes included: the JSON says which are unsafe). A file
    that cannot be read or fixed gives its findings no edits."""
    from tmplint.fix import fix_each
    from tmplint.source import SourceError, read_source

    by_path: Dict[str, List[Diagnostic]] = {}
    out: Dict[Diagnostic, List[Edit]] = {}
    for d in diagnostics:
        if not d.fixable:
            continue
        out[d] = []
        if d.fix_at is None or os.path.abspath(d.fix_at.path) == os.path.abspath(d.path):
            by_path.setdefault(d.path, []).append(d)
    for path, findings in by_path.items():
        try:
            text = (sources or {}).get(path)
            if text is None:
                text = read_source(path)[0]
            fixed = fix_each(text, path, config, findings)
        except (SourceError, OSError):
            continue
        for d, after in fixed.items():
            out[d] = text_edits(text, after)
    return out
