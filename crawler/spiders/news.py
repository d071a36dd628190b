"""The `news` spider: any source URL; the kind (feed, sitemap, homepage) is read off the answer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Request

from crawler.discovery import feed_links_from_html, parse_source, sitemaps_from_robots
from crawler.sitecrawl import SiteCrawlMixin
from crawler.spiders.base import NewsSpider

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.discovered import ParseResult

logger = logging.getLogger(__name__)

_EXPECTED = {"feed": {"feed"}, "sitemap": {"sitemap", "sitemapindex"}}
DOCUMENT_NOTES = frozenset({"malformed_xml", "doctype_removed", "too_complex"})  # not entry skips
COMMON_FEED_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/rss", "/index.xml")


@dataclass(frozen=True)
class _Homepage:
    """Marker: the source answered with an HTML page (handled asynchronously)."""

    source: str


class NewsSpiderAuto(SiteCrawlMixin, NewsSpider):
    """Fetch each source, detect what it is, and request the article pages it lists."""

    name = "news"

    async def parse_source(self, response: Response) -> AsyncIterator[Any]:
        """Dispatch on the detected kind of a fetched source document."""
        for request in self._dispatch(response):
            if isinstance(request, _Homepage):
                async for found in self.homepage(response, request.source):
                    yield found
            else:
                yield request

    def _dispatch(self, response: Response) -> Iterator[Any]:
        """Requests for what a source document lists; a _Homepage marker for HTML pages."""
        source, forced = response.meta["source"], response.meta.get("kind", "auto")
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        result = parse_source(response.body, response.url, content_type or None)
        for reason, count in result.skipped.items():
            group = "notes" if reason in DOCUMENT_NOTES else "skipped"
            self.crawler.stats.inc_value(f"newsdedup/{group}/{reason}", count)
        if forced in _EXPECTED and result.kind not in _EXPECTED[forced]:
            why = result.error or f"{result.kind} document where a {forced} was expected"
            self.skip(f"not_{forced}", response.url, why)
            self.mark_source(source, f"failed:not_{forced}")
            return
        if result.kind == "sitemapindex":
            yield from self._child_sitemaps(result, source)
        elif result.kind in ("feed", "sitemap"):
            yield from self._articles(result, source, response.url)
        elif result.kind == "html" and response.meta.get("depth", 0) == 0:
            yield _Homepage(source)
        else:
            self.skip(f"unusable_{result.kind}", response.url, result.error or "")
            self.mark_source(source, f"failed:{result.kind}")

    def _articles(self, result: ParseResult, source: str, url: str) -> Iterator[Request]:
        """Article requests for a feed's or sitemap's links."""
        self.mark_source(source, "ok", result.kind)
        self.crawler.stats.inc_value("newsdedup/links_found", len(result.links))
        self.health.source(source).urls_found += len(result.links)
        if not result.links:
            self.skip(f"empty_{result.kind}", url, result.error or "")
        yield from self.article_requests(result.links, source)

    def _child_sitemaps(self, result: ParseResult, source: str) -> Iterator[Request]:
        """Follow a sitemap index to its child sitemaps."""
        self.mark_source(source, "ok", "sitemapindex")
        for child in result.sitemaps:
            yield Request(
                child,
                callback=self.parse_source,
                errback=self.on_article_error,
                meta={"source": source, "kind": "sitemap", "depth": 1},
            )

    async def homepage(self, response: Response, source: str) -> AsyncIterator[Request]:
        """A homepage: advertised feeds, else common feed paths, else robots.txt sitemaps,
        else a crawl of the site; logs which one it used."""
        if response.meta.get("kind") == "site":
            for request in self._site_crawl(response, source, "site crawl (forced)"):
                yield request
            return
        feeds, how = feed_links_from_html(response.body, response.url), "advertised feeds"
        if not feeds:
            feeds, how = await self._probe(response), "a common feed path"
        if not feeds:
            feeds, how = await self._robots_sitemaps(response), "robots.txt sitemaps"
        if not feeds:
            for request in self._site_crawl(response, source, "a site crawl (no feed, no sitemap)"):
                yield request
            return
        logger.warning("%s: using %s: %s", source, how, ", ".join(feeds))
        self.crawler.stats.inc_value("newsdedup/sources/" + how.replace(" ", "_"))
        for feed in feeds:
            yield Request(
                feed,
                callback=self.parse_source,
                errback=self.on_source_error,
                meta={"source": source, "kind": "auto", "depth": 1},
                dont_filter=True,
            )

    def _site_crawl(self, response: Response, source: str, how: str) -> Iterator[Request]:
        """Fall back to following the homepage's links."""
        logger.warning("%s: using %s", source, how)
        self.crawler.stats.inc_value("newsdedup/sources/site_crawl")
        yield from self.crawl_listing(response, source)

    async def _probe(self, response: Response) -> list[str]:
        """The first common feed path on the homepage's host that answers with a feed."""
        for path in COMMON_FEED_PATHS:
            fetched = await self._fetch(response.urljoin(path))
            if fetched is None:
                continue
            result = parse_source(fetched.body, fetched.url, _content_type(fetched))
            if result.kind == "feed" and result.links:
                return [fetched.url]
        return []

    async def _robots_sitemaps(self, response: Response) -> list[str]:
        """Sitemap URLs named in the host's robots.txt."""
        fetched = await self._fetch(response.urljoin("/robots.txt"))
        if fetched is None:
            return []
        text = fetched.body.decode("utf-8", errors="replace")
        return sitemaps_from_robots(text, fetched.url)

    async def _fetch(self, url: str) -> Response | None:
        """Download URL outside the scheduler (robots.txt and SSRF rules still apply)."""
        request = Request(url, dont_filter=True, meta={"handle_httpstatus_all": True})
        try:
            fetched = await self.crawler.engine.download_async(request)
        except Exception as exc:  # any failure just means "not there"
            logger.debug("probe %s failed: %s", url, exc)
            return None
        return fetched if fetched.status == 200 and fetched.body else None


def _content_type(response: Response) -> str | None:
    """The response's Content-Type header, decoded."""
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None
