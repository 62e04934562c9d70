"""How long ``tmplint server`` takes from a ``textDocument/didChange`` to the diagnostics of that version.

    python benchmarks/lsp_latency.py [FILE] [--corpus /tmp/perf-corpus] [--runs 20]

A real LSP client (pygls's) starts ``tmplint server`` in the folder of the file's package in the corpus
(its project root: the cache lives there), opens the file (cold: the first check parses the file and
indexes what it imports, filling the cache), then sends ``--runs`` edits, each a whole new text (the
file with one comment line changed at its end, as a keystroke changes it), and times each edit until
the server publishes the diagnostics of that version. Prints the open's time, the median, the 90th
percentile and the extremes of the edits, and the server's CPU time per edit (Linux: from /proc; on a
shared machine the wall time follows the load, the CPU time much less); the target is a median under 0.5 s.

FILE defaults to ``matplotlib/matplotlib/backends/backend_ps.py`` of the benchmark corpus: 1,400 lines
with a finding (a TMP103 at its ``shutil.move``) and imports of its own package to index. Fetch the
corpus with ``../shared/bench/fetch_perf_corpus.sh /tmp/perf-corpus``.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from typing import List

DEFAULT_FILE = os.path.join("matplotlib", "matplotlib", "backends", "backend_ps.py")


async def measure(path: str, cwd: str, runs: int) -> None:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("tmplint-latency", "1")
    published: "asyncio.Queue[types.PublishDiagnosticsParams]" = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(ls, params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    async def wait(version: int) -> types.PublishDiagnosticsParams:
        while True:
            params = await asyncio.wait_for(published.get(), timeout=300)
            if params.version == version:
                return params

    await client.start_io(sys.executable, "-m", "tmplint", "server", cwd=cwd)
    uri = "file://" + os.path.abspath(path)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        client.initialized(types.InitializedParams())
        started = time.perf_counter()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        found = await wait(1)
        opened = time.perf_counter() - started
        print(f"{os.path.relpath(path, cwd)}: {len(text.splitlines())} lines, {len(found.diagnostics)} findings; "
              f"open (cold: parses and indexes what it imports) {opened:.2f} s", flush=True)
        times: List[float] = []
        cpus: List[float] = []
        for version in range(2, runs + 4):
            edited = text + f"# edit {version}\n"
            cpu = server_cpu(client)
            started = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=edited)]))
            await wait(version)
            if version > 3:  # two edits to warm up: imports and the cache's shards are loaded by then
                times.append(time.perf_counter() - started)
                cpus.append(server_cpu(client) - cpu)
        times.sort()
        median = statistics.median(times)
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"didChange -> diagnostics, {len(times)} edits: median {median:.3f} s, 90th percentile {p90:.3f} s, "
              f"min {times[0]:.3f} s, max {times[-1]:.3f} s; target median < 0.5 s: "
              f"{'met' if median < 0.5 else 'NOT met'}")
        if all(c >= 0 for c in cpus):
            print(f"server CPU per edit: median {statistics.median(cpus):.3f} s; load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()


def server_cpu(client) -> float:
    """The server process's CPU time so far (user and system), in seconds; -1 where /proc is missing."""
    try:
        with open(f"/proc/{client._server.pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, AttributeError, ValueError, IndexError):
        return -1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help=f"a file of the corpus (default: {DEFAULT_FILE})")
    parser.add_argument("--corpus", default="/tmp/perf-corpus")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    path = os.path.abspath(args.file or os.path.join(args.corpus, DEFAULT_FILE))
    if not os.path.isfile(path):
        print(f"{path} is missing: fetch the corpus with ../shared/bench/fetch_perf_corpus.sh {args.corpus}",
              file=sys.stderr)
        return 2
    corpus = os.path.abspath(args.corpus)
    inside = os.path.relpath(path, corpus)
    cwd = os.path.join(corpus, inside.split(os.sep)[0]) if not inside.startswith("..") else os.path.dirname(path)
    asyncio.run(measure(path, cwd, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
