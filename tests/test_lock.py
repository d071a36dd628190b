"""The run lock: one holder at a time; a dead holder's lock is taken over."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lock import LockHeld, RunLock

_HOLD = (
    "import sys, time; from pathlib import Path; from pipelines.lock import RunLock;"
    "lock = RunLock(Path(sys.argv[1])); lock.acquire(); print('held', flush=True);"
    "time.sleep(30)"
)


def _holder(path: Path) -> subprocess.Popen[str]:
    """A process holding the lock at PATH (it has said so when this returns)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_second_holder_is_refused_with_pid(tmp_path: Path) -> None:
    path = tmp_path / "state.lock"
    with _holder(path) as holder:
        try:
            with pytest.raises(LockHeld, match=rf"another run holds the state \(pid {holder.pid} "):
                RunLock(path).acquire()
        finally:
            holder.kill()


def test_dead_holders_lock_is_taken_over(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.lock"
    with _holder(path) as holder:
        holder.kill()
    lock = RunLock(path)
    lock.acquire()
    assert "stale state lock" in caplog.text
    lock.release()
