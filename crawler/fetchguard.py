"""Fetch limits Scrapy lacks: non-HTML article bodies stopped at the headers; Retry-After;
meta-refresh checks that do not decode every page."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import StopDownload
from scrapy.utils.response import response_status_message

from crawler.middlewares import ARTICLE_META

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_REFRESH_SCAN = 4 * 4096  # Scrapy reads 4,096 characters: at most 4 bytes each (UTF-8, GB18030)
_NOT_ARTICLE_TYPES = (
    "application/pdf",
    "image/",
    "video/",
    "audio/",
    "font/",
    "application/zip",
    "application/octet-stream",
    "application/x-",
)


class NonHtmlStopper:
    """Extension: stop an article download once its headers say it is not a page."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Connect to headers_received."""
        return cls(crawler)

    def headers_received(
        self, headers: Any, body_length: int, request: Request, spider: Any
    ) -> None:
        """Raise StopDownload for PDFs, images, video... before the body is read."""
        if not request.meta.get(ARTICLE_META):
            return
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if content_type.startswith(_NOT_ARTICLE_TYPES):
            self.crawler.stats.inc_value("newsdedup/skipped/not_html")
            logger.info("not an article page (%s): %s", content_type, request.url)
            raise StopDownload(fail=True)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but 429/503 wait for the server's Retry-After (capped) first."""

    max_wait: float = 60.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read NEWSDEDUP_RETRY_AFTER_MAX as well."""
        middleware = super().from_crawler(crawler)
        middleware.max_wait = crawler.settings.getfloat("NEWSDEDUP_RETRY_AFTER_MAX")
        return middleware

    async def process_response(  # type: ignore[override]  # Scrapy awaits coroutine hooks
        self, request: Request, response: Response
    ) -> Request | Response:
        """Retry like Scrapy; on 429/503 sleep Retry-After seconds (up to the cap) first."""
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        if response.status in (429, 503):
            self.crawler.stats.inc_value(f"newsdedup/blocked/{response.status}")
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait:
                await asyncio.sleep(min(wait, self.max_wait))
        return self._retry(request, response_status_message(response.status)) or response


class LeanMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, but a page whose head has no "refresh" is passed on
    without decoding it (Scrapy decodes, and keeps, the whole body to read 4,096 characters)."""

    def process_response(  # type: ignore[override]  # Scrapy 2.13+ hooks take no spider
        self, request: Request, response: Response
    ) -> Request | Response:
        """Skip pages that cannot hold a refresh tag; hand the rest to Scrapy."""
        head = response.body[:_REFRESH_SCAN]
        if b"\x00" not in head and b"refresh" not in head.lower():  # ASCII-compatible, none
            return response
        return super().process_response(request, response)


def retry_after_seconds(value: bytes | None) -> float:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date); 0 if unusable."""
    if not value:
        return 0.0
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
