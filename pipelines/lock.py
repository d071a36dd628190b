"""An exclusive run lock beside the state, so overlapping cron runs never share it."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)


class LockHeld(Exception):
    """Another live process holds the run lock."""


class RunLock:
    """An flock()-based lock file holding the owner's pid and start time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise LockHeld naming the holder; take over a dead holder's file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(self.path)
            handle.close()
            raise LockHeld(f"another run holds the state ({holder})") from None
        previous = _read_holder(self.path)
        if previous != "unknown holder":
            logger.warning("took over a stale state lock left by a dead run (%s)", previous)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {time.time():.0f}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Empty the lock file and release the lock."""
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def _read_holder(path: Path) -> str:
    """Describe the holder recorded in the lock file: 'pid N since T'."""
    try:
        pid, started = path.read_text(encoding="utf-8").split()[:2]
    except (OSError, ValueError):
        return "unknown holder"
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(started)))
    return f"pid {pid} since {since}"
