"""The one way a stage drops an item: counted in stats and per source, logged, DropItem."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from crawler.items import ArticleItem
    from pipelines.health import RunHealth


def drop(
    stats: StatsCollector, health: RunHealth, reason: str, item: ArticleItem, detail: str = ""
) -> NoReturn:
    """Count REASON (newsdedup/dropped/<reason> and the item's source) and drop ITEM."""
    stats.inc_value(f"newsdedup/dropped/{reason}")
    health.source(item.source).dropped[reason] += 1
    raise DropItem(f"{reason}: {item.url} {detail}".rstrip(), log_level="INFO")
