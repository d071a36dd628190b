"""Extraction in worker processes, so trafilatura uses every core and never blocks the reactor."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pebble import ProcessPool

    from pipelines.extraction import ExtractedArticle

logger = logging.getLogger(__name__)


class ExtractionTimeout(Exception):
    """A page took longer than the per-page limit; its worker was replaced."""


class WorkerCrashed(Exception):
    """The worker process died while extracting a page; a new one replaced it."""


def _warm_up() -> None:
    """Import trafilatura once per worker, before the first page arrives."""
    import pipelines.extraction  # noqa: F401  (import for its side effect: warm caches)


class ExtractorPool:
    """Runs ``extract_article`` in N processes (pebble: per-task timeout, crash recovery)."""

    def __init__(self, workers: int, timeout: float) -> None:
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.timeout = timeout
        self._pool: ProcessPool | None = None
        if self.workers > 1:
            from pebble import ProcessPool

            self._pool = ProcessPool(max_workers=self.workers, initializer=_warm_up)

    async def extract(
        self, body: bytes, url: str, fallbacks: Mapping[str, Any]
    ) -> ExtractedArticle:
        """Extract one page; raises NoArticle, ExtractionTimeout or WorkerCrashed."""
        from pipelines.extraction import extract_article

        if self._pool is None:
            return extract_article(body, url, fallbacks)
        future = self._pool.schedule(
            extract_article, (body, url, dict(fallbacks)), timeout=self.timeout
        )
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError as exc:
            raise ExtractionTimeout(f"extraction took over {self.timeout:g} s") from exc
        except Exception as exc:
            if type(exc).__name__ == "ProcessExpired":
                raise WorkerCrashed(str(exc)) from exc
            raise

    def close(self) -> None:
        """Stop the workers (pending pages are abandoned)."""
        if self._pool is not None:
            self._pool.stop()  # type: ignore[no-untyped-call]  # pebble is untyped
            self._pool.join(timeout=5)
            self._pool = None
