"""Sources files (`newsdedup crawl --config sources.toml`): validated before the crawl.

Errors name the file, the line and the field, e.g.
``sources.toml:12: sources[2].kind: Input should be 'auto', 'feed', ...``.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_SINCE = re.compile(r"^(\d+)\s*([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class ConfigError(ValueError):
    """A sources file that cannot be used; the message names file, line and field."""


def since_cutoff(value: str | None, now: datetime | None = None) -> datetime | None:
    """'2d' / '12h' / '1w' / '2026-11-01' -> the UTC datetime before which entries are skipped."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    if match := _SINCE.match(value.strip()):
        return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"not a duration like 2d/12h/1w or a date like 2026-11-01: {value!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class SourceOptions(BaseModel):
    """Per-source options; anything unset falls back to [defaults]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["auto", "feed", "sitemap", "site", "urls"] = "auto"
    max_pages: int | None = Field(None, ge=0)
    since: str | None = None
    languages: list[str] | None = None
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    download_delay: float | None = Field(None, ge=0, le=600)

    @field_validator("since")
    @classmethod
    def _since(cls, value: str | None) -> str | None:
        since_cutoff(value)
        return value

    @field_validator("allow", "deny")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return patterns


class SourceEntry(SourceOptions):
    """One [[sources]] table."""

    url: str
    name: str | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {url!r}")
        return url


class SourcesFile(BaseModel):
    """The whole file: [defaults] and [[sources]]."""

    model_config = ConfigDict(extra="forbid")

    defaults: SourceOptions = Field(default_factory=lambda: SourceOptions())
    sources: list[SourceEntry] = Field(min_length=1)

    def resolved(self) -> dict[str, dict[str, Any]]:
        """Per source URL, its options with defaults filled in (for the crawl settings)."""
        base = self.defaults.model_dump()
        result = {}
        for entry in self.sources:
            own = entry.model_dump(exclude_unset=True)
            result[entry.url] = {**base, **own, "name": entry.name or entry.url}
        return result


def load_sources(path: Path) -> SourcesFile:
    """Read and validate a sources file; ConfigError names file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return SourcesFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _field_name(error["loc"])
        line = _line_of(text, error["loc"])
        raise ConfigError(f"{path}:{line}: {where}: {error['msg']}") from exc


def _field_name(loc: tuple[Any, ...]) -> str:
    """('sources', 2, 'kind') -> 'sources[2].kind'."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _line_of(text: str, loc: tuple[Any, ...]) -> int:
    """The line the error is on: the field's line inside its table, else the table's."""
    lines = text.splitlines()
    start = 0
    if loc and loc[0] == "sources" and len(loc) > 1 and isinstance(loc[1], int):
        headers = [i for i, line in enumerate(lines) if line.strip() == "[[sources]]"]
        start = headers[loc[1]] if loc[1] < len(headers) else 0
    elif loc and loc[0] == "defaults":
        start = next((i for i, line in enumerate(lines) if line.strip() == "[defaults]"), 0)
    field = next((p for p in reversed(loc) if isinstance(p, str)), None)
    for number in range(start, len(lines)):
        if number > start and lines[number].lstrip().startswith("["):
            break
        if field and re.match(rf"\s*{re.escape(field)}\s*=", lines[number]):
            return number + 1
    return start + 1
