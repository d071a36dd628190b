"""XML, Google News and plain-text sitemap parsing, and robots.txt Sitemap lines."""

from __future__ import annotations

import logging
import re
from io import BytesIO
from typing import Any

from lxml import etree

from crawler.discovered import LinkCollector, ParseResult, http_url, w3c_date
from crawler.feeds import declared_encoding, to_utf8

logger = logging.getLogger(__name__)

MAX_SITEMAP_URLS = 200_000
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_CDATA_SPLIT = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_BARE_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_ROBOTS_SITEMAP = re.compile(r"^\s*site-?map\s*:\s*(\S.*?)\s*$", re.IGNORECASE)


def _local(tag: object) -> str:
    """Local (namespace-free) lower-cased name of an element tag."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _text(elem: Any) -> str | None:
    """Whitespace-stripped text of an element, or None."""
    text = "".join(elem.itertext()) if elem is not None else ""
    return text.strip() or None


def parse_sitemap(body: bytes) -> ParseResult:
    """Parse an XML <urlset> or <sitemapindex> into links and child sitemaps."""
    result = ParseResult(kind="sitemap")
    collector = LinkCollector(result, "sitemap", MAX_SITEMAP_URLS)
    events = _safe_iterparse(body)
    depth = 0
    try:
        for event, elem in events:
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                result.kind = "sitemapindex" if _local(elem.tag) == "sitemapindex" else "sitemap"
            elif event == "end" and depth == 1:
                _handle_entry(elem, collector)
                elem.clear(keep_tail=False)
                _drop_previous(elem)
    except etree.LxmlError as exc:
        _note_errors(result, str(exc))
        return result
    if events.error_log:
        _note_errors(result, str(events.error_log[0].message).strip())
    return result


def _safe_iterparse(body: bytes) -> Any:
    """Recovering lxml iterparse that never loads DTDs, expands entities or uses the network."""
    return etree.iterparse(
        BytesIO(_escape_bare_ampersands(_decodable(body))),
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _escape_bare_ampersands(body: bytes) -> bytes:
    """Escape "&" that starts no entity (common in sitemap URLs); CDATA is left alone."""
    if b"&" not in body:
        return body
    parts = _CDATA_SPLIT.split(body)
    return b"".join(p if p.startswith(b"<![CDATA[") else _BARE_AMP.sub(b"&amp;", p) for p in parts)


def _note_errors(result: ParseResult, message: str) -> None:
    """Count a malformed document; make it the error when nothing was found."""
    result.skipped["malformed_xml"] += 1
    if not result.links and not result.sitemaps:
        result.error = f"malformed sitemap XML: {message}"


def _decodable(body: bytes) -> bytes:
    """Body as is if it decodes as declared, else re-encoded UTF-8 without a declaration."""
    try:
        body.decode(declared_encoding(body) or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return _XML_DECLARATION.sub(b"", to_utf8(body), count=1)
    return body


def _drop_previous(elem: Any) -> None:
    """Free already-processed siblings to keep memory bounded."""
    parent = elem.getparent()
    while parent is not None and elem.getprevious() is not None:
        del parent[0]


def _handle_entry(elem: Any, collector: LinkCollector) -> None:
    """Record one <url> or <sitemap> child of the root element."""
    name = _local(elem.tag)
    if name not in ("url", "sitemap"):
        return
    children = {_local(child.tag): child for child in reversed(elem)}
    loc = _text(children["loc"]) if "loc" in children else _bare_url(elem)
    if name == "sitemap":
        collector.add_sitemap(loc)
        return
    news = children.get("news")
    fields = _news_fields(news) if news is not None else {}
    fields["lastmod"] = w3c_date(_text(children.get("lastmod")))
    fields["source_kind"] = "newssitemap" if news is not None else "sitemap"
    collector.add(loc, **fields)


def _bare_url(elem: Any) -> str | None:
    """Lenient fallback: a <url>/<sitemap> holding its URL as bare text."""
    if len(elem):
        return None
    return _text(elem)


def _news_fields(news: Any) -> dict[str, Any]:
    """Google News <news:news> fields: title, publication date, keywords."""
    parts = {_local(child.tag): child for child in reversed(news)}
    keywords = _text(parts.get("keywords")) or ""
    return {
        "title": _text(parts.get("title")),
        "published": w3c_date(_text(parts.get("publication_date"))),
        "keywords": [k.strip() for k in keywords.split(",") if k.strip()],
    }


def parse_text_sitemap(text: str) -> ParseResult:
    """Parse a plain-text sitemap: one absolute URL per line."""
    result = ParseResult(kind="sitemap")
    collector = LinkCollector(result, "sitemap", MAX_SITEMAP_URLS)
    for line in text.splitlines():
        if line.strip():
            collector.add(line)
    return result


def sitemaps_from_robots(text: str, base_url: str) -> list[str]:
    """Sitemap URLs listed on `Sitemap:` lines of a robots.txt."""
    found: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        match = _ROBOTS_SITEMAP.match(line)
        if not match:
            continue
        value = re.split(r"\s#", match.group(1), maxsplit=1)[0]
        url, _ = http_url(value, base_url)
        if url and url not in found:
            found.append(url)
    return found
