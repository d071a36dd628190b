"""Page decoding and metadata helpers: charset, dates, canonical URL, language."""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from charset_normalizer import from_bytes
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    Document,
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
)

from pipelines.cleanup import line_key

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.-]+)""", re.IGNORECASE)
_TITLE_SPLIT = re.compile(r"\s+(?:[|\-\u2013\u2014\u00bb:]|::)\s+")
_ISO_PREFIX = re.compile(r"^(\d{4})-(\d\d)-(\d\d)")
_LANG = re.compile(r"^[a-zA-Z]{2,3}(?=$|[-_])")
_FUTURE_SKEW = timedelta(hours=14)  # the furthest timezone ahead of UTC
_OLDEST_YEAR = 1990
CAPTION_WRAPPER_CHILDREN = 3  # an <img> with a caption sits in a small figure-like wrapper
CAPTION_MAX_WORDS = 40

_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Report|NewsItem|Posting|WebPage)$")
# meta names/properties carrying the publication date, most trusted first
# fmt: off
_DATE_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "publishdate", "pubdate", "publish-date", "publication_date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created", "sailthru.date",
    "parsely-pub-date", "date",
)
# fmt: on


def page_metadata(tree: HtmlElement) -> Document:
    """Title, author, site name, description, image and tags (trafilatura's rules, no date)."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a single word is a handle or a site name, not a byline
    try:
        meta = extract_meta_json(tree, meta)
    except Exception as exc:  # third-party JSON-LD parsing must not fail a page
        logger.debug("JSON-LD metadata skipped: %s", exc)
    meta.title = meta.title or _shown_title_part(tree) or extract_title(tree)
    meta.author = meta.author or extract_author(tree)
    meta.sitename = (meta.sitename or extract_sitename(tree) or "").lstrip("@") or None
    meta.tags = meta.tags or extract_catstags("tag", tree)
    meta.clean_and_trim()
    return meta


def _shown_title_part(tree: HtmlElement) -> str | None:
    """The part of a "Site - Headline" <title> that the page also shows in bold or a heading."""
    parts = [p.strip() for p in _TITLE_SPLIT.split(tree.findtext(".//title") or "")]
    parts = [p for p in parts if len(p.split()) >= 2]
    if len(parts) < 2:
        return None
    shown = set()
    for element in tree.iter("h1", "h2", "h3", "b", "strong", "font"):
        text = " ".join(element.text_content().split())
        if len(text) < 300:
            shown.add(text)
    matches = [p for p in parts if p in shown]
    return max(matches, key=len) if matches else None


def htmldate_date(tree: HtmlElement, url: str | None) -> str | None:
    """Publication date found by htmldate: quick search, then the extensive one."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    for extensive in (False, True):
        found = find_date(
            tree, url=url, extensive_search=extensive, original_date=True, max_date=today
        )
        if isinstance(found, str) and (value := normalise_date(found)):
            return value
    return None


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes: BOM, declared charset, meta charset, then detection."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    head = data[:4096]
    candidates = [declared]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        if match := pattern.search(head):
            candidates.append(match.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for charset in candidates:
        if not charset:
            continue
        try:
            return data.decode(_charset_alias(charset))
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


def _charset_alias(charset: str) -> str:
    """Map charsets that browsers treat as supersets (latin-1 is read as cp1252)."""
    name = charset.strip().lower()
    return {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252"}.get(name, name)


def normalise_date(value: str | None, now: datetime | None = None) -> str | None:
    """Return an ISO 8601 date/datetime string, or None if unparsable or in the future."""
    parsed = _parse_date(value.strip()) if value else None
    if parsed is None:
        return None
    now = now or datetime.now(UTC)
    if isinstance(parsed, datetime):
        if parsed.tzinfo is not None:
            ok = parsed <= now + timedelta(hours=1)
        else:
            ok = parsed <= (now + _FUTURE_SKEW).replace(tzinfo=None)
        day = parsed.date()
    else:
        ok = parsed <= (now + _FUTURE_SKEW).date()
        day = parsed
    if not ok or day.year < _OLDEST_YEAR:
        return None
    return parsed.isoformat()


def _parse_date(value: str) -> date | datetime | None:
    """Parse ISO 8601 (full or date prefix) or RFC 2822 strings."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if "T" not in value and " " not in value and len(value) <= 10:
            return parsed.date()
        return parsed
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        pass
    if match := _ISO_PREFIX.match(value):
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    return None


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Yield every JSON-LD object of the page, flattening lists and @graph."""
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(v for k, v in item.items() if k == "@graph")
                yield item


def json_ld_date(tree: HtmlElement) -> str | None:
    """datePublished (or dateCreated) of the page's article object in JSON-LD."""
    for obj in _json_ld_objects(tree):
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
            continue
        for key in ("datePublished", "dateCreated"):
            if isinstance(obj.get(key), str) and (found := normalise_date(obj[key])):
                return found
    return None


def json_ld_body(tree: HtmlElement) -> str | None:
    """The articleBody of the page's JSON-LD as plain text (paragraphs kept), if any."""
    for obj in _json_ld_objects(tree):
        body = obj.get("articleBody")
        if not isinstance(body, str) or not body.strip():
            continue
        if "<" in body:
            fragment = lxml.html.fragment_fromstring(body, create_parent="div")
            for block in fragment.iter("p", "br", "h2", "h3", "li"):
                block.tail = "\n" + (block.tail or "")
            body = fragment.text_content()
        return "\n".join(" ".join(line.split()) for line in body.splitlines() if line.strip())
    return None


def meta_date(tree: HtmlElement) -> str | None:
    """Publication date from <meta>, <time itemprop> or <time pubdate> tags."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _DATE_META and key not in found and meta.get("content"):
            found[key] = meta.get("content", "")
    for key in _DATE_META:
        if key in found and (value := normalise_date(found[key])):
            return value
    for time_el in tree.iterfind(".//time[@datetime]"):
        marked = time_el.get("itemprop") == "datePublished" or time_el.get("pubdate") is not None
        if marked and (value := normalise_date(time_el.get("datetime"))):
            return value
    return None


def canonical_url(tree: HtmlElement, url: str | None) -> str | None:
    """Absolute rel=canonical link, else og:url, as found in the page."""
    for link in tree.iterfind(".//link[@rel][@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return _absolute(link.get("href", ""), url)
    for meta in tree.iterfind(".//meta[@property]"):
        if meta.get("property", "").lower() == "og:url" and meta.get("content"):
            return _absolute(meta.get("content", ""), url)
    return None


def _absolute(href: str, base: str | None) -> str | None:
    """Join href to the page URL; None unless the result is http(s)."""
    joined = urljoin(base or "", href.strip())
    return joined if joined.startswith(("http://", "https://")) else None


def declared_language(tree: HtmlElement) -> str | None:
    """Primary language subtag from <html lang>, content-language or og:locale."""
    values = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            values.append(meta.get("content"))
    for value in values:
        if value and (match := _LANG.match(value.strip())):
            return match.group(0).lower()
    return None


def detect_language(text: str) -> str | None:
    """Guess the language of a text with py3langid (on its first 1,000 characters)."""
    sample = text[:1000]
    if len(sample) < 20:
        return None
    import py3langid  # lazy: loads a model, only needed when a page declares no language

    lang, _score = py3langid.classify(sample)
    return str(lang)


def image_captions(tree: HtmlElement) -> set[str]:
    """Token keys of captions: <figcaption>, or the text next to an <img> in a small wrapper."""
    blocks = list(tree.iter("figcaption"))
    for img in tree.iter("img"):
        sibling, parent = img.getnext(), img.getparent()
        if sibling is None or parent is None or len(parent) > CAPTION_WRAPPER_CHILDREN:
            continue
        if sibling.tag in ("p", "span", "div", "small", "em"):
            blocks.append(sibling)
    keys = {line_key(block.text_content()) for block in blocks}
    return {key for key in keys if key and len(key.split()) <= CAPTION_MAX_WORDS}


def link_texts(tree: HtmlElement) -> set[str]:
    """Token keys of the page's link texts (to spot lines that are just a link)."""
    keys = {line_key(a.text_content()) for a in tree.iter("a")}
    return {key for key in keys if len(key.split()) >= 2}
