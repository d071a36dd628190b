"""Quality gates after extraction: minimum length, language allow-list, required text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from crawler.policy import SourcePolicy
from pipelines.drops import drop

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import ArticleItem
    from pipelines.health import RunHealth


@dataclass(frozen=True)
class FilterConfig:
    """Thresholds read once from the settings."""

    min_chars: int
    policy: SourcePolicy


class QualityFilterPipeline:
    """Drop articles too short to be news or in a language the user did not ask for."""

    def __init__(self, stats: StatsCollector, config: FilterConfig, health: RunHealth) -> None:
        self.stats = stats
        self.health = health
        self.config = config

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read NEWSDEDUP_MIN_TEXT_CHARS and NEWSDEDUP_LANGUAGES."""
        settings = crawler.settings
        policy = SourcePolicy.from_settings(settings, "auto")
        config = FilterConfig(settings.getint("NEWSDEDUP_MIN_TEXT_CHARS"), policy)
        from pipelines.runtime import open_runtime

        return cls(crawler.stats, config, open_runtime(settings).health)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Pass ITEM on, or drop it with a counted reason."""
        if len(item.text) < self.config.min_chars:
            drop(self.stats, self.health, "too_short", item, f"({len(item.text)} chars)")
        language = (item.language or "").split("-")[0].lower()
        allowed = self.config.policy.allowed_languages(item.source)
        if allowed and language not in allowed:
            drop(self.stats, self.health, "language", item, f"({language or 'unknown'})")
        return item
