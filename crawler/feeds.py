"""RSS/Atom (feedparser, with encoding and size guards), JSON Feed, HTML feed autodiscovery."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from contextlib import suppress
from io import BytesIO
from typing import Any

import feedparser
import lxml.html
from lxml import etree
from w3lib.html import remove_tags, replace_entities

from crawler.discovered import LinkCollector, ParseResult, http_url, iso_datetime, w3c_date

logger = logging.getLogger(__name__)

MAX_FEED_ENTRIES = 10_000
MAX_FEED_TAGS = 100_000  # feedparser needs ~40 us per element
_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/xml",
        "text/xml",
        "application/x.atom+xml",
        "application/x-atom+xml",
    }
)
_SPACES = re.compile(r"\s+")
_HEAD = 4096
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)")
_SUPERSETS = {
    "iso-8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "utf8": "utf-8",
}
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_CONTAINER_START = re.compile(rb"<((?:[\w.-]+:)?(?:rss|RDF|feed|channel))[\s>]")


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> ParseResult:
    """Parse RSS 0.9x/1.0/2.0 or Atom bytes into article links."""
    body, over_limit = _truncate_entries(body, MAX_FEED_ENTRIES)
    if error := _xml_limits_error(body):
        logger.warning("refusing feed %s: %s", base_url, error)
        return ParseResult(kind="feed", error=error, skipped=Counter({"too_complex": 1}))
    headers = {"content-location": base_url, "content-type": "application/xml; charset=utf-8"}
    try:
        parsed = feedparser.parse(
            BytesIO(to_utf8(body, content_type)),  # never a str: feedparser opens paths/URLs
            response_headers=headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # third-party parser must never crash discovery
        logger.warning("feedparser failed on %s: %r", base_url, exc)
        return ParseResult(kind="feed", error=f"feed parser failed: {exc!r}")
    result = _collect_entries(parsed, base_url)
    if over_limit:
        result.skipped["over_limit"] += over_limit
        logger.warning("%s: %d entries cut by the size limits", base_url, over_limit)
    return result


def to_utf8(body: bytes, content_type: str | None = None) -> bytes:
    """Decode by BOM, XML declaration, HTTP charset, then UTF-8/cp1252 (never chardet)."""
    for encoding in _candidate_encodings(body, content_type):
        try:
            text = body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return text.lstrip("\ufeff").encode("utf-8")
    return body.decode("utf-8", errors="replace").encode("utf-8")


def declared_encoding(body: bytes) -> str | None:
    """Encoding named in the XML declaration, if any."""
    declared = _XML_ENCODING.search(body[:_HEAD])
    return declared.group(1).decode("ascii", "replace") if declared else None


def _candidate_encodings(body: bytes, content_type: str | None) -> list[str]:
    """Encodings to try in order (BOM, UTF-8, declared, HTTP, fallbacks), widened to supersets."""
    http = _CHARSET.search(content_type or "")
    names = ["utf-8-sig" if body.startswith(b"\xef\xbb\xbf") else ""]
    if b"\x00" not in body[:_HEAD] and not body.isascii():
        names.append("utf-8")  # valid UTF-8 beats a wrong single-byte declaration
    names.append(declared_encoding(body) or "")
    names += [http.group(1) if http else "", "utf-8", "windows-1252", "iso-8859-2"]
    wide = [_SUPERSETS.get(n.lower(), n.lower()) for n in names if n]
    return list(dict.fromkeys(wide))


def _truncate_entries(body: bytes, limit: int) -> tuple[bytes, int]:
    """Cut a feed before entry `limit`+1 or past MAX_FEED_TAGS tags; return (body, cut count)."""
    if body.count(b"<") <= MAX_FEED_TAGS and body.count(b"<item") + body.count(b"entry") <= limit:
        return body, 0
    masked = _mask_cdata(body)  # same offsets; markup inside CDATA costs feedparser nothing
    starts = _ENTRY_START.finditer(masked)
    tags, last, first, cut = 0, 0, -1, None
    for index, match in enumerate(starts):
        first = match.start() if first < 0 else first
        tags += masked.count(b"<", last, match.start())
        last = match.start()
        if index >= limit or tags > MAX_FEED_TAGS:
            cut = match
            break
    if cut is None:
        return body, 0
    extra = 1 + sum(1 for _ in starts)
    return body[: cut.start()] + _closing_tags(masked[:first]), extra


def _mask_cdata(body: bytes) -> bytes:
    """Body with every "<" inside CDATA sections blanked (offsets unchanged)."""
    return _CDATA.sub(lambda m: m.group(0)[:9] + m.group(0)[9:].replace(b"<", b" "), body)


def _closing_tags(head: bytes) -> bytes:
    """End tags for the rss/channel/RDF/feed containers still open in `head`."""
    names = [m.group(1) for m in _CONTAINER_START.finditer(head)]
    still_open = [n for n in names if b"</" + n not in head]
    return b"".join(b"</" + name + b">" for name in reversed(still_open))


def _xml_limits_error(body: bytes) -> str | None:
    """Reject documents too big or too deep for feedparser's Python-level parsing."""
    if body.count(b"<") > 2 * MAX_FEED_TAGS and _mask_cdata(body).count(b"<") > 2 * MAX_FEED_TAGS:
        return f"more than {2 * MAX_FEED_TAGS} XML tags"
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    with suppress(etree.LxmlError):  # well-formedness is feedparser's business
        etree.fromstring(body, parser)
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "depth" in entry.message.lower():
            return f"XML too deeply nested or too large: {entry.message.strip()}"
    return None


def _collect_entries(parsed: Any, base_url: str) -> ParseResult:
    """Turn feedparser entries into a ParseResult."""
    result = ParseResult(kind="feed")
    collector = LinkCollector(result, "feed", MAX_FEED_ENTRIES)
    entries = parsed.get("entries") or []
    for entry in entries:
        collector.add(entry.get("link"), base_url, **_entry_fields(entry))
    if parsed.get("bozo"):
        result.skipped["malformed_xml"] += 1
        if not entries:
            result.error = f"malformed feed: {parsed.get('bozo_exception')}"
    if not entries and not parsed.get("version") and result.error is None:
        result.error = "no feed entries and no recognisable feed format"
    return result


def _entry_fields(entry: Any) -> dict[str, Any]:
    """Metadata of one feedparser entry for a DiscoveredLink."""
    tags = [t.get("term") or t.get("label") for t in entry.get("tags") or []]
    return {
        "title": clean_text(entry.get("title")),
        "published": iso_datetime(entry.get("published_parsed") or entry.get("updated_parsed")),
        "author": clean_text(entry.get("author")),
        "keywords": [k for k in (clean_text(t) for t in tags) if k],
        "guid": clean_text(entry.get("id")),
        "lastmod": iso_datetime(entry.get("updated_parsed")),
    }


def parse_json_feed(body: bytes, base_url: str) -> ParseResult:
    """Parse a JSON Feed (jsonfeed.org 1.x) into article links."""
    try:
        doc = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        return ParseResult(kind="unknown", error=f"invalid JSON: {exc}")
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list) or "jsonfeed" not in str(doc.get("version", "")):
        return ParseResult(kind="unknown", error="JSON document that is not a JSON Feed")
    result = ParseResult(kind="feed")
    collector = LinkCollector(result, "feed", MAX_FEED_ENTRIES)
    for item in items:
        if not isinstance(item, dict):
            result.skipped["no_link"] += 1
            continue
        url = item.get("url") or item.get("external_url")
        collector.add(url if isinstance(url, str) else None, base_url, **_json_item_fields(item))
    return result


def _json_item_fields(item: dict[str, Any]) -> dict[str, Any]:
    """Metadata of one JSON Feed item for a DiscoveredLink."""
    authors = item.get("authors") or [item.get("author")]
    authors = authors if isinstance(authors, list) else []
    names = [a.get("name") for a in authors if isinstance(a, dict)]
    tags = item.get("tags")
    tags = tags if isinstance(tags, list) else []
    return {
        "title": clean_text(item.get("title")),
        "published": w3c_date(_str(item.get("date_published"))),
        "author": clean_text(names[0]) if names else None,
        "keywords": [k for k in (clean_text(t) for t in tags) if k],
        "guid": _str(item.get("id")),
        "lastmod": w3c_date(_str(item.get("date_modified"))),
    }


def _str(value: object) -> str | None:
    """The value if it is a non-empty string (ids may be numbers: stringify them)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return (value.strip() or None) if isinstance(value, str) else None


def clean_text(value: object) -> str | None:
    """Strip tags and entities from a title-like value; None when empty."""
    if not isinstance(value, str):
        return None
    text = _SPACES.sub(" ", replace_entities(remove_tags(value))).strip()
    return text or None


def feed_links_from_html(html: bytes, base_url: str) -> list[str]:
    """Feed URLs advertised by <link rel=alternate type=rss/atom> in an HTML page."""
    if not html.strip():
        return []
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.LxmlError, ValueError) as exc:
        logger.debug("unparseable HTML from %s: %s", base_url, exc)
        return []
    base = _document_base(root, base_url)
    found: list[str] = []
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rels or kind not in _FEED_TYPES:
            continue
        url, _ = http_url(link.get("href"), base)
        if url and url not in found:
            found.append(url)
    return found


def _document_base(root: Any, base_url: str) -> str:
    """Base URL of an HTML document: <base href> resolved against base_url."""
    for base in root.iter("base"):
        href = base.get("href")
        url, _ = http_url(href, base_url)
        if url:
            return url
    return base_url
