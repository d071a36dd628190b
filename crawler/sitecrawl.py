"""Site crawl from a homepage: follow same-site listing links, request article-like URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.linkextractors import LinkExtractor

from crawler.discovered import DiscoveredLink
from crawler.discovery import looks_like_article_url
from crawler.urls import same_site

if TYPE_CHECKING:
    from scrapy.http import Response


class SiteCrawlMixin:
    """Listing pages are followed (bounded depth and count), article pages are requested."""

    crawler: Any
    mark_source: Any
    health: Any
    article_requests: Any
    policy: Any
    on_article_error: Any

    def crawl_listing(self, response: Response, source: str) -> Iterator[Request]:
        """Request the article links of a listing page and follow its other same-site links."""
        settings = self.crawler.settings
        max_depth = settings.getint("NEWSDEDUP_SITE_MAX_DEPTH")
        max_pages = self.policy.page_budget(source)
        depth = response.meta.get("site_depth", 0)
        self.mark_source(source, "ok", "site")
        for link in LinkExtractor().extract_links(response):
            if not same_site(link.url, source):
                continue
            if looks_like_article_url(link.url):
                if self._take_page(source, max_pages):
                    self.health.source(source).urls_found += 1
                    title = link.text.strip() or None
                    found = [DiscoveredLink(link.url, title=title)]
                    yield from self.article_requests(found, source)
            elif depth < max_depth and self._take_page(source, max_pages):
                meta = {"source": source, "site_depth": depth + 1}
                yield Request(
                    link.url, callback=self._listing, meta=meta, errback=self.on_article_error
                )

    def _listing(self, response: Response) -> Iterator[Request]:
        """Callback for a followed listing page."""
        yield from self.crawl_listing(response, response.meta["source"])

    def _take_page(self, source: str, max_pages: int) -> bool:
        """Count one more page for SOURCE; False once its budget is spent."""
        budget: dict[str, int] = self.__dict__.setdefault("_page_budget", {})
        budget[source] = budget.get(source, 0) + 1
        return max_pages <= 0 or budget[source] <= max_pages
