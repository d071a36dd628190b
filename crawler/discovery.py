"""Pure discovery parsing: sniff a fetched body and extract article links (no network)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from crawler.articles import looks_like_article_url
from crawler.discovered import DiscoveredLink, ParseResult
from crawler.feeds import feed_links_from_html, parse_feed, parse_json_feed
from crawler.rawbody import (
    GzipError,
    gunzip_if_needed,
    strip_doctype,
    strip_leading_space,
    to_utf8_if_utf16,
)
from crawler.sitemaps import parse_sitemap, parse_text_sitemap, sitemaps_from_robots

__all__ = [
    "DiscoveredLink",
    "ParseResult",
    "feed_links_from_html",
    "looks_like_article_url",
    "parse_source",
    "sitemaps_from_robots",
]

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 64 * 1024
_FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
_SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
_HTML_ROOTS = frozenset({"html", "head", "body", "div", "p", "table", "script", "meta", "a"})
_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_EMBEDDED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:rss|RDF|feed|urlset|sitemapindex)[\s>]")
_TEXT_URL_LINE = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)


def parse_source(body: bytes, base_url: str, content_type: str | None = None) -> ParseResult:
    """Sniff the kind of `body` (feed, sitemap, HTML...) and extract its links."""
    try:
        return _parse(body, base_url, content_type)
    except Exception as exc:  # last line of defence: third-party input must never crash a crawl
        logger.exception("discovery parser failed on %s", base_url)
        return ParseResult(kind="unknown", error=f"internal parser error: {exc!r}")


def _parse(body: bytes, base_url: str, content_type: str | None) -> ParseResult:
    """parse_source without the safety net."""
    try:
        data = gunzip_if_needed(body)
    except GzipError as exc:
        logger.info("cannot decompress %s: %s", base_url, exc)
        return ParseResult(kind="unknown", error=str(exc))
    data = strip_leading_space(to_utf8_if_utf16(data))
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        return ParseResult(kind="empty", error="empty document")
    data, removed = strip_doctype(data)
    kind = sniff_kind(data, content_type)
    if kind in ("html", "unknown") and (embedded := _after_leading_junk(data)) is not None:
        data, removed_again = strip_doctype(embedded)
        removed, kind = removed or removed_again, sniff_kind(data)
        logger.info("%s: skipped junk before the <%s> root", base_url, _root_name(data[:200]))
    result = _PARSERS.get(kind, _parse_unknown)(data, base_url, content_type)
    if removed:
        result.skipped["doctype_removed"] += 1
    return result


def _after_leading_junk(data: bytes) -> bytes | None:
    """The document from its feed/sitemap root on, when junk (e.g. PHP warnings) precedes it."""
    root = _EMBEDDED_ROOT.search(data, 0, _SNIFF_BYTES)
    if root is None or root.start() == 0:
        return None
    declaration = data.rfind(b"<?xml", 0, root.start())
    return data[declaration if declaration >= 0 else root.start() :]


def sniff_kind(data: bytes, content_type: str | None = None) -> str:
    """Classify a document by its root element, falling back to the content type."""
    head = data[:_SNIFF_BYTES]
    if head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"{"):
        return "json"
    root = _root_name(head)
    if root in _FEED_ROOTS:
        return "feed"
    if root in _SITEMAP_ROOTS:
        return "sitemap"
    if root in _HTML_ROOTS or (root is None and b"<html" in head.lower()):
        return "html"
    if root is None and _is_text_sitemap(head):
        return "text"
    if content_type and "html" in content_type.lower() and root is None:
        return "html"
    return "unknown"


def _root_name(head: bytes) -> str | None:
    """Local name of the first element, skipping PIs and comments."""
    text = re.sub(rb"<!--.*?-->|<\?.*?\?>", b"", head, flags=re.DOTALL)
    match = _NAME.search(text)
    if match is None:
        return None
    return match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower()


def _is_text_sitemap(head: bytes) -> bool:
    """True when every non-blank line of `head` is a bare http(s) URL (last may be cut)."""
    lines = [ln for ln in head.decode("utf-8", "replace").splitlines() if ln.strip()]
    complete = lines[:-1] if len(head) >= _SNIFF_BYTES else lines
    return bool(complete) and all(_TEXT_URL_LINE.match(ln) for ln in complete)


def _parse_html(data: bytes, base_url: str, content_type: str | None) -> ParseResult:
    """An HTML page: no links, but say so (the caller may try feed autodiscovery)."""
    return ParseResult(kind="html", error="HTML page where a feed or sitemap was expected")


def _parse_sitemap(data: bytes, base_url: str, content_type: str | None) -> ParseResult:
    """Dispatch to the XML sitemap parser."""
    return parse_sitemap(data)


def _parse_text(data: bytes, base_url: str, content_type: str | None) -> ParseResult:
    """Dispatch to the plain-text sitemap parser."""
    return parse_text_sitemap(data.decode("utf-8", "replace"))


def _parse_unknown(data: bytes, base_url: str, content_type: str | None) -> ParseResult:
    """Unknown root: try the lenient feed parser, else report what we saw."""
    result = parse_feed(data, base_url, content_type)
    if result.links:
        return result
    root = _root_name(data[:_SNIFF_BYTES])
    what = f"unrecognised root element <{root}>" if root else "not XML, HTML or a URL list"
    return ParseResult(kind="unknown", skipped=result.skipped, error=what)


_PARSERS: dict[str, Callable[[bytes, str, str | None], ParseResult]] = {
    "feed": parse_feed,
    "sitemap": _parse_sitemap,
    "html": _parse_html,
    "text": _parse_text,
    "json": lambda data, base_url, _: parse_json_feed(data, base_url),
}
