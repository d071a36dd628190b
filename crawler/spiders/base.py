"""NewsSpider: sources in, article requests and ArticleItems out, every failure counted."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

from crawler.discovered import DiscoveredLink
from crawler.items import ArticleItem
from crawler.middlewares import ARTICLE_META
from crawler.policy import SourcePolicy
from pipelines.health import RunHealth
from pipelines.runtime import open_runtime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_IGNORE_REASONS = (
    ("robots", "robots_txt"),
    ("private address", "private_address"),
    ("max redirections", "redirect_loop"),
)


class NewsSpider(Spider):
    """Base of every newsdedup spider: turns sources into article pages."""

    kind: ClassVar[str] = "auto"

    def __init__(self, urls: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cli_urls = [u.strip() for u in (urls or "").split(",") if u.strip()]
        self.sources: list[str] = []
        self.article_urls: list[str] = []
        self.url_list_name = "urls"
        self.health = RunHealth()
        self.policy = SourcePolicy({}, self.kind, 0, None, ())
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Read the sources from `-a urls=` or NEWSDEDUP_SOURCES."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.sources = spider._cli_urls or settings.getlist("NEWSDEDUP_SOURCES")
        spider.article_urls = settings.getlist("NEWSDEDUP_ARTICLE_URLS")
        spider.url_list_name = settings.get("NEWSDEDUP_URL_LIST_NAME") or "urls"
        if spider.kind == "urls":
            spider.article_urls, spider.sources = spider.sources + spider.article_urls, []
        spider.health = open_runtime(settings).health
        spider.policy = SourcePolicy.from_settings(settings, spider.kind)
        for source in spider.sources:
            spider.health.source(source).kind = spider.policy.kind(source)
        if spider.article_urls:
            spider.health.source(spider.url_list_name).kind = "urls"
            spider.health.source(spider.url_list_name).status = "ok"
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """One request per source."""
        if not self.sources and not self.article_urls:
            logger.error("no sources: pass -a urls=URL[,URL] or set NEWSDEDUP_SOURCES")
        for source in self.sources:
            for request in self.source_requests(source):
                yield request
        for request in self.article_requests(
            map(DiscoveredLink, self.article_urls), self.url_list_name
        ):
            yield request

    def source_requests(self, source: str) -> Iterator[Request]:
        """The first request of a source (a `urls` source is itself the article)."""
        kind = self.policy.kind(source)
        if kind == "urls":
            self.mark_source(source, "ok", "urls")
            yield from self.article_requests([DiscoveredLink(source)], source)
            return
        yield Request(
            source,
            callback=self.parse_source,
            errback=self.on_source_error,
            meta={"source": source, "kind": kind},
            dont_filter=True,
        )

    def parse_source(self, response: Response) -> AsyncIterator[Any] | Iterator[Any]:
        """Read a source document (overridden by subclasses)."""
        raise NotImplementedError

    def article_requests(self, links: Iterable[DiscoveredLink], source: str) -> Iterator[Request]:
        """Requests for the article pages the source's policy admits, feed fields as fallbacks."""
        for link in links:
            if refusal := self.policy.refusal(link, source):
                self.skip(refusal, link.url)
                continue
            fallbacks = {
                "title": link.title,
                "published": link.published or link.lastmod,
                "author": link.author,
            }
            meta = {ARTICLE_META: True, "source": source, "fallbacks": fallbacks}
            if link.guid and link.guid.startswith(("http://", "https://")):
                meta["guid_url"] = link.guid
            yield Request(
                link.url, callback=self.parse_article, errback=self.on_article_error, meta=meta
            )

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        """Wrap an HTML article page into an ArticleItem for the pipelines."""
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if content_type and not content_type.startswith(_HTML_TYPES):
            self.skip("not_html", response.url, content_type)
            return
        yield ArticleItem(
            url=response.url,
            source=response.meta["source"],
            body=response.body,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            request_url=response.request.url if response.request else response.url,
            fallbacks=response.meta.get("fallbacks") or {},
            alias_urls=[response.meta["guid_url"]] if response.meta.get("guid_url") else [],
        )

    def mark_source(self, source: str, state: str, kind: str | None = None) -> None:
        """Record how a source went: ok, or failed:<reason> (first failure wins)."""
        health = self.health.source(source)
        if health.status in ("pending", "ok"):
            health.status = state
        if kind and health.kind in ("auto", "unknown"):
            health.kind = kind

    def on_source_error(self, failure: Failure) -> None:
        """A source could not be fetched: count it and mark the source failed."""
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy
        reason = _error_reason(failure)
        self.crawler.stats.inc_value(f"newsdedup/errors/{reason}")
        self.health.source(request.meta["source"]).http_error(reason)
        self.mark_source(request.meta["source"], f"failed:{reason}")
        logger.warning("source %s failed: %s", request.url, reason)

    def on_article_error(self, failure: Failure) -> None:
        """An article page could not be fetched: count it by reason."""
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy
        reason = _error_reason(failure)
        self.crawler.stats.inc_value(f"newsdedup/errors/{reason}")
        self.health.source(request.meta.get("source")).http_error(reason)
        logger.info("article %s not fetched: %s", request.url, reason)

    def skip(self, reason: str, url: str, detail: object = "") -> None:
        """Count a skipped page or entry and log the first of each reason."""
        self.crawler.stats.inc_value(f"newsdedup/skipped/{reason}")
        level = logging.INFO if reason in self._logged else logging.WARNING
        self._logged.add(reason)
        logger.log(level, "skipped (%s): %s %s", reason, url, detail or "")


def _error_reason(failure: Failure) -> str:
    """A short reason for a download failure: http_404, dns, timeout, ..."""
    error = failure.value
    if isinstance(error, HttpError):  # before IgnoreRequest: HttpError is one
        return f"http_{error.response.status}"
    if isinstance(error, StopDownload):
        return "not_html"
    if isinstance(error, IgnoreRequest):
        message = str(error).lower()
        return next((reason for marker, reason in _IGNORE_REASONS if marker in message), "ignored")
    if isinstance(error, DNSLookupError):
        return "dns"
    if isinstance(error, TimeoutError | TCPTimedOutError):
        return "timeout"
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
