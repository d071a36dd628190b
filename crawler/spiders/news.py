"""The `news` spider: any source URL; the kind (feed, sitemap, homepage) is read off the answer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
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


class NewsSpiderAuto(SiteCrawlMixin, NewsSpider):
    """Fetch each source, detect what it is, and request the article pages it lists."""

    name = "news"

    def parse_source(self, response: Response) -> Iterator[Any]:
        """Dispatch on the detected kind of a fetched source document."""
        source, forced = response.meta["source"], response.meta.get("kind", "auto")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        result = parse_source(response.body, response.url, content_type or None)
        for reason, count in result.skipped.items():
            self.crawler.stats.inc_value(f"newsdedup/skipped/{reason}", count)
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
            yield from self.homepage(response, source)
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

    def homepage(self, response: Response, source: str) -> Iterator[Request]:
        """A homepage: use its feeds if it advertises any, else crawl the site."""
        feeds = feed_links_from_html(response.body, response.url)
        if feeds and response.meta.get("kind") != "site":
            logger.info("%s: using its feeds %s", source, ", ".join(feeds))
            self.crawler.stats.inc_value("newsdedup/sources/homepage_feeds")
            for feed in feeds:
                yield Request(
                    feed,
                    callback=self.parse_source,
                    errback=self.on_source_error,
                    meta={"source": source, "kind": "feed", "depth": 1},
                )
            return
        logger.info("%s: no feed advertised, crawling the site", source)
        self.crawler.stats.inc_value("newsdedup/sources/site_crawl")
        yield from self.crawl_listing(response, source)


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """Sitemap URLs named in a robots.txt body."""
    return sitemaps_from_robots(text, base_url)
