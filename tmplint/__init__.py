"""tmplint: find and fix temporary file names that two writers would share."""

__version__ = "0.1.0"

from tmplint.diagnostics import Diagnostic
from tmplint.engine import check_paths, check_source

__all__ = ["Diagnostic", "__version__", "check_paths", "check_source"]
