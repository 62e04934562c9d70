"""Hostile conditions (issue 17): links out of the tree, special and huge files, killed runs.

Each case runs the real ``tmplint`` command in a child process on files made for it.
"""

import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest

from tmplint.config import Config
from tmplint.fix.files import fix_file
from tmplint import source
from tmplint.source import SourceError

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "fixtures" / "fix" / "seed_helper.py").read_text()


def tmplint_argv(*args: str) -> List[str]:
    return [sys.executable, "-m", "tmplint", *args]


def test_fix_does_not_write_outside_the_tree_through_a_symlink(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    victim = outside / "victim.py"
    victim.write_text(SEED)
    (tree / "innocent.py").symlink_to(os.path.join("..", "outside", "victim.py"))
    (tree / "own.py").write_text(SEED)
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", "."), cwd=tree, capture_output=True, text=True,
                          timeout=300)
    assert victim.read_text() == SEED, "the file outside the tree was rewritten"
    assert (tree / "innocent.py").is_symlink()
    assert "uuid.uuid4().hex" in (tree / "own.py").read_text(), "the tree's own file is still fixed"
    assert proc.returncode == 2, proc
    assert f"innocent.py: cannot analyse: not fixed: a symlink to {victim.resolve()}, outside the folders named" \
        in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_fix_through_a_named_file_link_pointing_out_is_refused_too(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "victim.py").write_text(SEED)
    (tree / "innocent.py").symlink_to(outside / "victim.py")
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", "innocent.py"), cwd=tree, capture_output=True,
                          text=True, timeout=300)
    assert (outside / "victim.py").read_text() == SEED
    assert proc.returncode == 2 and "outside the folders named" in proc.stderr, proc


GOOD = 'import os\nos.replace(".tmp_x", "x.json")\n'


def special_tree(folder: Path) -> Path:
    folder.mkdir()
    os.mkfifo(folder / "pipe.py")
    (folder / "zero.py").symlink_to("/dev/zero")
    with open(folder / "sparse.py", "wb") as handle:
        handle.truncate(8 * 1024 ** 3)  # 8 GB, none of it on disk
    (folder / "good.py").write_text(GOOD)
    return folder


@pytest.mark.parametrize("named", [False, True], ids=["walked", "named"])
def test_special_and_huge_files_are_reported_unread_and_the_run_goes_on(tmp_path, named):
    tree = special_tree(tmp_path / "tree")
    argv = ["pipe.py", "zero.py", "sparse.py", "good.py"] if named else ["."]
    proc = subprocess.run(tmplint_argv("--no-cache", *argv), cwd=tree, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc
    assert "good.py:2:12: TMP102" in proc.stdout, proc.stdout
    assert "pipe.py: cannot analyse: not a regular file" in proc.stderr, proc.stderr
    assert "zero.py: cannot analyse: not a regular file" in proc.stderr, proc.stderr
    assert "sparse.py: cannot analyse: too large to read (8589934592 bytes" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr


def test_special_files_with_the_cache_and_fix_do_not_hang(tmp_path):
    tree = special_tree(tmp_path / "tree")
    (tree / "seed.py").write_text(SEED)
    proc = subprocess.run(tmplint_argv("--fix", "."), cwd=tree, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc
    assert "pipe.py: cannot analyse: not a regular file" in proc.stderr, proc.stderr
    assert "uuid.uuid4().hex" in (tree / "seed.py").read_text()


def test_fix_file_refuses_a_fifo_swapped_in_after_the_check(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(SourceError, match="not a regular file"):
        fix_file(str(tmp_path / "pipe.py"), Config())


def test_a_read_stops_at_the_limit(tmp_path):
    path = tmp_path / "big.py"
    path.write_bytes(b"x = 1\n" * 100)
    assert source.read_bytes(str(path), 600) == b"x = 1\n" * 100
    with pytest.raises(SourceError, match="too large to read"):
        source.read_bytes(str(path), 599)
    limit = source.READ_LIMIT
    assert source.read_limit(10) == limit and source.read_limit(limit * 2) == limit * 2


def test_a_file_over_max_file_size_but_under_the_read_limit_is_still_screened(tmp_path):
    path = tmp_path / "large.py"
    path.write_text("x = 1\n" * 1000 + GOOD)
    proc = subprocess.run(tmplint_argv("--no-cache", "--max-file-size", "1000", str(path)), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "large.py: cannot analyse: too large (over 1000 bytes)" in proc.stderr, proc


def busy_tree(folder: Path, files: int = 400) -> Path:
    """Files every one of which the screen passes to the parser: a run on them keeps its workers busy."""
    folder.mkdir()
    body = "".join(f"def save_{n}(state, d):\n    with open(os.path.join(d, '.tmp_{n}'), 'w') as f:\n"
                   f"        f.write(state)\n    os.replace(os.path.join(d, '.tmp_{n}'), os.path.join(d, 's{n}'))\n\n\n"
                   for n in range(60))
    for number in range(files):
        (folder / f"m{number}.py").write_text("import os\n\n\n" + body)
    return folder


def children_of(pid: int) -> List[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell's background job may have inherited SIG_IGN


def start_busy_run(tree: Path) -> "tuple[subprocess.Popen, List[int]]":
    proc = subprocess.Popen(tmplint_argv("--no-cache", "-j", "2", "."), cwd=tree, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=default_sigint)
    deadline = time.monotonic() + 60
    workers: List[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        workers = children_of(proc.pid)
    assert len(workers) >= 2 and proc.poll() is None, "the run did not get busy with two workers"
    time.sleep(0.3)
    return proc, workers


def read_to_eof(stream, seconds: float) -> bool:
    """True when the pipe reaches end-of-file within ``seconds`` (every writer has closed it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if ready and not os.read(stream.fileno(), 65536):
            return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_worker_outlives_a_killed_run(tmp_path, sig):
    proc, workers = start_busy_run(busy_tree(tmp_path / "tree"))
    try:
        os.kill(proc.pid, sig)
        proc.wait(timeout=10)
        assert read_to_eof(proc.stdout, 5), "a worker still holds the run's stdout"
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if running(pid)], "workers outlived the main process"
    finally:
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_run_without_worker_tracebacks(tmp_path):
    proc, workers = start_busy_run(busy_tree(tmp_path / "tree"))
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 130, err
        for noise in ("Traceback", "KeyboardInterrupt", "Process ForkProcess", "Process SpawnProcess"):
            assert noise not in err.decode(), err.decode()
        assert "tmplint: interrupted" in err.decode()
        assert not [pid for pid in workers if running(pid)]
    finally:
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


def test_text_output_escapes_control_characters_from_names_and_literals(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "evil\x1b]0;owned\x07.py").write_text(GOOD)
    # raw characters in the literal, not escapes: the message quotes the source as written
    (tree / "two\nlines.py").write_text('import os\nos.replace(".tmp_\x1b[2J\u202e", "x.json")\n')
    (tree / "broken\x1b[31m.py").write_bytes(b"x = 1\x00\n")
    for fmt in ("text", "full"):
        proc = subprocess.run(tmplint_argv("--no-cache", "--format", fmt, "."), cwd=tree, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 2, proc
        for stream in (proc.stdout, proc.stderr):
            assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream, stream
        assert "evil\\x1b]0;owned\\x07.py:2:12: TMP102" in proc.stdout, proc.stdout
        assert "two\\nlines.py:2:12: TMP102" in proc.stdout and ".tmp_\\x1b[2J\\u202e" in proc.stdout, proc.stdout
        assert "broken\\x1b[31m.py: cannot analyse: " in proc.stderr, proc.stderr


def test_a_later_run_removes_the_temp_files_of_a_killed_cache_write(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pyproject.toml").write_text("[tool.tmplint]\n")
    (tree / "a.py").write_text(GOOD)
    subprocess.run(tmplint_argv("."), cwd=tree, capture_output=True, timeout=120)
    shards = [p for p in (tree / ".tmplint_cache").rglob("*.json")]
    assert shards, "the first run wrote the cache"
    folder = shards[0].parent
    old, young = folder / f".{shards[0].name}.k1ll3d.tmp", folder / f".{shards[0].name}.wr1t1ng.tmp"
    old.write_bytes(b"half a shard")
    young.write_bytes(b"another run's shard, being written")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    (tree / "b.py").write_text(GOOD)  # something new, so the run writes
    subprocess.run(tmplint_argv("."), cwd=tree, capture_output=True, timeout=120)
    assert not old.exists(), "a killed write's temp file was left for good"
    assert young.exists(), "a temp file another run may still be writing was removed"


def test_the_flake8_plugin_says_which_files_it_cannot_analyse(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\nmax-file-size = 100\n")
    (tmp_path / "large.py").write_text("x = 1\n" * 40 + GOOD)
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "TMP", "large.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "tmplint: large.py: cannot analyse: too large (over 100 bytes)" in proc.stderr, proc


def fixed_count(output: str) -> int:
    found = re.search(r"Fixed (\d+) error", output)
    assert found, output
    return int(found[1])


def test_fixed_does_not_count_the_findings_of_a_file_that_vanished(tmp_path, monkeypatch, capsys):
    from tmplint import cli
    from tmplint.fix import files as fix_files

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "seed.py").write_text(SEED)
    monkeypatch.chdir(tree)
    cli.main(["--fix", "--no-cache", "-j", "1", "."])
    expected = fixed_count(capsys.readouterr().out)

    (tree / "seed.py").write_text(SEED)
    (tree / "doomed.py").write_text(GOOD * 3)  # findings that --fix leaves alone
    original = fix_files.fix_file

    def fix_then_delete(*args, **kwargs):
        result = original(*args, **kwargs)
        if (tree / "doomed.py").exists():
            (tree / "doomed.py").unlink()  # deleted by someone else while the run fixes
        return result

    monkeypatch.setattr(fix_files, "fix_file", fix_then_delete)
    cli.main(["--fix", "--no-cache", "-j", "1", "."])
    assert fixed_count(capsys.readouterr().out) == expected


def test_a_form_feed_the_fixer_cannot_keep_is_named_as_the_reason(tmp_path):
    lines = SEED.split("\n")
    number = next(i for i in range(1, len(lines))
                  if lines[i].startswith("    ") and lines[i - 1].startswith("    ") and lines[i].strip())
    lines[number] = "\f" + lines[number]
    (tmp_path / "seed.py").write_text("\n".join(lines))
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", "seed.py"), cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2, proc
    assert ("seed.py: cannot analyse: not fixed: LibCST does not reproduce this file byte for byte "
            f"(a form feed in the indentation of line {number + 1})\n") in proc.stderr, proc.stderr
    assert "lone CR" not in proc.stderr
    assert (tmp_path / "seed.py").read_text() == "\n".join(lines)
