"""ArticleItem: the one record a crawl emits, and its JSONL form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Fields written to articles-*.jsonl, in this order (see crawler/schema/article.schema.json).
ARTICLE_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "canonical_url",
    "source",
    "title",
    "author",
    "published",
    "published_source",
    "language",
    "sitename",
    "description",
    "tags",
    "image",
    "text",
    "fetched_at",
    "content_hash",
    "cluster_id",
)


@dataclass
class ArticleItem:
    """One article page: filled by the spider, then by extraction and dedup."""

    url: str
    source: str
    body: bytes = b""
    fetched_at: str = ""
    request_url: str = ""
    alias_urls: list[str] = field(default_factory=list)
    fallbacks: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    canonical_url: str = ""
    title: str | None = None
    author: str | None = None
    published: str | None = None
    published_source: str | None = None
    language: str | None = None
    sitename: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    text: str = ""
    content_hash: str = ""
    cluster_id: str = ""
    signature: Any = None
    url_keys: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        """The JSON-serialisable record written to articles-*.jsonl."""
        return {name: getattr(self, name) for name in ARTICLE_FIELDS}
