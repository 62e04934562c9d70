"""Temp names renamed into place without a unique part (TMP101-TMP106).

Their decisions still live in ``analysis/checker.py`` (in-file) and ``analysis/index.py``
(across files); these classes carry the catalogue entries until those move here.
"""

from tmplint.rules import Examples, Rule


class NonUniqueTmpNameArgument(Rule):
    code = "TMP101"
    name = "non-unique-tmp-name-argument"
    summary = "a temp name passed to a save helper that renames it into place without a unique part"
    fix = "sometimes"
    examples = Examples(
        bad=('import os\n\ndef save(data, tmp_name):\n    with open(tmp_name, "w") as f:\n        f.write(data)\n'
             '    os.replace(tmp_name, "state.json")\n\nsave("{}", ".tmp_state")\n',),
        good=('import os, uuid\n\ndef save(data, tmp_name):\n    tmp = f"{tmp_name}.{uuid.uuid4().hex}"\n'
              '    with open(tmp, "w") as f:\n        f.write(data)\n    os.replace(tmp, "state.json")\n\n'
              'save("{}", ".tmp_state")\n',),
    )


class ConstantTmpName(Rule):
    code = "TMP102"
    name = "constant-tmp-name"
    summary = "a rename into place whose temp path has a constant basename"
    fix = "sometimes"
    examples = Examples(
        bad=('import os\nwith open(".tmp_state", "w") as f:\n    f.write("{}")\n'
             'os.replace(".tmp_state", "state.json")\n',),
        good=('import os, tempfile\nfd, tmp = tempfile.mkstemp(dir=".")\nwith os.fdopen(fd, "w") as f:\n'
              '    f.write("{}")\nos.replace(tmp, "state.json")\n',),
    )


class DerivedTmpName(Rule):
    code = "TMP103"
    name = "derived-tmp-name"
    summary = "a rename into place whose temp path is derived from the destination"
    fix = "sometimes"
    examples = Examples(
        bad=('import os\n\ndef save(data, path):\n    tmp = path + ".tmp"\n    with open(tmp, "w") as f:\n'
             '        f.write(data)\n    os.replace(tmp, path)\n',),
        good=('import os, uuid\n\ndef save(data, path):\n    tmp = f"{path}.{uuid.uuid4().hex}.tmp"\n'
              '    with open(tmp, "w") as f:\n        f.write(data)\n    os.replace(tmp, path)\n',),
    )


class ConstantTmpNameDefault(Rule):
    code = "TMP104"
    name = "constant-tmp-name-default"
    summary = "a helper parameter with a constant default that the helper renames into place unchanged"
    fix = "sometimes"
    examples = Examples(
        bad=('import os\n\ndef save(data, path, tmp_name=".tmp"):\n    with open(tmp_name, "w") as f:\n'
             '        f.write(data)\n    os.replace(tmp_name, path)\n',),
        good=('import os\n\ndef save(data, path, tmp_name=None):\n    with open(path, "w") as f:\n'
              '        f.write(data)\n',),
    )


class TmpNameUnderFileLock(Rule):
    code = "TMP105"
    name = "tmp-name-under-file-lock"
    summary = "a non-unique temp name whose write and rename are held by an inter-process lock"
    fix = "sometimes"
    examples = Examples(
        bad=('import os\nfrom filelock import FileLock\n\ndef save(data, path):\n    with FileLock(path + ".lock"):\n'
             '        with open(path + ".tmp", "w") as f:\n            f.write(data)\n'
             '        os.replace(path + ".tmp", path)\n',),
    )


class WeaklyUniqueTmpName(Rule):
    code = "TMP106"
    name = "weakly-unique-tmp-name"
    summary = "a temp name whose only varying parts are weak (pid, thread id, time, counter)"
    default = False
    examples = Examples(
        bad=('import os\n\ndef save(data, path):\n    tmp = f"{path}.{os.getpid()}"\n    with open(tmp, "w") as f:\n'
             '        f.write(data)\n    os.replace(tmp, path)\n',),
    )


RULES = (NonUniqueTmpNameArgument, ConstantTmpName, DerivedTmpName, ConstantTmpNameDefault, TmpNameUnderFileLock,
         WeaklyUniqueTmpName)
