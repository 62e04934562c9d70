"""The progress line a long run shows on stderr when stderr is a terminal: ``tmplint: 1234/10990 files``,
redrawn in place at most ten times a second and erased when the run is done, so that what stays on the
screen is the report alone."""

import os
import time
from typing import TextIO

_ERASE = "\r\x1b[2K"


class Progress:
    """Call with (done, total) as files are done; ``close()`` erases the line."""

    def __init__(self, stream: TextIO, interval: float = 0.1) -> None:
        self.stream = stream
        self.interval = interval
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.shown and now - self.last < self.interval and done < total:
            return
        self.last = now
        self.shown = True
        try:
            self.stream.write(f"{_ERASE}tmplint: {done}/{total} files")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the run goes on without its line
            pass

    def close(self) -> None:
        if self.shown:
            try:
                self.stream.write(_ERASE)
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self.shown = False


def wanted(stream: TextIO) -> bool:
    """Only on a terminal (a pipe, a file or CI's log gets no progress), and not a dumb one."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
    except (OSError, ValueError):
        return False
