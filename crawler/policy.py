"""Per-source crawl policy: kind, page budget, date cut-off, URL patterns, languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler.config import since_cutoff

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from crawler.discovered import DiscoveredLink


@dataclass(frozen=True)
class SourcePolicy:
    """The options of every source (from a sources file) over the run's global ones."""

    options: dict[str, dict[str, Any]]
    default_kind: str
    max_pages: int
    since: datetime | None
    languages: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: BaseSettings, default_kind: str) -> SourcePolicy:
        """Read NEWSDEDUP_SOURCE_OPTIONS, _SINCE, _MAX_PAGES and _LANGUAGES."""
        return cls(
            options=dict(settings.getdict("NEWSDEDUP_SOURCE_OPTIONS")),
            default_kind=default_kind,
            max_pages=settings.getint("NEWSDEDUP_MAX_PAGES"),
            since=since_cutoff(settings.get("NEWSDEDUP_SINCE")),
            languages=tuple(settings.getlist("NEWSDEDUP_LANGUAGES")),
        )

    def _get(self, source: str, key: str) -> Any:
        return self.options.get(source, {}).get(key)

    def kind(self, source: str) -> str:
        """How to read SOURCE: its own kind, or the run's."""
        own = self._get(source, "kind")
        return own if own and own != "auto" else self.default_kind

    def name(self, source: str) -> str:
        """The human name of SOURCE (its URL when unnamed)."""
        return self._get(source, "name") or source

    def page_budget(self, source: str) -> int:
        """Page budget of a site crawl of SOURCE (0 = none)."""
        own = self._get(source, "max_pages")
        return self.max_pages if own is None else int(own)

    def allowed_languages(self, source: str) -> tuple[str, ...]:
        """Languages kept for SOURCE (empty = all)."""
        own = self._get(source, "languages")
        return tuple(lang.lower() for lang in (self.languages if own is None else own))

    def refusal(self, link: DiscoveredLink, source: str) -> str | None:
        """Why LINK of SOURCE is not fetched (a skip reason), or None."""
        allow, deny = self._get(source, "allow") or [], self._get(source, "deny") or []
        if allow and not any(re.search(p, link.url) for p in allow):
            return "not_allowed_url"
        if any(re.search(p, link.url) for p in deny):
            return "denied_url"
        cutoff = since_cutoff(self._get(source, "since")) if self._get(source, "since") else None
        cutoff = cutoff or self.since
        if cutoff and (when := _parse_date(link.published or link.lastmod)) and when < cutoff:
            return "older_than_since"
        return None


def _parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime; None when unparseable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
