"""The extraction pool: a hung page is abandoned and its workers replaced; crashes survived."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import pytest

from pipelines.pool import ExtractionTimeout, ExtractorPool, WorkerCrashed


def _task(body: bytes, url: str, fallbacks: dict[str, Any]) -> str:
    """A stand-in for extract_article: 'hang' sleeps, 'crash' kills its worker."""
    if body == b"hang":
        time.sleep(30)
    if body == b"crash":
        os.kill(os.getpid(), signal.SIGKILL)
    return body.decode() + "!"


def _run(pool: ExtractorPool, *bodies: bytes) -> list[Any]:
    async def both() -> list[Any]:
        calls = [pool.extract(b, "http://x.test/", {}) for b in bodies]
        return await asyncio.gather(*calls, return_exceptions=True)

    return asyncio.run(both())


def test_a_hung_page_times_out_and_the_pool_keeps_working() -> None:
    pool = ExtractorPool(2, timeout=3.0, task=_task)
    try:
        results = _run(pool, b"hang", b"ok")
        assert isinstance(results[0], ExtractionTimeout)
        assert results[1] == "ok!"
        assert _run(pool, b"after") == ["after!"]
        assert pool.restarts == 1
    finally:
        pool.close()


def test_a_crashing_page_is_counted_and_others_survive() -> None:
    pool = ExtractorPool(2, timeout=20.0, task=_task)
    try:
        results = _run(pool, b"crash", b"fine")
        assert isinstance(results[0], WorkerCrashed)
        assert results[1] == "fine!"
        assert _run(pool, b"later") == ["later!"]
    finally:
        pool.close()


def test_one_worker_runs_in_process() -> None:
    pool = ExtractorPool(1, timeout=1.0, task=_task)
    assert _run(pool, b"x") == ["x!"]
    pool.close()


@pytest.mark.parametrize("workers", [0])
def test_zero_means_one_per_cpu(workers: int) -> None:
    pool = ExtractorPool(workers, timeout=1.0, task=_task)
    try:
        assert pool.workers == (os.cpu_count() or 1)
    finally:
        pool.close()
