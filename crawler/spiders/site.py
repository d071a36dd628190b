"""The `site` spider: every source is read as a site."""

from __future__ import annotations

from crawler.spiders.news import NewsSpiderAuto


class SiteSpider(NewsSpiderAuto):
    """Like `news`, but a source that is not a site fails with a clear reason."""

    name = "site"
    kind = "site"
