"""Names in shared temp folders (TMP201) and tempfile.mktemp (TMP202)."""

from typing import Optional

from tmplint.facts import MktempCall, SharedTmpLiteral
from tmplint.rules import Examples, Rule


class HardcodedSharedTmpPath(Rule):
    code = "TMP201"
    name = "hardcoded-shared-tmp-path"
    summary = "a hardcoded name in a shared temp directory (/tmp, /var/tmp, /dev/shm) used as a file or folder"
    fact = SharedTmpLiteral
    examples = Examples(
        bad=('import sqlite3\n\ndef open_cache():\n    return sqlite3.connect("/tmp/cache.db")\n',
             'LOG = "/tmp/app.log"\n\ndef log(line):\n    with open(LOG, "a") as f:\n        f.write(line)\n',
             'import os\n\ndef scratch(user):\n    os.makedirs(f"/var/tmp/{user}-build", exist_ok=True)\n'),
        good=('import subprocess\nsubprocess.run(["ls"], cwd="/tmp", check=True)\n',
              'def test_path(t):\n    t.assertEqual(t.path, "/tmp/app.log")\n',
              'import logging\nlogging.info("wrote /tmp/app.log")\n',
              'import tempfile\nfd, path = tempfile.mkstemp(dir="/var/tmp")\n'),
    )

    @classmethod
    def decide(cls, fact: SharedTmpLiteral) -> Optional[str]:
        """Only a name the program uses as a file or folder: never one that is only compared,
        logged or handed to a call that is no filesystem operation (rules.md)."""
        if not fact.reaches_filesystem:
            return None
        return (f'hardcoded path "{fact.spelling}" in a shared temp directory: other users and processes can '
                f"create or read it; use tempfile.mkstemp() or mkdtemp()")


class TempfileMktemp(Rule):
    code = "TMP202"
    name = "tempfile-mktemp"
    summary = "tempfile.mktemp(), whose name can be taken between its choice and its use"
    fact = MktempCall
    examples = Examples(
        bad=('import tempfile\npath = tempfile.mktemp()\n', 'from tempfile import mktemp as m\npath = m(".db")\n'),
        good=('import tempfile\nfd, path = tempfile.mkstemp()\n',),
    )

    @classmethod
    def decide(cls, fact: MktempCall) -> Optional[str]:
        return ("tempfile.mktemp() picks a name another process can take before it is used; use "
                "tempfile.mkstemp() or NamedTemporaryFile()")


RULES = (HardcodedSharedTmpPath, TempfileMktemp)
