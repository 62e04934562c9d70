"""tmplint: find and fix temporary file names that two writers would share.

The public API lives in :mod:`tmplint.api`: ``check_source``, ``check_paths`` and ``fix_source``
(lines and columns 1-based), and ``Diagnostic``.
"""

__version__ = "0.1.0"

from tmplint.api import check_paths, check_source, fix_source
from tmplint.diagnostics import Diagnostic

__all__ = ["Diagnostic", "__version__", "check_paths", "check_source", "fix_source"]
