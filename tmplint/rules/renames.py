"""Temp names renamed into place without a unique part (TMP101-TMP106).

Each rename the analysis values (a ``TempRename``, in the file or across files) is decided here,
by ``temp_kind`` and then by exactly one rule: the lock and weak parts first, then how the
rename reaches its temp name (rules.md, *Classification*).
"""

from typing import ClassVar, Optional, Tuple, Union

from tmplint.analysis import values as V
from tmplint.facts import DEFAULT, HELPER, RENAME, TempNameKeyword, TempRename
from tmplint.rules import Examples, Rule

NOT_UNIQUE = (V.CONSTANT, V.DERIVED)


def temp_kind(src: V.Value, dst: V.Value, written: bool) -> Optional[str]:
    """How a rename's temp path fails to be unique (``V.CONSTANT``, ``V.DERIVED``,
    ``V.WEAKLY_UNIQUE``), or None: a unique name, or a move of a file nobody wrote as a temp
    (a backup, a rotation). The analysis asks it too, to know which renames are reported where
    they are made, so their callers stay silent."""
    if not (written or V.looks_temporary(src)):
        return None
    return V.classify(src, dst)


def rename_message(kind: str, fact: TempRename) -> str:
    """The words for a rename: at the rename itself, at a helper's call, or at a default."""
    spelled = V.basename_text(fact.src)
    if fact.via == HELPER:
        return (f'temp name "{spelled}" passed to {fact.label}(), which renames it into place '
                f"without a unique part at {fact.where}; concurrent saves collide")
    if fact.via == DEFAULT:
        return (f'default temp name "{spelled}" of parameter "{fact.parameter}" is '
                f"renamed into place without a unique part at {fact.where}; concurrent saves collide")
    if kind == V.CONSTANT:
        reason = f'constant name "{spelled}"'
    elif kind == V.DERIVED:
        reason = f'name "{spelled}" derived from destination "{fact.dst_text}"'
    else:
        reason = f'name "{spelled}" that varies only by pid, thread, time or counter'
    lock = " (held under a file lock: safe only where the lock works)" if fact.locked and kind in NOT_UNIQUE else ""
    return f"{fact.label}() renames a temp file with {reason}; concurrent writers collide{lock}"


class _RenameRule(Rule):
    """A rule over renames: it reports the kinds and ways of reaching the rename it names."""

    fact: ClassVar[Union[type, Tuple[type, ...]]] = TempRename
    kinds: ClassVar[Tuple[str, ...]] = NOT_UNIQUE
    vias: ClassVar[Tuple[str, ...]] = (RENAME, HELPER, DEFAULT)
    locked: ClassVar[Optional[bool]] = False  # None: either

    @classmethod
    def decide(cls, fact: TempRename) -> Optional[str]:
        kind = temp_kind(fact.src, fact.dst, fact.written)
        if kind not in cls.kinds or fact.via not in cls.vias:
            return None
        if cls.locked is not None and fact.locked != cls.locked:
            return None
        return rename_message(kind, fact)


class NonUniqueTmpNameArgument(_RenameRule):
    code = "TMP101"
    name = "non-unique-tmp-name-argument"
    summary = "a temp name passed to a save helper that renames it into place without a unique part"
    fix = "sometimes"
    fact = (TempRename, TempNameKeyword)
    vias = (HELPER,)
    examples = Examples(
        bad=('import os\n\ndef save(data, tmp_name):\n    with open(tmp_name, "w") as f:\n        f.write(data)\n'
             '    os.replace(tmp_name, "state.json")\n\nsave("{}", ".tmp_state")\n',),
        good=('import os, uuid\n\ndef save(data, tmp_name):\n    tmp = f"{tmp_name}.{uuid.uuid4().hex}"\n'
              '    with open(tmp, "w") as f:\n        f.write(data)\n    os.replace(tmp, "state.json")\n\n'
              'save("{}", ".tmp_state")\n',),
    )

    @classmethod
    def decide(cls, fact) -> Optional[str]:
        if isinstance(fact, TempRename):
            return super().decide(fact)
        # a helper no file shows: its temp-name keyword is enough to name the risk (rules.md, TMP101)
        if not V.is_constant(fact.value):
            return None
        return (f'constant temp name "{V.basename_text(fact.value)}" passed as {fact.keyword}= to {fact.label}(); '
                f"if it renames that file into place, concurrent saves collide")


class ConstantTmpName(_RenameRule):
    code = "TMP102"
    name = "constant-tmp-name"
    summary = "a rename into place whose temp path has a constant basename"
    fix = "sometimes"
    kinds = (V.CONSTANT,)
    vias = (RENAME,)
    examples = Examples(
        bad=('import os\nwith open(".tmp_state", "w") as f:\n    f.write("{}")\n'
             'os.replace(".tmp_state", "state.json")\n',),
        good=('import os, tempfile\nfd, tmp = tempfile.mkstemp(dir=".")\nwith os.fdopen(fd, "w") as f:\n'
              '    f.write("{}")\nos.replace(tmp, "state.json")\n',),
    )


class DerivedTmpName(_RenameRule):
    code = "TMP103"
    name = "derived-tmp-name"
    summary = "a rename into place whose temp path is derived from the destination"
    fix = "sometimes"
    kinds = (V.DERIVED,)
    vias = (RENAME,)
    examples = Examples(
        bad=('import os\n\ndef save(data, path):\n    tmp = path + ".tmp"\n    with open(tmp, "w") as f:\n'
             '        f.write(data)\n    os.replace(tmp, path)\n',),
        good=('import os, uuid\n\ndef save(data, path):\n    tmp = f"{path}.{uuid.uuid4().hex}.tmp"\n'
              '    with open(tmp, "w") as f:\n        f.write(data)\n    os.replace(tmp, path)\n',),
    )


class ConstantTmpNameDefault(_RenameRule):
    code = "TMP104"
    name = "constant-tmp-name-default"
    summary = "a helper parameter with a constant default that the helper renames into place unchanged"
    fix = "sometimes"
    vias = (DEFAULT,)
    examples = Examples(
        bad=('import os\n\ndef save(data, path, tmp_name=".tmp"):\n    with open(tmp_name, "w") as f:\n'
             '        f.write(data)\n    os.replace(tmp_name, path)\n',),
        good=('import os\n\ndef save(data, path, tmp_name=None):\n    with open(path, "w") as f:\n'
              '        f.write(data)\n',),
    )


class TmpNameUnderFileLock(_RenameRule):
    code = "TMP105"
    name = "tmp-name-under-file-lock"
    summary = "a non-unique temp name whose write and rename are held by an inter-process lock"
    fix = "sometimes"
    locked = True
    examples = Examples(
        bad=('import os\nfrom filelock import FileLock\n\ndef save(data, path):\n    with FileLock(path + ".lock"):\n'
             '        with open(path + ".tmp", "w") as f:\n            f.write(data)\n'
             '        os.replace(path + ".tmp", path)\n',),
    )


class WeaklyUniqueTmpName(_RenameRule):
    code = "TMP106"
    name = "weakly-unique-tmp-name"
    summary = "a temp name whose only varying parts are weak (pid, thread id, time, counter)"
    default = False
    kinds = (V.WEAKLY_UNIQUE,)
    locked = None
    examples = Examples(
        bad=('import os\n\ndef save(data, path):\n    tmp = f"{path}.{os.getpid()}"\n    with open(tmp, "w") as f:\n'
             '        f.write(data)\n    os.replace(tmp, path)\n',),
    )


RULES = (NonUniqueTmpNameArgument, ConstantTmpName, DerivedTmpName, ConstantTmpNameDefault, TmpNameUnderFileLock,
         WeaklyUniqueTmpName)
