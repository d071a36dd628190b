"""Duplicate stages, in order: canonical URL -> exact text hash -> near-duplicate (MinHash LSH)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import DropItem

from pipelines.minhash import text_signature
from pipelines.state import KeptArticle

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import ArticleItem
    from pipelines.runtime import Runtime
    from pipelines.state import StateStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """Why an article is a duplicate, and of which kept article."""

    reason: str  # url | exact | near | contained | lead
    duplicate_of: str
    similarity: float


class Deduplicator:
    """Decides keep-or-drop against the state store and records what is kept."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    def check(self, item: ArticleItem) -> Verdict | None:
        """The first stage that finds ITEM already known, or None when it is new."""
        if known := self.store.article_for_url_keys(item.url_keys):
            return Verdict("url", known, 1.0)
        if known := self.store.article_for_hash(item.content_hash):
            return Verdict("exact", known, 1.0)
        if match := self.store.near_dup.find(item.signature):
            return Verdict(match.reason, match.doc_id, round(match.similarity, 4))
        return None

    def keep(self, item: ArticleItem) -> Verdict | None:
        """Remember ITEM as a new cluster; a Verdict when another worker kept a duplicate first."""
        item.cluster_id = item.cluster_id or item.id
        kept = KeptArticle(item.id, item.url, item.source, item.cluster_id)
        lost = self.store.claim(kept, item.url_keys, item.content_hash, item.signature)
        return Verdict(*lost) if lost else None

    def remember_duplicate(self, item: ArticleItem, verdict: Verdict) -> None:
        """Map a dropped copy's URLs (never fetched again) and, for near copies, its signature
        to the kept article, so later versions that resemble this copy join the same story."""
        self.store.remember_urls(item.url_keys, verdict.duplicate_of)
        if verdict.reason not in ("url", "exact") and item.signature is not None:
            self.store.near_dup.add(
                item.id, item.signature, time.time(), keeper=verdict.duplicate_of
            )

    def duplicate_record(self, item: ArticleItem, verdict: Verdict) -> dict[str, Any]:
        """The line written to duplicates-*.jsonl for a dropped article."""
        kept = self.store.kept_article(verdict.duplicate_of)
        return {
            "id": item.id,
            "url": item.url,
            "source": item.source,
            "title": item.title,
            "reason": verdict.reason,
            "duplicate_of": verdict.duplicate_of,
            "similarity": verdict.similarity,
            "cluster_id": kept.cluster_id if kept else verdict.duplicate_of,
            "duplicate_of_url": kept.url if kept else None,
            "duplicate_of_source": kept.source if kept else None,
            "fetched_at": item.fetched_at,
            "text": item.text,
        }


class DedupPipeline:
    """Drop URL, exact and near duplicates of articles kept in this or an earlier run."""

    def __init__(self, stats: StatsCollector, runtime: Runtime) -> None:
        self.stats = stats
        self.runtime = runtime
        self.dedup = Deduplicator(runtime.store)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Share the run's runtime."""
        from pipelines.runtime import open_runtime

        return cls(crawler.stats, open_runtime(crawler.settings))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Keep ITEM if it is new; otherwise log it as a duplicate and drop it."""
        if item.signature is None:
            item.signature = text_signature(item.text, self.dedup.store.near_dup_config)
        verdict = self.dedup.check(item) or self.dedup.keep(item)  # keep: atomic re-check
        if verdict is None:
            self.stats.inc_value("newsdedup/new")
            return item
        self.runtime.health.source(item.source).duplicates[verdict.reason] += 1
        self.dedup.remember_duplicate(item, verdict)
        self.stats.inc_value(f"newsdedup/duplicates/{verdict.reason}")
        self.runtime.output.duplicates.write(self.dedup.duplicate_record(item, verdict))
        raise DropItem(f"{verdict.reason} duplicate of {verdict.duplicate_of}: {item.url}")
