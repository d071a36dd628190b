"""Result types of discovery parsing and the shared link collector."""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

_HTTP_SCHEMES = frozenset({"http", "https"})
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2})?$")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass
class DiscoveredLink:
    """One article link found in a feed or sitemap."""

    url: str
    title: str | None = None
    published: str | None = None
    author: str | None = None
    keywords: list[str] = field(default_factory=list)
    guid: str | None = None
    lastmod: str | None = None
    source_kind: str = ""


@dataclass
class ParseResult:
    """Outcome of parsing one feed, sitemap or other document."""

    kind: str
    links: list[DiscoveredLink] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    skipped: collections.Counter[str] = field(default_factory=collections.Counter)
    error: str | None = None

    @property
    def urls(self) -> list[str]:
        """Article URLs in document order."""
        return [link.url for link in self.links]


def http_url(raw: str | None, base_url: str | None = None) -> tuple[str | None, str]:
    """Return (absolute http(s) URL or None, skip reason) for a raw link value."""
    if raw is None:
        return None, "no_link"
    value = raw.strip()
    if not value:
        return None, "no_link"
    scheme = _SCHEME_RE.match(value)
    if scheme is None and base_url:
        try:
            value = urljoin(base_url.strip(), value)
        except ValueError:
            return None, "invalid_url"
    try:
        parts = urlsplit(value)
    except ValueError:
        return None, "invalid_url"
    if parts.scheme.lower() not in _HTTP_SCHEMES:
        return None, "non_http_link"
    if not parts.netloc:
        return None, "invalid_url"
    return value, ""


def iso_datetime(parsed: object) -> str | None:
    """Return ISO 8601 (UTC) for a time.struct_time-like value, else None."""
    try:
        year, month, day, hour, minute, second = (int(v) for v in parsed[:6])  # type: ignore[index]  # struct_time or tuple
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def w3c_date(value: str | None) -> str | None:
    """Normalise a W3C/ISO 8601 or RFC 822 date string to ISO 8601; None if unparseable."""
    value = (value or "").strip()
    if _PARTIAL_DATE.match(value):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if len(value) <= 10 and "T" not in value:
        return parsed.date().isoformat()
    return parsed.isoformat()


class LinkCollector:
    """Collect links in document order, de-duplicated, counting every skip."""

    def __init__(self, result: ParseResult, source_kind: str, limit: int) -> None:
        self.result = result
        self.source_kind = source_kind
        self.limit = limit
        self._seen: set[str] = set()
        self._seen_sitemaps: set[str] = set()

    def add(self, raw: str | None, base_url: str | None = None, **fields: object) -> bool:
        """Add one link if valid and new; return whether it was kept."""
        url, reason = http_url(raw, base_url)
        if url is None:
            self.result.skipped[reason] += 1
            return False
        if url in self._seen:
            self.result.skipped["duplicate"] += 1
            return False
        if len(self._seen) >= self.limit:
            self.result.skipped["over_limit"] += 1
            return False
        self._seen.add(url)
        fields.setdefault("source_kind", self.source_kind)
        link = DiscoveredLink(url=url, **fields)  # type: ignore[arg-type]  # DiscoveredLink fields
        self.result.links.append(link)
        return True

    def add_sitemap(self, raw: str | None) -> bool:
        """Add one child sitemap URL if valid and new."""
        url, reason = http_url(raw)
        if url is None:
            self.result.skipped[f"sitemap_{reason}"] += 1
            return False
        if url in self._seen_sitemaps:
            self.result.skipped["duplicate_sitemap"] += 1
            return False
        self._seen_sitemaps.add(url)
        self.result.sitemaps.append(url)
        return True
