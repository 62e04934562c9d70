"""tmplint: find and fix temporary file names that two writers would share."""

__version__ = "0.1.0"

from typing import Union

from tmplint.diagnostics import Diagnostic
from tmplint.engine import check_paths, check_source

__all__ = ["Diagnostic", "__version__", "check_paths", "check_source", "fix_source"]


def fix_source(source: Union[str, bytes], path: str = "<string>", config=None,
               unsafe_fixes: bool = False) -> Union[str, bytes]:
    """The source with every fixable temp name made unique; unchanged when there is nothing to fix
    or it cannot be analysed. Never raises for bad input. See :mod:`tmplint.fix`."""
    from tmplint.fix import fix_source as fix

    return fix(source, path, config, unsafe_fixes)
