"""A live progress line on a terminal: pages, articles, duplicates, errors and rate."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def _total(stats: dict[str, Any], prefix: str) -> int:
    """Sum of the counters under PREFIX."""
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


class ProgressLine:
    """Extension: redraw one status line every half second while the crawl runs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = time.monotonic()
        self._live: Any = None
        self._loop: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Only when NEWSDEDUP_PROGRESS is on (the CLI sets it when stderr is a terminal)."""
        if not crawler.settings.getbool("NEWSDEDUP_PROGRESS"):
            raise NotConfigured  # no terminal: no line (and no log noise)
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        """Start the live line."""
        from rich.console import Console
        from rich.live import Live
        from twisted.internet import task

        self._live = Live(
            self.line(), console=Console(stderr=True), transient=True, auto_refresh=False
        )
        self._live.start()
        self._loop = task.LoopingCall(self.refresh)
        self._loop.start(0.5, now=False)

    def line(self) -> str:
        """The current status line."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        pages = int(stats.get("response_received_count", 0))
        written = int(stats.get("newsdedup/articles_written", 0))
        rate = pages / max(time.monotonic() - self.started, 1e-6)
        duplicates = _total(stats, "newsdedup/duplicates/")
        return (
            f"pages {pages}  articles {written}  duplicates {duplicates}"
            f"  skipped {_total(stats, 'newsdedup/skipped/')}"
            f"  errors {_total(stats, 'newsdedup/errors/')}  {rate:.1f} pages/s"
        )

    def refresh(self) -> None:
        """Redraw."""
        if self._live is not None:
            self._live.update(self.line(), refresh=True)

    def spider_closed(self, spider: Any) -> None:
        """Stop the live line (the summary follows)."""
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._live is not None:
            self._live.stop()
            self._live = None
