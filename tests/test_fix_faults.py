"""``tmplint --fix`` under faults never loses or corrupts a byte (issue 6), and keeps what a file is.

Each fault is real, not mocked: a file size limit that makes the write of the fixed file fail halfway
(EFBIG, as a full disk gives ENOSPC), a folder the process may not create files in (EACCES; as root, whom
file modes do not stop, the fix runs in a child that has given up root), a ``tmplint --fix`` process
sent SIGKILL, SIGTERM or SIGINT the moment one of its temp files shows, and two ``tmplint --fix``
processes on one tree at once.
The fixed text expected is the real fixer's own output for the same source (``fix_text``).
"""

import os
import pwd
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Dict, List

import pytest

from tmplint import cli
from tmplint.fix import fix_text
from tmplint.source import decode_source

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "fixtures" / "fix" / "seed_helper.py").read_text()
# A temp path spelled twice in one scope: the fix inserts a line (hoisting) besides the import.
HOISTED = (
    "import json\n"
    "import os\n"
    "\n"
    "\n"
    "def save_run_state(state, run_dir):\n"
    "    with open(os.path.join(run_dir, '.tmp_state'), 'w') as f:\n"
    "        json.dump(state, f)\n"
    "    os.replace(os.path.join(run_dir, '.tmp_state'), os.path.join(run_dir, 'state.json'))\n"
)
# What write_atomically names its temp file: ".NAME.<32 hex digits>.tmplint" beside NAME.
TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{32}\.tmplint$")


def fixed(text: str) -> str:
    result = fix_text(text, "source.py")
    assert result.text != text, "the sample must have something to fix"
    return result.text


def tmplint_argv(*args: str) -> List[str]:
    return [sys.executable, "-m", "tmplint", *args]


def stray(folder: Path) -> List[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if ".tmplint" in p.name and ".tmplint_cache" not in p.relative_to(folder).parts)


# --- a write that fails halfway -----------------------------------------------------------------
def test_a_write_that_fails_halfway_leaves_the_original_and_no_temp_file(tmp_path):
    # A large constant makes the fixed file far larger than the limit, so the temp file gets the first
    # LIMIT bytes and the next write fails with EFBIG, as it would with ENOSPC on a full disk.
    source = SEED + "\n\nBLOB = " + repr("x" * 300_000) + "\n"
    target = tmp_path / "ckpt.py"
    target.write_text(source)
    limit = 64 * 1024

    def limit_file_size():  # Python ignores SIGXFSZ, so the write raises OSError(EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", str(target)), capture_output=True, text=True,
                          preexec_fn=limit_file_size, timeout=300)
    assert proc.returncode == 2, proc
    assert f"{target}: cannot analyse: not fixed: cannot write: File too large" in proc.stderr, proc.stderr
    assert target.read_text() == source
    assert sorted(os.listdir(tmp_path)) == ["ckpt.py"]
    # The same run without the limit fixes the file: the failure above was the write, nothing else.
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", str(target)), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0 and target.read_text() == fixed(source), proc


# --- permission denied --------------------------------------------------------------------------
def run_cli_in_child(argv: List[str], as_nobody: bool):
    """``tmplint`` in a forked child (as the unprivileged ``nobody`` when asked): (status, stdout, stderr).

    A fork keeps every module already imported, so the child needs to read no code after giving up root.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            status = 99
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = open(1, "w", closefd=False)
                sys.stderr = open(2, "w", closefd=False)
                if as_nobody:
                    nobody = pwd.getpwnam("nobody")
                    os.setgroups([])
                    os.setgid(nobody.pw_gid)
                    os.setuid(nobody.pw_uid)
                status = cli.main(argv)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        _, wait_status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        code = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else -1
        return code, out.read().decode(), err.read().decode()


def test_a_folder_that_denies_creating_the_temp_file_leaves_the_original(tmp_path):
    as_root = os.geteuid() == 0
    # tmp_path sits in a folder only its owner may enter; the unprivileged child needs one it can read.
    folder = Path(tempfile.mkdtemp(prefix="tmplint-readonly-"))
    try:
        target = folder / "ckpt.py"
        target.write_text(SEED)
        target.chmod(0o644)
        # First with permission, on a copy: the file is fixable, and every module the fix needs is loaded.
        control = tmp_path / "ckpt.py"
        control.write_text(SEED)
        assert cli.main(["--fix", "--no-cache", "--jobs", "1", str(control)]) == 0
        assert control.read_text() == fixed(SEED)
        folder.chmod(0o555)  # readable, not writable: no temp file can be created in it
        code, _, err = run_cli_in_child(["--fix", "--no-cache", "--jobs", "1", str(target)], as_nobody=as_root)
        assert code == 2, err
        assert f"{target}: cannot analyse: not fixed: cannot write: Permission denied" in err, err
        assert target.read_text() == SEED
        assert sorted(os.listdir(folder)) == ["ckpt.py"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


# --- killed mid-run -----------------------------------------------------------------------------
def default_signals() -> None:
    # A shell without job control starts background commands with SIGINT ignored, and Python keeps an
    # ignored SIGINT ignored: give the child the handlers a terminal user's tmplint has.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def fix_tree_until(tree: Path, sig: int, on_replace: bool) -> str:
    """Run ``tmplint --fix`` on ``tree`` and send ``sig`` the moment one of its temp files shows (or, with
    ``on_replace``, a file has been replaced); what was seen, or "" when it finished first."""
    inodes = {entry.name: entry.inode() for entry in os.scandir(tree)}
    proc = subprocess.Popen(tmplint_argv("--fix", "--no-cache", str(tree)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, preexec_fn=default_signals)
    deadline = time.monotonic() + 300
    seen = ""
    try:
        while proc.poll() is None and not seen:
            assert time.monotonic() < deadline, "tmplint wrote nothing in time"
            for entry in os.scandir(tree):
                if entry.name.endswith(".tmplint"):
                    seen = "temp file"
                elif on_replace and inodes.get(entry.name, entry.inode()) != entry.inode():
                    seen = "replaced file"
            if seen:
                proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if seen:
        assert proc.returncode in (-sig, 128 + sig), f"tmplint ended with {proc.returncode} after {sig}"
    return seen


def make_tree(root: Path, total: int) -> Path:
    root.mkdir()
    for n in range(total):
        (root / f"ckpt_{n:03d}.py").write_text(SEED)
    return root


def check_whole(tree: Path, total: int) -> Dict[str, int]:
    """Every file is the original or the fully fixed text; counts of each."""
    want = fixed(SEED).encode()
    states = {"original": 0, "fixed": 0}
    for n in range(total):
        data = (tree / f"ckpt_{n:03d}.py").read_bytes()
        assert data in (SEED.encode(), want), f"ckpt_{n:03d}.py is neither the original nor the fixed text"
        states["original" if data == SEED.encode() else "fixed"] += 1
    return states


def test_a_fix_killed_mid_run_leaves_each_file_original_or_fixed(tmp_path):
    """SIGKILL as soon as a temp file or a replaced file shows: every file is whole, old or new.

    Nothing can remove a temp file after SIGKILL; one left behind is named ``.NAME.<hex>.tmplint``
    beside NAME and holds only a prefix of the fixed text, so it is recognisable and harmless.
    """
    total = 40
    tree = make_tree(tmp_path / "tree", total)
    assert fix_tree_until(tree, signal.SIGKILL, on_replace=True), "tmplint ended before it could be killed"
    states = check_whole(tree, total)
    assert states["original"] > 0, f"the kill came after the last file: nothing was killed mid-run {states}"
    want = fixed(SEED).encode()
    for name in set(os.listdir(tree)) - {f"ckpt_{n:03d}.py" for n in range(total)}:
        match = TEMP_NAME.match(name)
        assert match and (tree / match.group("name")).exists(), f"unexpected file {name} after the kill"
        assert want.startswith((tree / name).read_bytes()), f"{name} holds something other than the fix"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_fix_stopped_while_writing_removes_its_temp_file(tmp_path, sig):
    """SIGTERM (``kill``, a CI timeout) or SIGINT (Ctrl-C) the moment a temp file shows: it is removed."""
    total = 40
    for attempt in range(3):  # a run can finish before a temp file is ever seen: the window is short
        tree = make_tree(tmp_path / f"tree-{attempt}", total)
        if fix_tree_until(tree, sig, on_replace=False):
            break
    else:
        pytest.fail("no temp file was ever seen while tmplint --fix wrote 120 files")
    states = check_whole(tree, total)
    assert states["original"] > 0, f"terminated after the last file: {states}"
    assert stray(tree) == []


# --- two fixers at once -------------------------------------------------------------------------
def test_two_fixers_on_one_tree_leave_every_file_original_or_fully_fixed(tmp_path):
    tree = tmp_path / "tree"
    sources = {"seed": SEED, "hoisted": HOISTED}
    expected: Dict[Path, tuple] = {}
    for n in range(50):
        kind = "seed" if n % 2 else "hoisted"
        path = tree / f"pkg{n % 5}" / f"{kind}_{n:02d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sources[kind])
        expected[path] = (sources[kind].encode(), fixed(sources[kind]).encode())
    (tree / "pyproject.toml").write_text("[tool.tmplint]\n")
    procs = [subprocess.Popen(tmplint_argv("--fix", "."), cwd=tree, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    seen_while_running = 0
    while any(p.poll() is None for p in procs):  # a reader meanwhile only ever sees whole files
        for path, (before, after) in expected.items():
            data = path.read_bytes()
            assert data in (before, after), f"{path} read mixed or truncated while two fixers ran"
            seen_while_running += 1
        time.sleep(0.01)  # leave the cores to the fixers
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, (out, err)
    assert seen_while_running > 0
    for path, (_, after) in expected.items():
        assert path.read_bytes() == after, f"{path} is not fully fixed after both runs"
    assert stray(tree) == []


# --- what a file is: mode, encoding, BOM, line endings, links -----------------------------------
def test_fix_keeps_mode_encoding_bom_line_endings_and_links(tmp_path):
    crlf_hoisted = HOISTED.replace("\n", "\r\n")
    latin1 = "# -*- coding: latin-1 -*-\n" + SEED + "\nAUTHOR = 'Zoë Müller, café'\n"
    files = {
        "latin1.py": latin1.encode("latin-1"),
        "bom.py": b"\xef\xbb\xbf" + SEED.encode(),
        "crlf.py": crlf_hoisted.encode(),
        "bom_crlf.py": b"\xef\xbb\xbf" + crlf_hoisted.encode(),
        "mode.py": SEED.encode(),
        "real.py": SEED.encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "mode.py").chmod(0o754)
    (tmp_path / "linked.py").symlink_to("real.py")
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", str(tmp_path / "latin1.py"), str(tmp_path / "bom.py"),
                                       str(tmp_path / "crlf.py"), str(tmp_path / "bom_crlf.py"),
                                       str(tmp_path / "mode.py"), str(tmp_path / "linked.py")),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc
    after = {name: (tmp_path / name).read_bytes() for name in files}

    # Each file is the fixer's text in the file's own encoding, with the BOM and line endings it had.
    for name, data in files.items():
        text, encoding = decode_source(data)
        assert after[name] == fixed(text).encode(encoding), name
    latin = after["latin1.py"]
    assert latin.startswith(b"# -*- coding: latin-1 -*-\n") and "Zoë Müller, café".encode("latin-1") in latin
    assert b"uuid.uuid4().hex" in latin
    for name in ("bom.py", "bom_crlf.py"):
        assert after[name].startswith(b"\xef\xbb\xbf") and after[name].count(b"\xef\xbb\xbf") == 1, name
    for name in ("crlf.py", "bom_crlf.py"):
        body = after[name]
        assert b"tmp_path = " in body and b"import uuid\r\n" in body, "the hoisted line and the import were added"
        assert b"\n" not in body.replace(b"\r\n", b""), f"{name}: a line ending that is not CRLF"
    assert stat.S_IMODE((tmp_path / "mode.py").stat().st_mode) == 0o754
    assert (tmp_path / "linked.py").is_symlink() and os.readlink(tmp_path / "linked.py") == "real.py"
    assert b"uuid.uuid4().hex" in after["real.py"]
    assert stray(tmp_path) == []


# --- owner and group ----------------------------------------------------------------------------
def test_fix_keeps_the_owner_and_group(tmp_path):
    """The fixed file is a new file, which the fixing process owns: root fixing another user's file
    (a CI job, a shared checkout) would take it over. As root the owner and group come back; a user
    may give the file back a group of theirs, so without root that is what the test checks."""
    target = tmp_path / "ckpt.py"
    target.write_text(SEED)
    target.chmod(0o664)
    if os.geteuid() == 0:
        owner = group = 65534
    else:  # pragma: no cover - the suite runs as root here
        owner = os.geteuid()
        others = [g for g in os.getgroups() if g != os.getegid()]
        group = others[0] if others else os.getegid()
    os.chown(target, owner, group)
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", str(target)), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc
    assert target.read_text() == fixed(SEED)
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (owner, group, 0o664)
    assert stray(tmp_path) == []


def test_a_fixer_that_may_not_give_the_file_away_still_writes_it():
    """Not root, the process cannot chown the new file to the original's owner: it is written anyway,
    its mode kept (as root, the fix runs in a child that has given up root, on a file root owns)."""
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="tmplint-owner-"))
    try:
        folder.chmod(0o777)
        target = folder / "ckpt.py"
        target.write_text(SEED)
        target.chmod(0o666)
        assert cli.main(["--fix", "--no-cache", "--jobs", "1", "--diff", str(target)]) == 1  # modules loaded
        code, _, err = run_cli_in_child(["--fix", "--no-cache", "--jobs", "1", str(target)], as_nobody=as_root)
        assert code == 0, err
        assert target.read_text() == fixed(SEED)
        info = target.stat()
        assert stat.S_IMODE(info.st_mode) == 0o666
        assert info.st_uid == (pwd.getpwnam("nobody").pw_uid if as_root else os.geteuid())
        assert stray(folder) == []
    finally:
        shutil.rmtree(folder)
