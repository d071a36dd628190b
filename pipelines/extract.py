"""Scrapy stage: page HTML -> article text + metadata (trafilatura, in worker processes)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NoReturn, Self
from urllib.parse import urlsplit

from crawler.urls import article_id, canonical_url, same_site, url_key
from pipelines.boilerplate import remove_lines
from pipelines.drops import drop
from pipelines.texthash import content_hash

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import ArticleItem
    from pipelines.analysis import PageAnalysis
    from pipelines.boilerplate import SiteBoilerplate
    from pipelines.extraction import ExtractedArticle
    from pipelines.pool import ExtractorPool
    from pipelines.runtime import Runtime

logger = logging.getLogger(__name__)

_METADATA = (
    "title",
    "author",
    "published",
    "published_source",
    "language",
    "sitename",
    "description",
    "image",
)


class ExtractPipeline:
    """Extract each page's article; drop pages without one, with a counted reason."""

    def __init__(
        self,
        stats: StatsCollector,
        pool: ExtractorPool[PageAnalysis],
        sites: SiteBoilerplate,
        runtime: Runtime,
    ) -> None:
        self.stats = stats
        self.runtime = runtime
        self.health = runtime.health
        self.pool = pool
        self.sites = sites

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Start the worker pool and attach the site boilerplate learner to the state."""
        from functools import partial

        from pipelines.analysis import analyse_page
        from pipelines.boilerplate import SiteBoilerplate
        from pipelines.pool import ExtractorPool
        from pipelines.runtime import open_runtime

        settings = crawler.settings
        runtime = open_runtime(settings)
        pool = ExtractorPool(
            settings.getint("NEWSDEDUP_WORKERS"),
            settings.getfloat("NEWSDEDUP_EXTRACT_TIMEOUT"),
            partial(analyse_page, config=runtime.store.near_dup_config),
        )
        min_pages = settings.getint("NEWSDEDUP_SITE_BOILERPLATE_MIN_PAGES")
        sites = SiteBoilerplate(runtime.store.line_counts, min_pages)
        return cls(crawler.stats, pool, sites, runtime)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        """Fill ITEM's text and metadata, or drop it saying why."""
        from pipelines.extraction import NoArticle
        from pipelines.pool import ExtractionTimeout, WorkerCrashed

        if self.runtime.stopping:
            self._drop("shutdown", item, "(stopping: left for the next run)")
        try:
            analysis = await self.pool.extract(item.body, item.url, item.fallbacks)
        except NoArticle as exc:
            self._drop(exc.reason, item, str(exc))
        except (ExtractionTimeout, WorkerCrashed) as exc:
            reason = "extract_timeout" if isinstance(exc, ExtractionTimeout) else "extract_crash"
            self._drop(reason, item, str(exc))
        self._fill(item, analysis)
        return item

    def close_spider(self) -> None:
        """Stop the workers."""
        self.pool.close()

    def _fill(self, item: ArticleItem, analysis: PageAnalysis) -> None:
        """Strip learnt site furniture, learn from this page, and fill the item (the worker
        hashed and signed the text; a signature is redone only if a prose line was cut)."""
        site = urlsplit(item.url).netloc
        text = analysis.article.text
        dropped = self.sites.furniture(site, analysis.lines)
        fill_item(item, analysis.article, *remove_lines(text, dropped))
        if dropped:
            self.stats.inc_value("newsdedup/boilerplate_lines_removed", len(dropped))
        item.content_hash = content_hash(item.text) if dropped else analysis.content_hash
        item.signature = analysis.signature_without(dropped)
        self.sites.learn(site, analysis.content_hash, text, analysis.lines)

    def _drop(self, reason: str, item: ArticleItem, detail: str) -> NoReturn:
        """Count and raise DropItem for a page that yields no article."""
        drop(self.stats, self.health, reason, item, detail)


def fill_item(
    item: ArticleItem, article: ExtractedArticle, text: str, removed: list[tuple[str, str]]
) -> None:
    """Copy the extracted fields into ITEM with its furniture-stripped TEXT (REMOVED: the
    lines stripped); derive its canonical URL, id and URL keys (not its content hash)."""
    for name in _METADATA:
        setattr(item, name, getattr(article, name))
    item.tags = list(article.tags)
    item.text = text
    item.removed = [*article.removed, *removed]
    page_canonical = article.canonical_url
    if page_canonical and same_site(page_canonical, item.url):
        item.canonical_url = canonical_url(page_canonical)
    else:
        item.canonical_url = canonical_url(item.url)
    item.id = article_id(item.canonical_url)
    urls = {item.url, item.request_url or item.url, item.canonical_url, *item.alias_urls}
    item.url_keys = sorted(url_key(u) for u in urls)
    item.body = b""
