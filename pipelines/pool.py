"""Extraction in worker processes, so trafilatura uses every core and never blocks the reactor.

A plain ``ProcessPoolExecutor`` (spawned workers that ignore SIGINT/SIGTERM and die with the
crawl process) behind an asyncio deadline. When a worker dies (a crash, an OOM kill) the
executor breaks and every page in it fails: the executor is replaced and each of those pages
is retried alone in a one-worker pool, so only the page that kills its worker again is given
up. When a page overruns its deadline the executor is replaced too (a hung worker cannot be
stopped any other way); the pages beside it are retried the same way.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from pipelines.threads import single_blas_thread

T = TypeVar("T")
logger = logging.getLogger(__name__)


class ExtractionTimeout(Exception):
    """A page took longer than the per-page limit; its workers were replaced."""


class WorkerCrashed(Exception):
    """A worker process died on this page twice; the page is abandoned."""


def _worker_init() -> None:
    """Die with the crawl process, leave signals to it, import trafilatura before any page."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    import pipelines.analysis  # noqa: F401  (warm-up import: trafilatura, numpy)


def _ready() -> None:
    """A no-op task that makes the executor start a worker."""


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the crawl process dies (a SIGKILLed crawl)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers exit at their next read instead
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(0)


class ExtractorPool(Generic[T]):
    """Runs TASK(body, url, fallbacks) in N processes with a per-page deadline and crash
    recovery (TASK: a picklable top-level function such as ``analyse_page``)."""

    def __init__(self, workers: int, timeout: float, task: Callable[..., T]) -> None:
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.timeout = timeout
        self.task = task
        self.restarts = 0
        self._pool = self._new_pool(self.workers) if self.workers > 1 else None
        self._retry_pool: ProcessPoolExecutor | None = None
        self._retry_lock = asyncio.Lock()
        self._in_flight = asyncio.Semaphore(2 * self.workers)  # deadlines start near the work

    @staticmethod
    def _new_pool(workers: int) -> ProcessPoolExecutor:
        """A pool whose workers start now, importing trafilatura while the feeds download
        (the executor would otherwise spawn each one at its first page)."""
        single_blas_thread()  # inherited by the spawned workers
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init)
        for _ in range(workers):
            pool.submit(_ready)  # no worker is idle yet: each submit spawns one
        return pool

    async def extract(self, body: bytes, url: str, fallbacks: Mapping[str, Any]) -> T:
        """Run the task on one page; raises what it raises, ExtractionTimeout or WorkerCrashed."""
        task = self.task
        if self._pool is None:
            return task(body, url, fallbacks)
        pool = self._pool
        try:
            return await self._run(pool, task, body, url, fallbacks)
        except BrokenProcessPool as exc:
            self._replace(pool, f"a worker died ({exc})")
        return await self._retry_alone(task, body, url, fallbacks)

    async def _run(
        self,
        pool: ProcessPoolExecutor,
        task: Callable[..., T],
        body: bytes,
        url: str,
        fallbacks: Mapping[str, Any],
    ) -> T:
        """Run TASK in POOL under the deadline; a timeout replaces POOL.

        At most two pages per worker are submitted at once, so a deadline starts close to
        the moment its page is picked up, not while it waits behind a long queue.
        """
        async with self._in_flight:
            future = pool.submit(task, body, url, dict(fallbacks))
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except TimeoutError as exc:
                self._replace(pool, f"a page took over {self.timeout:g} s: {url}")
                raise ExtractionTimeout(f"extraction took over {self.timeout:g} s") from exc

    async def _retry_alone(
        self,
        task: Callable[..., T],
        body: bytes,
        url: str,
        fallbacks: Mapping[str, Any],
    ) -> T:
        """Retry a page whose pool broke, alone in a one-worker pool: if it breaks that one
        too, this page is the culprit (pages that were merely beside it succeed)."""
        async with self._retry_lock:
            if self._retry_pool is None:
                self._retry_pool = self._new_pool(1)
            retry_pool = self._retry_pool
            try:
                return await self._run(retry_pool, task, body, url, fallbacks)
            except BrokenProcessPool as exc:
                _kill_workers(retry_pool)
                self._retry_pool = None
                raise WorkerCrashed("the page killed its worker twice") from exc

    def _replace(self, pool: ProcessPoolExecutor, why: str) -> None:
        """Kill POOL's workers and start a fresh pool (once per broken pool)."""
        if pool is not self._pool and pool is not self._retry_pool:
            return  # another page already replaced it
        logger.warning("restarting extraction workers: %s", why)
        self.restarts += 1
        _kill_workers(pool)
        if pool is self._retry_pool:
            self._retry_pool = None
        else:
            self._pool = self._new_pool(self.workers)

    def close(self) -> None:
        """Stop the workers (pending pages are abandoned)."""
        for pool in (self._pool, self._retry_pool):
            if pool is not None:
                _kill_workers(pool)
        self._pool = self._retry_pool = None


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop an executor now, even with a hung worker (Python 3.11 has no terminate_workers)."""
    processes = list(getattr(pool, "_processes", {}).values())  # private, but the only handle
    pool.shutdown(wait=False)  # queued pages then fail with BrokenProcessPool: retried
    for process in processes:
        if process.is_alive():
            process.kill()
