"""Validated run options: the one place CLI input becomes typed configuration."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crawler.config import since_cutoff

SourceKind = Literal["auto", "feed", "sitemap", "site", "urls"]


class CrawlParams(BaseModel):
    """Everything `newsdedup crawl` needs, validated before Scrapy starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: list[str] = Field(default_factory=list)
    article_urls: list[str] = Field(default_factory=list)
    url_list_name: str = "urls"
    output: Path = Path("output")
    state: str | None = None
    namespace: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    worker: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    kind: SourceKind = "auto"
    workers: int = Field(0, ge=0, le=256)
    max_pages: int = Field(0, ge=0)
    retention_days: float = Field(0.0, ge=0)
    allow_private: bool = False
    since: str | None = None
    to_stdout: bool = False
    gzip_output: bool = False
    partition: Literal["none", "daily"] = "none"
    source_options: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("since")
    @classmethod
    def _since(cls, value: str | None) -> str | None:
        since_cutoff(value)
        return value

    settings: dict[str, str] = Field(default_factory=dict)

    @field_validator("sources", "article_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"not an http(s) URL: {url!r}")
        return urls


def expand_sources(raw: tuple[str, ...]) -> tuple[list[str], list[str], str]:
    """Split CLI sources into (source URLs, article URLs from @files/stdin, list name)."""
    sources: list[str] = []
    articles: list[str] = []
    list_name = "urls"
    for item in raw:
        if item == "-":
            articles += _url_lines(sys.stdin.read())
            list_name = "stdin"
        elif item.startswith("@"):
            path = Path(item[1:])
            try:
                articles += _url_lines(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ValueError(f"cannot read URL list {path}: {exc.strerror}") from exc
            list_name = path.name
        else:
            sources.append(item.strip())
    return sources, articles, list_name


def _url_lines(text: str) -> list[str]:
    """URLs of a list file: one per line, blank lines and # comments ignored."""
    lines = (
        line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        for line in text.splitlines()
    )
    return [line for line in lines if line]


def parse_setting_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    """`-s NAME=VALUE` options as a dict (ValueError on a pair without '=')."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, got {pair!r}")
        settings[name.strip()] = value
    return settings
