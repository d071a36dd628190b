"""Quality gates after extraction: minimum length, language allow-list, required text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, Self

from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from crawler.items import ArticleItem


@dataclass(frozen=True)
class FilterConfig:
    """Thresholds read once from the settings."""

    min_chars: int
    languages: frozenset[str]


class QualityFilterPipeline:
    """Drop articles too short to be news or in a language the user did not ask for."""

    def __init__(self, stats: StatsCollector, config: FilterConfig) -> None:
        self.stats = stats
        self.config = config

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read NEWSDEDUP_MIN_TEXT_CHARS and NEWSDEDUP_LANGUAGES."""
        settings = crawler.settings
        languages = frozenset(lang.lower() for lang in settings.getlist("NEWSDEDUP_LANGUAGES"))
        config = FilterConfig(settings.getint("NEWSDEDUP_MIN_TEXT_CHARS"), languages)
        return cls(crawler.stats, config)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Pass ITEM on, or drop it with a counted reason."""
        if len(item.text) < self.config.min_chars:
            self._drop("too_short", f"{len(item.text)} chars: {item.url}")
        language = (item.language or "").split("-")[0].lower()
        if self.config.languages and language not in self.config.languages:
            self._drop("language", f"language {language or 'unknown'}: {item.url}")
        return item

    def _drop(self, reason: str, detail: str) -> NoReturn:
        self.stats.inc_value(f"newsdedup/dropped/{reason}")
        raise DropItem(f"{reason}: {detail}", log_level="INFO")
