"""Run one crawl in this process and return its counts and exit code."""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.params import CrawlParams

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
_SIGNAL_EXIT = {int(signal.SIGINT): 130, int(signal.SIGTERM): 143}
_SPIDERS = {"auto": "news", "feed": "feed", "sitemap": "sitemap", "site": "site", "urls": "urls"}


@dataclass
class CrawlResult:
    """What a crawl did: Scrapy stats, failed sources, elapsed time, exit code."""

    stats: dict[str, Any]
    elapsed: float
    failed_sources: dict[str, str] = field(default_factory=dict)
    signal: int | None = None
    run_file: Path | None = None

    @property
    def exit_code(self) -> int:
        """0 ok, 1 a source failed, 130/143 stopped by SIGINT/SIGTERM."""
        if self.signal is not None:
            return _SIGNAL_EXIT.get(self.signal, 128 + self.signal)
        if self.stats.get("finish_reason") == "redis_unavailable":
            return EXIT_SOURCE_FAILED  # the run did not finish; a rerun completes it
        return EXIT_SOURCE_FAILED if self.failed_sources else EXIT_OK

    def count(self, key: str) -> int:
        """One newsdedup counter (0 when absent)."""
        return int(self.stats.get(f"newsdedup/{key}", 0))

    def grouped(self, prefix: str) -> dict[str, int]:
        """Counters under newsdedup/PREFIX/, by their last part."""
        head = f"newsdedup/{prefix}/"
        return {k[len(head) :]: int(v) for k, v in sorted(self.stats.items()) if k.startswith(head)}

    def totals(self) -> dict[str, Any]:
        """Run totals for the run file."""
        return {
            "pages": int(self.stats.get("response_received_count", 0)),
            "articles": self.count("articles_written"),
            "new": self.count("new"),
            **{g: self.grouped(g) for g in ("duplicates", "skipped", "dropped", "errors")},
        }

    def summary(self) -> str:
        """The one-line run summary printed on stderr."""
        dups = self.grouped("duplicates")
        parts = [
            f"pages={int(self.stats.get('response_received_count', 0))}",
            f"articles={self.count('articles_written')}",
            f"new={self.count('new')}",
            f"duplicates={sum(dups.values())}" + _detail(dups),
            f"skipped={sum(self.grouped('skipped').values())}" + _detail(self.grouped("skipped")),
            f"dropped={sum(self.grouped('dropped').values())}" + _detail(self.grouped("dropped")),
            f"errors={sum(self.grouped('errors').values())}" + _detail(self.grouped("errors")),
            f"state={self.count('state/articles')}"
            + _detail({f"evicted_{k}": v for k, v in self.grouped("evicted").items() if v}),
            f"elapsed={self.elapsed:.1f}s",
        ]
        line = "newsdedup: " + " ".join(parts)
        if self.stats.get("finish_reason") == "redis_unavailable":
            line += "\nnewsdedup: stopped: the Redis state became unreachable; rerun to finish"
        if self.failed_sources:
            failed = ", ".join(f"{s} ({why})" for s, why in self.failed_sources.items())
            line += f"\nnewsdedup: failed sources: {failed}"
        return line


def _detail(counts: dict[str, int]) -> str:
    """'(url=1,near=2)' or ''."""
    return "(" + ",".join(f"{k}={v}" for k, v in counts.items()) + ")" if counts else ""


def build_settings(params: CrawlParams, log_level: str, progress: bool = False) -> Settings:
    """Scrapy settings: project defaults, then the validated run options."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "NEWSDEDUP_SOURCES": params.sources,
        "NEWSDEDUP_ARTICLE_URLS": params.article_urls,
        "NEWSDEDUP_URL_LIST_NAME": params.url_list_name,
        "NEWSDEDUP_OUTPUT_DIR": str(params.output),
        "NEWSDEDUP_WORKERS": params.workers,
        "NEWSDEDUP_MAX_PAGES": params.max_pages,
        "NEWSDEDUP_RETENTION_DAYS": params.retention_days,
        "NEWSDEDUP_ALLOW_PRIVATE": params.allow_private,
        "NEWSDEDUP_SINCE": params.since,
        "NEWSDEDUP_OUTPUT_STDOUT": params.to_stdout,
        "NEWSDEDUP_OUTPUT_GZIP": params.gzip_output,
        "NEWSDEDUP_OUTPUT_PARTITION": params.partition,
        "NEWSDEDUP_SOURCE_OPTIONS": params.source_options,
        "DOWNLOAD_SLOTS": _download_slots(params.source_options),
        "LOG_LEVEL": log_level,
        "NEWSDEDUP_PROGRESS": progress,
        "LOG_INSTALL_ROOT_HANDLER": False,  # the CLI's handler (level, --log-file) is used
    }
    if params.state:
        overrides["NEWSDEDUP_STATE_URL"] = params.state
    if params.namespace:
        overrides["NEWSDEDUP_NAMESPACE"] = params.namespace
    if params.worker:
        overrides["NEWSDEDUP_WORKER"] = params.worker
    settings.setdict(overrides, priority="cmdline")
    settings.setdict(params.settings, priority="cmdline")
    return settings


def _download_slots(options: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per-host download delays from the sources' `download_delay` options."""
    from urllib.parse import urlsplit

    slots = {}
    for url, opts in options.items():
        if opts.get("download_delay") is not None:
            slots[urlsplit(url).hostname or url] = {"delay": float(opts["download_delay"])}
    return slots


def run_crawl(
    params: CrawlParams, log_level: str = "WARNING", progress: bool = False
) -> CrawlResult:
    """Crawl PARAMS' sources to the end; raises LockHeld or StateError before starting."""
    from scrapy.crawler import CrawlerProcess

    from pipelines.runtime import open_runtime

    settings = build_settings(params, log_level, progress)
    started = time.monotonic()
    runtime = open_runtime(settings)

    class _Process(CrawlerProcess):
        received: int | None = None

        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            self.received = self.received or signum
            runtime.stopping = True  # pages not yet extracted are left for the next run
            super()._signal_shutdown(signum, frame)

    process = _Process(settings)
    try:
        crawler = process.create_crawler(_SPIDERS[params.kind])
        process.crawl(crawler)
        process.start()
    finally:
        runtime.close()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    failed = {
        name: h.status
        for name, h in runtime.health.sources.items()
        if h.kind != "urls" and not h.status.startswith("ok")
    }
    result = CrawlResult(stats, time.monotonic() - started, failed, process.received)
    from pipelines.runfile import write_run_file

    result.run_file = write_run_file(runtime, result)
    return result
