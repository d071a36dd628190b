"""Log lines for dropped items that name the reason, not the whole item (pages are large)."""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class QuietLogFormatter(LogFormatter):
    """Like Scrapy's formatter, but a dropped or scraped item is logged without its body."""

    def dropped(self, item: Any, exception: BaseException, *args: Any) -> LogFormatterResult:
        """'Dropped: <reason>' at the exception's level (DropItem(log_level=...))."""
        result = super().dropped(item, exception, *args)
        return {**result, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}

    def scraped(self, item: Any, *args: Any) -> LogFormatterResult:
        """'Scraped <url>' at DEBUG."""
        result = super().scraped(item, *args)
        url = getattr(item, "url", "?")
        return {**result, "msg": "Scraped %(url)s", "args": {"url": url}}
