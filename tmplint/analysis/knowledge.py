"""What the standard library's names mean to the analysis: renames, writes, unique and weak parts."""

import re

RENAMES = frozenset({"os.replace", "os.rename", "shutil.move", "tensorflow.io.gfile.rename"})
# Path classes: pathlib's, and those real code uses beside it (etils, universal-pathlib, twisted)
PATHLIB_CLASSES = frozenset({
    "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath",
    "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "etils.epath.Path", "upath.UPath",
    "twisted.python.filepath.FilePath",
})
PATH_TYPES = PATHLIB_CLASSES | frozenset({"Path", "PurePath", "UPath", "FilePath"})
# An fsspec filesystem (made by these, or annotated as one) renames with mv/move/rename(path1, path2).
FSSPEC_MAKERS = frozenset({"fsspec.filesystem", "fsspec.core.url_to_fs", "fsspec.url_to_fs",
                           "fsspec.core.get_fs_token_paths", "fsspec.get_filesystem_class"})
FSSPEC_TYPES = frozenset({"fsspec.AbstractFileSystem", "fsspec.spec.AbstractFileSystem"})
FSSPEC_MOVES = frozenset({"mv", "move", "rename"})
MOVE_TO = "moveTo"  # twisted's FilePath.moveTo(destination) renames the receiver
JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})
SPLITS = frozenset({"os.path.split", "posixpath.split", "ntpath.split"})  # (folder, basename)
PASS_THROUGH = frozenset({
    "str", "os.fspath", "os.fsdecode", "os.path.abspath", "os.path.realpath", "os.path.normpath",
    "os.path.expanduser", "os.path.expandvars", "os.path.normcase",
})
PATH_METHODS_SAME = frozenset({"resolve", "absolute", "expanduser", "as_posix"})
PATH_METHODS_NEW = frozenset({"with_suffix", "with_name", "with_stem", "joinpath",
                              "sibling", "child", "siblingExtension", "temporarySibling"})  # + FilePath's
# The analysis knows a value is a pathlib path only from a class of PATH_TYPES, named by its last
# component (``Path``, ``pathlib.Path``, ``from pathlib import PurePath as P``), or from a path method;
# a file without one of these words has no path, so no one-argument ``.replace(dst)`` rename (the text
# screen relies on it).
PATH_CLASS_NAMES = tuple(sorted({name.rsplit(".", 1)[-1] for name in PATH_TYPES}))
PATH_METHODS = tuple(sorted(PATH_METHODS_SAME | PATH_METHODS_NEW))
UNIQUE_CALLS = frozenset({
    "uuid.uuid1", "uuid.uuid4", "os.urandom", "tempfile.mkstemp", "tempfile.mkdtemp", "tempfile.mktemp",
    "tempfile.NamedTemporaryFile", "tempfile.TemporaryDirectory", "tempfile.SpooledTemporaryFile",
    "tempfile.TemporaryFile",
})
UNIQUE_MODULES = ("secrets.", "random.")
WEAK_CALLS = frozenset({"os.getpid", "os.getppid", "threading.get_ident", "threading.get_native_id",
                        "threading.current_thread", "id", "_thread.get_ident"})
WEAK_MODULES = ("time.", "datetime.")
OPENERS = frozenset({"open", "io.open", "builtins.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open"})
COPIES = frozenset({"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree"})
WRITING_WORDS = re.compile(r"(?i)save|dump|write|store|export")
PATH_WRITERS = frozenset({"write_text", "write_bytes", "touch"})
NON_LOCK_MODULES = ("threading.", "asyncio.", "_thread.")
LOCK_MODULES = ("filelock.", "portalocker.", "fasteners.")
LOCK_NAME_STRICT = re.compile(r"^lock$|_lock$|Lock$")
LOCK_CALLS = frozenset({"fcntl.flock", "fcntl.lockf"})
TMP_KEYWORD = re.compile(r"(?i)^_*(tmp|temp|temporary)_?(file_?name|file_?path|file|name|path|fname)?$")


def is_unique_call(qualified: str) -> bool:
    return qualified in UNIQUE_CALLS or qualified.startswith(UNIQUE_MODULES)


def is_weak_call(qualified: str) -> bool:
    return qualified in WEAK_CALLS or qualified.startswith(WEAK_MODULES)


def write_mode(text: str) -> bool:
    return any(flag in text for flag in "wxa+")


# Calls that only ask about a path, never create or change the file: TMP201's flow stops at them
# (analysis/pathflow.py) and the fixer does not count them as writing a temp file (fix/planner.py).
PATH_QUERIES = frozenset({"exists", "lexists", "isfile", "isdir", "islink", "getsize", "startswith", "endswith",
                          "basename", "dirname", "print", "format"})
