"""Drop article requests whose canonical URL is already known, before they are downloaded."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request

from crawler.urls import article_id, url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

    from pipelines.runtime import Runtime

logger = logging.getLogger(__name__)

ARTICLE_META = "newsdedup_article"


class SeenUrlMiddleware:
    """Spider middleware: skip article URLs kept in an earlier run or already queued now."""

    def __init__(self, stats: StatsCollector, runtime: Runtime) -> None:
        self.stats = stats
        self.runtime = runtime
        self.queued: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Share the run's state store."""
        from pipelines.runtime import open_runtime

        return cls(crawler.stats, open_runtime(crawler.settings))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        """Filter the callback's output (sync callbacks)."""
        for obj in result:
            if self._wanted(obj):
                yield obj

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        """Filter the callback's output (async callbacks)."""
        async for obj in result:
            if self._wanted(obj):
                yield obj

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Filter start requests (URL lists are article requests from the start)."""
        async for obj in start:
            if self._wanted(obj):
                yield obj

    def _wanted(self, obj: Any) -> bool:
        """False for an article request whose URL is known or already queued."""
        if not isinstance(obj, Request) or not obj.meta.get(ARTICLE_META):
            return True
        keys = request_keys(obj)
        if first := next((self.queued[k] for k in keys if k in self.queued), None):
            if first != obj.url:  # another URL of a page queued in this run
                self._url_duplicate(obj, first)
            return False
        if self.runtime.store.article_for_url_keys(keys):
            self.stats.inc_value("newsdedup/skipped/seen_url")
            self.runtime.health.source(obj.meta.get("source")).skipped_seen += 1
            return False
        self.queued.update(dict.fromkeys(keys, obj.url))
        return True

    def _url_duplicate(self, request: Request, first_url: str) -> None:
        """Record a URL variant (tracking parameters, AMP...) of a page queued in this run."""
        self.stats.inc_value("newsdedup/duplicates/url")
        self.runtime.health.source(request.meta.get("source")).duplicates["url"] += 1
        self.runtime.output.duplicates.write(
            {
                "id": article_id(request.url),
                "url": request.url,
                "source": request.meta.get("source"),
                "title": (request.meta.get("fallbacks") or {}).get("title"),
                "reason": "url",
                "duplicate_of": article_id(first_url),
                "similarity": 1.0,
                "duplicate_of_url": first_url,
            }
        )


def request_keys(request: Request) -> list[str]:
    """URL keys of an article request: its URL and its feed GUID when that is a URL."""
    keys = [url_key(request.url)]
    guid = request.meta.get("guid_url")
    if guid and (key := url_key(guid)) not in keys:
        keys.append(key)
    return keys
