"""Site crawl from a homepage: follow same-site listing links, request article-like URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request
from scrapy.http import TextResponse
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
        if not isinstance(response, TextResponse):
            return
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
            elif (
                depth < max_depth
                and worth_following(link.url)
                and self._take_page(source, max_pages)
            ):
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


_TRAP_SEGMENTS = frozenset(
    {"calendar", "events", "event", "search", "login", "signin", "register", "feed", "print",
     "share", "cart", "account", "wp-admin", "wp-login.php", "comments", "replytocom"}
)  # fmt: skip
_LISTING_QUERY = frozenset({"page", "p", "pg"})


def worth_following(url: str) -> bool:
    """A listing link worth following: no calendar/search/login paths, no facet queries."""
    parts = urlsplit(url)
    segments = [s.lower() for s in parts.path.split("/") if s]
    if len(segments) > 6 or any(s in _TRAP_SEGMENTS for s in segments):
        return False
    query = parse_qsl(parts.query, keep_blank_values=True)
    return all(k in _LISTING_QUERY and v.isdigit() and int(v) <= 50 for k, v in query)
