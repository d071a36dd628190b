"""The `sitemap` spider: every source is read as a sitemap."""

from __future__ import annotations

from crawler.spiders.news import NewsSpiderAuto


class SitemapSpider(NewsSpiderAuto):
    """Like `news`, but a source that is not a sitemap fails with a clear reason."""

    name = "sitemap"
    kind = "sitemap"
