"""A Redis server for tests: NEWSDEDUP_TEST_REDIS_URL if set, else a private redis-server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ENV = "NEWSDEDUP_TEST_REDIS_URL"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisProcess:
    """A redis-server child process with its data in a folder (AOF on: survives restarts)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """redis://127.0.0.1:PORT/0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        self.folder.mkdir(parents=True, exist_ok=True)
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        args += ["--dir", str(self.folder)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start within 10 s")

    def stop(self) -> None:
        """Stop the server (SIGTERM, so the AOF is complete)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def can_start_redis() -> str | None:
    """None when a redis-server binary is available, else why not."""
    return None if shutil.which("redis-server") else "no redis-server binary on PATH"


@contextmanager
def private_redis(folder: Path) -> Iterator[RedisProcess]:
    """A redis-server of our own (skips the test when none can be started)."""
    if reason := can_start_redis():
        pytest.skip(f"needs Redis: {reason}")
    server = RedisProcess(folder)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        pytest.skip(f"needs Redis: could not start redis-server ({exc})")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def redis_url(folder: Path) -> Iterator[str]:
    """The CI Redis (NEWSDEDUP_TEST_REDIS_URL) or a private one; skip when neither works."""
    if url := os.environ.get(ENV):
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            pytest.skip(f"needs Redis: {ENV}={url} does not answer ({exc})")
        yield url
        return
    with private_redis(folder) as server:
        yield server.url
