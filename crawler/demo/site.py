"""The bundled demo site: two publications with feeds, sitemaps and deliberate duplicates."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from crawler.demo.content import (
    ATOM,
    HTML,
    RSS,
    TEXT,
    XML,
    Article,
    Pages,
    Publication,
    load_articles,
)
from crawler.demo.feeds import (
    FeedEntry,
    atom_feed,
    news_sitemap,
    robots_txt,
    rss_feed,
    sitemap_index,
    urlset_sitemap,
)
from crawler.demo.pages import publication_pages
from crawler.demo.templates import SiteView

HERALD = Publication(
    key="herald",
    name="The Harbourside Herald",
    prefix="/herald/",
    theme="herald",
    tagline="News from Port Ellison and the Calder Bay coast",
)
TRIBUNE = Publication(
    key="tribune",
    name="The Kestrel Valley Tribune",
    prefix="/tribune/",
    theme="tribune",
    tagline="Your voice in Brackenridge, Elsworth and Hollin Ford",
)
ABOUT = {
    "herald": "The Harbourside Herald has served Port Ellison and the Calder Bay coast since 1887.",
    "tribune": "The Kestrel Valley Tribune: independent local journalism for the valley.",
}
# Near-duplicate: one wire story, lightly edited, on both publications (herald, tribune).
WIRE_PAIR = ("northline-rail-orders-hydrogen-trains", "hydrogen-trains-coming-to-valley-lines")
# Exact/URL duplicate: the tribune feed also lists this herald story with tracking parameters.
REPOST_SLUG = "ferry-timetable-cut-over-winter"
REPOST_QUERY = "?utm_source=tribune&utm_medium=rss"
HERALD_FEED = "/herald/feed.xml"
TRIBUNE_FEED = "/tribune/atom.xml"
HERALD_SITEMAP = "/herald/sitemap.xml"
TRIBUNE_SITEMAP = "/tribune/news-sitemap.xml"


def demo_views(base_url: str) -> tuple[SiteView, SiteView]:
    """The herald and tribune publications as seen from base_url."""
    base_url = base_url.rstrip("/")
    herald = SiteView(
        HERALD,
        base_url,
        load_articles("herald"),
        f"{base_url}{HERALD_FEED}",
        "application/rss+xml",
        ABOUT["herald"],
    )
    tribune = SiteView(
        TRIBUNE,
        base_url,
        load_articles("tribune"),
        f"{base_url}{TRIBUNE_FEED}",
        "application/atom+xml",
        ABOUT["tribune"],
    )
    return herald, tribune


def _entry(view: SiteView, article: Article, href: str) -> FeedEntry:
    """Feed entry for an article, with the link written as href."""
    return FeedEntry(
        href=href,
        guid=f"{view.home_url}?p={article.slug}",
        title=article.title,
        published=article.published,
        author=article.author,
        summary=article.excerpt,
        categories=(article.section, *article.tags),
    )


def repost_url(base_url: str) -> str:
    """The herald story's URL as re-posted (with tracking parameters) in the tribune feed."""
    herald, _ = demo_views(base_url)
    article = next(a for a in herald.articles if a.slug == REPOST_SLUG)
    return f"{herald.url(article)}{REPOST_QUERY}"


def _feeds(herald: SiteView, tribune: SiteView) -> Pages:
    """Herald RSS (absolute links) and tribune Atom (relative links + one re-post)."""
    rss = [_entry(herald, a, herald.url(a)) for a in herald.articles]
    atom = [_entry(tribune, a, a.path_tail) for a in tribune.articles]
    reposted = next(a for a in herald.articles if a.slug == REPOST_SLUG)
    repost = _entry(tribune, reposted, repost_url(herald.base_url))
    atom.append(
        FeedEntry(**{**repost.__dict__, "published": reposted.published + timedelta(hours=2)})
    )
    atom.sort(key=lambda e: e.published, reverse=True)
    return {
        HERALD_FEED: (RSS, rss_feed(herald, rss)),
        TRIBUNE_FEED: (ATOM, atom_feed(tribune, atom, xml_base=tribune.home_url)),
    }


def _sitemaps(herald: SiteView, tribune: SiteView) -> Pages:
    """robots.txt, the sitemap index, a plain herald sitemap and a tribune News sitemap."""
    base = herald.base_url
    newest = max(a.published for a in (*herald.articles, *tribune.articles))
    return {
        "/robots.txt": (
            TEXT,
            robots_txt(["/herald/wp-admin/", "/tribune/wp-admin/"], f"{base}/sitemap.xml"),
        ),
        "/sitemap.xml": (
            XML,
            sitemap_index(
                [(f"{base}{HERALD_SITEMAP}", newest), (f"{base}{TRIBUNE_SITEMAP}", newest)]
            ),
        ),
        HERALD_SITEMAP: (
            XML,
            urlset_sitemap((herald.url(a), a.published) for a in herald.articles),
        ),
        TRIBUNE_SITEMAP: (
            XML,
            news_sitemap(
                tribune, ((tribune.url(a), a.title, a.published) for a in tribune.articles)
            ),
        ),
    }


def _root_page(herald: SiteView, tribune: SiteView) -> bytes:
    """A tiny landing page linking both publications and their feeds."""
    links = "".join(
        f'<link rel="alternate" type="{v.feed_type}" title="{escape(v.pub.name)}" '
        f'href="{escape(v.feed_url)}">\n'
        for v in (herald, tribune)
    )
    items = "".join(
        f'<li><a href="{escape(v.home_url)}">{escape(v.pub.name)}</a></li>'
        for v in (herald, tribune)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>Demo News Network</title>\n{links}</head>\n"
        f"<body><h1>Demo News Network</h1><ul>{items}</ul></body></html>\n"
    ).encode()


def build_demo_site(base_url: str) -> Pages:
    """Every page of the demo site, keyed by URL path, with absolute URLs under base_url."""
    herald, tribune = demo_views(base_url)
    pages: Pages = {"/": (HTML, _root_page(herald, tribune))}
    pages.update(publication_pages(herald))
    pages.update(publication_pages(tribune))
    pages.update(_feeds(herald, tribune))
    pages.update(_sitemaps(herald, tribune))
    return pages
