"""The `urls` spider: every source is an article URL (a plain list from a file or stdin)."""

from __future__ import annotations

from crawler.spiders.base import NewsSpider


class UrlListSpider(NewsSpider):
    """Request each given URL directly as an article page (`-a urls=` or @file / stdin)."""

    name = "urls"
    kind = "urls"
