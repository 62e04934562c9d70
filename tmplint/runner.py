"""Checking many files: in this process or in worker processes, results in a stable order."""

import os
from concurrent.futures import ProcessPoolExecutor
from typing import List, Optional, Sequence

from tmplint import config as config_mod
from tmplint.diagnostics import Diagnostic
from tmplint.engine import check_file
from tmplint.files import iter_python_files

# Below this many files a process pool costs more than it saves.
MIN_FILES_FOR_WORKERS = 16
CHUNK = 32


def _check_one(job):
    path, settings = job
    return config_mod.apply_per_file_ignores(settings, check_file(path, settings))


def run_checks(paths: Sequence[str], settings, jobs: Optional[int] = None, use_cache: bool = True) -> List[Diagnostic]:
    files = list(iter_python_files(paths, settings))
    jobs = jobs or os.cpu_count() or 1
    work = [(path, settings) for path in files]
    results: List[Diagnostic] = []
    if jobs == 1 or len(files) < MIN_FILES_FOR_WORKERS:
        for job in work:
            results.extend(_check_one(job))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for found in pool.map(_check_one, work, chunksize=CHUNK):
                results.extend(found)
    return sorted(results, key=Diagnostic.sort_key)
