"""Article and publication records for the demo site, loaded from content/*.txt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property, lru_cache
from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "content"
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

Pages = dict[str, tuple[str, bytes]]  # URL path -> (Content-Type, body)
_HEADER_KEYS = frozenset({"title", "date", "author", "section", "subsection", "tags", "excerpt"})


@dataclass(frozen=True)
class Publication:
    """One publication: a name, a path prefix ("/herald/") and a theme."""

    key: str
    name: str
    prefix: str
    theme: str
    tagline: str
    language: str = "en"

    def home(self, base_url: str) -> str:
        """Absolute URL of the publication's homepage."""
        return f"{base_url}{self.prefix}"


@dataclass(frozen=True)
class Article:
    """One news article: metadata plus body paragraphs."""

    slug: str
    title: str
    published: datetime
    author: str
    section: str
    subsection: str
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...] = field(default=())

    @cached_property
    def path_tail(self) -> str:
        """WordPress-style dated permalink tail, e.g. "2026/11/20/some-story/"."""
        return f"{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def excerpt(self) -> str:
        """First sentence-ish of the first paragraph, for teasers and feeds."""
        first = self.paragraphs[0]
        cut = first.find(". ")
        return first if cut < 0 else first[: cut + 1]

    @property
    def word_count(self) -> int:
        """Number of words in the body."""
        return sum(len(p.split()) for p in self.paragraphs)


@lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """Lower-case ASCII slug of a title or tag."""
    chars = [c if c.isalnum() else "-" for c in text.lower() if c.isascii()]
    return "-".join(part for part in "".join(chars).split("-") if part)


def parse_articles(text: str) -> list[Article]:
    """Parse the '=== slug' / 'key: value' / blank-line-paragraphs content format."""
    articles = []
    for block in text.split("\n=== ")[1:]:
        slug, _, rest = block.partition("\n")
        header, _, body = rest.strip("\n").partition("\n\n")
        meta = _parse_header(header, slug)
        paragraphs = tuple(" ".join(p.split()) for p in body.split("\n\n") if p.strip())
        articles.append(
            Article(
                slug=slug.strip(),
                title=meta["title"],
                published=datetime.fromisoformat(meta["date"]),
                author=meta["author"],
                section=meta["section"],
                subsection=meta.get("subsection", ""),
                paragraphs=paragraphs,
                tags=tuple(t.strip() for t in meta.get("tags", "").split(",") if t.strip()),
            )
        )
    return articles


def _parse_header(header: str, slug: str) -> dict[str, str]:
    """Parse 'key: value' lines, rejecting unknown keys."""
    meta = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        if key.strip() not in _HEADER_KEYS:
            raise ValueError(f"article {slug!r}: unknown header line {line!r}")
        meta[key.strip()] = value.strip()
    return meta


@cache
def load_articles(key: str) -> tuple[Article, ...]:
    """Articles of one publication, newest first."""
    text = (CONTENT_DIR / f"{key}.txt").read_text(encoding="utf-8")
    articles = parse_articles("\n" + text)
    return tuple(sorted(articles, key=lambda a: a.published, reverse=True))
