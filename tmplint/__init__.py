"""tmplint: find and fix temporary file names that two writers would share.

The public API lives in :mod:`tmplint.api`: ``check_source``, ``check_paths`` and ``fix_source``
(lines and columns 1-based), and ``Diagnostic``. They are loaded on first use, so that importing a
part of tmplint (the command line, a warm run the cache answers) does not load the analysis.
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["Diagnostic", "__version__", "check_paths", "check_source", "fix_source"]


def __getattr__(name: str) -> Any:
    if name == "Diagnostic":
        from tmplint.diagnostics import Diagnostic

        return Diagnostic
    if name in ("check_paths", "check_source", "fix_source"):
        from tmplint import api

        return getattr(api, name)
    raise AttributeError(f"module 'tmplint' has no attribute {name!r}")
