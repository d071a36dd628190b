"""RSS 2.0 / Atom feeds, XML sitemaps (plain, Google News, index) and robots.txt."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from crawler.demo.templates import SiteView

_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@dataclass(frozen=True)
class FeedEntry:
    """One feed item; href is written as given (absolute, or relative to xml:base)."""

    href: str
    guid: str
    title: str
    published: datetime
    author: str
    summary: str
    categories: tuple[str, ...] = ()


def rss_feed(view: SiteView, entries: Sequence[FeedEntry]) -> bytes:
    """A WordPress-style RSS 2.0 feed with absolute links and dc:creator authors."""
    newest = max((e.published for e in entries), default=datetime(2026, 11, 1))
    items = "".join(_rss_item(e) for e in entries)
    return (
        f'{_XML_DECL}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{escape(view.pub.name)}</title>\n"
        f'<atom:link href={quoteattr(view.feed_url)} rel="self" type="application/rss+xml"/>\n'
        f"<link>{escape(view.home_url)}</link>\n"
        f"<description>{escape(view.pub.tagline)}</description>\n"
        f"<lastBuildDate>{format_datetime(newest)}</lastBuildDate>\n"
        f"<language>{view.pub.language}</language>\n"
        "<generator>https://wordpress.org/?v=6.6.2</generator>\n"
        f"{items}</channel>\n</rss>\n"
    ).encode()


def _rss_item(entry: FeedEntry) -> str:
    """One RSS <item>."""
    cats = "".join(f"<category>{escape(c)}</category>" for c in entry.categories)
    return (
        f"<item>\n<title>{escape(entry.title)}</title>\n<link>{escape(entry.href)}</link>\n"
        f"<dc:creator>{escape(entry.author)}</dc:creator>\n"
        f"<pubDate>{format_datetime(entry.published)}</pubDate>\n{cats}\n"
        f'<guid isPermaLink="false">{escape(entry.guid)}</guid>\n'
        f"<description>{escape(entry.summary)}</description>\n</item>\n"
    )


def atom_feed(view: SiteView, entries: Sequence[FeedEntry], xml_base: str) -> bytes:
    """An Atom 1.0 feed whose relative hrefs resolve against xml_base."""
    newest = max((e.published for e in entries), default=datetime(2026, 11, 1))
    body = "".join(_atom_entry(e) for e in entries)
    return (
        f'{_XML_DECL}<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{view.pub.language}" '
        f"xml:base={quoteattr(xml_base)}>\n"
        f"<title>{escape(view.pub.name)}</title>\n"
        f"<subtitle>{escape(view.pub.tagline)}</subtitle>\n"
        f"<id>{escape(view.home_url)}</id>\n<updated>{newest.isoformat()}</updated>\n"
        '<link rel="alternate" type="text/html" href="./"/>\n'
        f'<link rel="self" type="application/atom+xml" href={quoteattr(view.feed_url)}/>\n'
        f'<generator uri="https://wordpress.org/" version="6.6.2">WordPress</generator>\n'
        f"{body}</feed>\n"
    ).encode()


def _atom_entry(entry: FeedEntry) -> str:
    """One Atom <entry>."""
    cats = "".join(f"<category term={quoteattr(c)}/>" for c in entry.categories)
    when = entry.published.isoformat()
    return (
        f'<entry>\n<title type="html">{escape(entry.title)}</title>\n'
        f'<link rel="alternate" type="text/html" href={quoteattr(entry.href)}/>\n'
        f"<id>{escape(entry.guid)}</id>\n<published>{when}</published>\n"
        f"<updated>{when}</updated>\n<author><name>{escape(entry.author)}</name></author>\n"
        f'{cats}\n<summary type="html">{escape(entry.summary)}</summary>\n</entry>\n'
    )


def urlset_sitemap(urls: Iterable[tuple[str, datetime]]) -> bytes:
    """A plain XML sitemap of (absolute URL, lastmod) pairs."""
    rows = "".join(
        f"<url><loc>{escape(url)}</loc><lastmod>{when.isoformat()}</lastmod></url>\n"
        for url, when in urls
    )
    return f'{_XML_DECL}<urlset xmlns="{_SITEMAP_NS}">\n{rows}</urlset>\n'.encode()


def news_sitemap(view: SiteView, urls: Iterable[tuple[str, str, datetime]]) -> bytes:
    """A Google News sitemap of (absolute URL, title, published) triples."""
    pub = (
        f"<news:publication><news:name>{escape(view.pub.name)}</news:name>"
        f"<news:language>{view.pub.language}</news:language></news:publication>"
    )
    rows = "".join(
        f"<url><loc>{escape(url)}</loc><news:news>{pub}"
        f"<news:publication_date>{when.isoformat()}</news:publication_date>"
        f"<news:title>{escape(title)}</news:title></news:news></url>\n"
        for url, title, when in urls
    )
    return (
        f'{_XML_DECL}<urlset xmlns="{_SITEMAP_NS}" xmlns:news="{_NEWS_NS}">\n{rows}</urlset>\n'
    ).encode()


def sitemap_index(sitemaps: Iterable[tuple[str, datetime]]) -> bytes:
    """A sitemap index of (absolute sitemap URL, lastmod) pairs."""
    rows = "".join(
        f"<sitemap><loc>{escape(url)}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>\n"
        for url, when in sitemaps
    )
    return f'{_XML_DECL}<sitemapindex xmlns="{_SITEMAP_NS}">\n{rows}</sitemapindex>\n'.encode()


def robots_txt(disallow: Iterable[str], sitemap_url: str) -> bytes:
    """robots.txt for all user agents with a Sitemap: line."""
    rules = "".join(f"Disallow: {path}\n" for path in disallow)
    return f"User-agent: *\n{rules}\nSitemap: {sitemap_url}\n".encode()
