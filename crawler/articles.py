"""URL heuristics telling article pages from listing/navigation pages in a site crawl."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

_NON_ARTICLE_SEGMENTS = frozenset(
    {
        "tag", "tags", "category", "categories", "author", "authors", "search", "feed",
        "feeds", "rss", "atom", "calendar", "login", "logout", "signin", "signup", "register",
        "subscribe", "newsletter", "newsletters", "account", "profile", "cart", "checkout",
        "wp-admin", "wp-login.php", "wp-json", "topic", "topics", "label", "labels",
        "contact", "about", "privacy", "terms", "cookies", "share", "print",
        "amp-iframe", "events", "page", "sitemap",
    }
)  # fmt: skip
_NON_ARTICLE_EXT = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|pdf|zip|gz|tgz|rar|7z|mp3|mp4|m4a|wav|ogg|"
    r"webm|avi|mov|css|js|json|xml|rss|atom|txt|csv|xlsx?|docx?|pptx?|woff2?|ttf|eot|exe|dmg)$",
    re.IGNORECASE,
)
_PAGE_N = re.compile(r"^(page|p|seite|pagina)[-_]?\d+$", re.IGNORECASE)
_YEAR = re.compile(r"^(199\d|20\d\d)$")
_DATE_IN_SEGMENT = re.compile(
    r"(?<!\d)(199\d|20\d\d)[-_/]?(0[1-9]|1[0-2])[-_/]?([0-2]\d|3[01])(?!\d)"
)
_MONTH = re.compile(r"^(0?[1-9]|1[0-2])$")
_NUMERIC_ID = re.compile(r"(?<![a-z])\d{5,}(?!\d)|^\d{4,}$", re.IGNORECASE)
_WORD_SPLIT = re.compile(r"[-_+]+|%20")
_ID_QUERY = frozenset({"id", "p", "story", "storyid", "article", "articleid", "newsid", "aid"})


def looks_like_article_url(url: str) -> bool:
    """Guess whether `url` is an article (dated, id'd or long-slug path), not a listing page."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    segments = [unquote(s) for s in parts.path.split("/") if s]
    query = dict(parse_qsl(parts.query))
    if _is_listing(segments, query):
        return False
    if _has_query_id(query):
        return True
    return _has_date(segments) or _has_numeric_id(segments) or _has_long_slug(segments)


def _is_listing(segments: list[str], query: dict[str, str]) -> bool:
    """Tag/category/author/search/page-N/feed/calendar pages, files and bare date archives."""
    if not segments:
        return not _has_query_id(query)
    lowered = [s.lower() for s in segments]
    if any(s in _NON_ARTICLE_SEGMENTS or _PAGE_N.match(s) for s in lowered):
        return True
    if _NON_ARTICLE_EXT.search(lowered[-1]):
        return True
    if any(k.lower() in ("s", "q", "query", "search", "page", "paged") for k in query):
        return True
    return all(_YEAR.match(s) or _MONTH.match(s) or (s.isdigit() and len(s) <= 2) for s in lowered)


def _has_query_id(query: dict[str, str]) -> bool:
    """An article id in the query string (e.g. ?id=12345, ?p=678)."""
    return any(k.lower() in _ID_QUERY and v.isdigit() for k, v in query.items())


def _has_date(segments: list[str]) -> bool:
    """A publication date in the path (/2024/05/17/, 2024-05-17, 20240517) followed by a slug."""
    path = "/".join(segments)
    for index, segment in enumerate(segments[:-1]):
        if _YEAR.match(segment) and _MONTH.match(segments[index + 1]):
            return index + 2 < len(segments)
    return bool(_DATE_IN_SEGMENT.search(path)) and not _YEAR.match(segments[-1])


def _has_numeric_id(segments: list[str]) -> bool:
    """A long numeric id (4+ digits alone, or 5+ digits inside a segment)."""
    return any(_NUMERIC_ID.search(s) and not _YEAR.match(s) for s in segments)


def _has_long_slug(segments: list[str]) -> bool:
    """A descriptive slug in one of the last two segments: 4+ words, or 3+ words and 20+ chars."""
    for segment in segments[-2:]:
        slug = re.sub(r"\.(html?|php|aspx?|jsp|shtml)$", "", segment, flags=re.IGNORECASE)
        words = [w for w in _WORD_SPLIT.split(slug) if w]
        if len(words) >= 4 or (len(words) >= 3 and len(slug) >= 20):
            return True
    return False
