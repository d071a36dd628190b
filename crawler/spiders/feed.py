"""The `feed` spider: every source is read as a feed."""

from __future__ import annotations

from crawler.spiders.news import NewsSpiderAuto


class FeedSpider(NewsSpiderAuto):
    """Like `news`, but a source that is not a feed fails with a clear reason."""

    name = "feed"
    kind = "feed"
