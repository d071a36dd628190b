"""Tests for the bundled demo news site, the synthetic-site generator and the loopback server."""

from __future__ import annotations

import itertools
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from html import escape
from io import BytesIO
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import feedparser
import pytest

from crawler.demo import DemoServer, build_demo_site, build_synthetic_site, serve_site
from crawler.demo.content import load_articles
from crawler.demo.site import REPOST_QUERY, REPOST_SLUG, WIRE_PAIR, repost_url
from crawler.demo.synthetic import synthetic_articles

ROOT = Path(__file__).resolve().parents[1]
FURNITURE = [
    "Breaking News|Trending Now",
    "Home",
    "Share",
    "Facebook",
    "Twitter",
    "WhatsApp",
    "ADVERTISEMENT|- Advertisement -",
    "Related Articles",
    "Leave a Reply",
    "Recent Posts",
    "Newsletter",
    "Back to top button",
    "cookies",
    "&copy; 2026",
]


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are returned, not raised."""
    try:
        with urlopen(Request(url, method=method), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


def shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    """Word k-grams of lower-cased text."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    return len(a & b) / len(a | b)


def first_match(pattern: str, text: str) -> str:
    """Group 1 of the first match of pattern; fails the test if there is none."""
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1)


def article_paths(pages: dict[str, tuple[str, bytes]]) -> list[str]:
    """Paths of dated article permalinks."""
    return [path for path in pages if re.search(r"/2026/\d\d/\d\d/[^/]+/$", path)]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with serve_site(build_demo_site) as server:
        yield server


def test_server_serves_feeds_pages_robots_and_sitemaps(demo: DemoServer) -> None:
    expected = {
        "/herald/feed.xml": "application/rss+xml",
        "/tribune/atom.xml": "application/atom+xml",
        "/robots.txt": "text/plain",
        "/sitemap.xml": "application/xml",
        "/herald/": "text/html",
        "/tribune/": "text/html",
        "/herald/2026/11/20/ferry-timetable-cut-over-winter/": "text/html",
    }
    assert demo.base_url.startswith("http://127.0.0.1:")
    for path, content_type in expected.items():
        status, headers, body = fetch(demo.url(path))
        assert status == 200, path
        assert headers["Content-Type"].startswith(content_type), path
        assert int(headers["Content-Length"]) == len(body) > 0


def test_unknown_path_is_404_and_missing_slash_redirects(demo: DemoServer) -> None:
    status, _, _ = fetch(demo.url("/herald/2026/11/20/no-such-story/"))
    assert status == 404
    with urlopen(demo.url("/herald"), timeout=10) as response:  # follows the 301
        assert response.url == demo.url("/herald/")


def test_query_string_serves_the_page_of_its_path(demo: DemoServer) -> None:
    clean = demo.url("/herald/2026/11/20/ferry-timetable-cut-over-winter/")
    _, _, plain = fetch(clean)
    status, _, tracked = fetch(f"{clean}{REPOST_QUERY}")
    assert status == 200
    assert tracked == plain
    assert f'<link rel="canonical" href="{clean}">'.encode() in tracked


def test_head_returns_headers_without_body(demo: DemoServer) -> None:
    status, headers, body = fetch(demo.url("/herald/feed.xml"), method="HEAD")
    assert status == 200
    assert body == b""
    assert int(headers["Content-Length"]) == len(demo.pages["/herald/feed.xml"][1])


def test_hits_are_recorded_per_get() -> None:
    with serve_site({"/a/": ("text/html", b"<p>a</p>")}) as server:
        fetch(server.url("/a/"))
        fetch(server.url("/a/?utm_source=x"))
        fetch(server.url("/a/"), method="HEAD")
        fetch(server.url("/missing"))
        assert server.hits == ["/a/", "/a/?utm_source=x", "/missing"]
        assert server.hits_for("/a/") == 2
        assert ("HEAD", "/a/", 200) in server.requests
        assert ("GET", "/missing", 404) in server.requests
        server.clear_hits()
        assert server.hits == []


def test_demo_site_has_enough_distinct_articles_of_the_right_length() -> None:
    pages = build_demo_site("http://news.test")
    articles = [*load_articles("herald"), *load_articles("tribune")]
    assert len(article_paths(pages)) == len(articles) >= 24
    for article in articles:
        assert 150 <= article.word_count <= 400, article.slug
        assert len(article.paragraphs) >= 4, article.slug
        assert article.published.year == 2026 and article.published.month == 11


def test_article_pages_carry_metadata_and_furniture() -> None:
    pages = build_demo_site("http://news.test")
    for path in article_paths(pages):
        html = pages[path][1].decode()
        url = f"http://news.test{path}"
        assert html.startswith("<!") and '<html lang="en"' in html
        for needle in (
            f'<link rel="canonical" href="{url}">',
            f'<meta property="og:url" content="{url}">',
            '<meta property="og:title" content="',
            '<meta property="article:published_time" content="2026-11-',
            "<title>",
        ):
            assert needle in html, (path, needle)
        ld = json.loads(first_match(r'ld\+json">(.*?)</script>', html))
        assert ld["@type"] == "NewsArticle" and ld["headline"] and ld["author"]["name"]
        assert ld["datePublished"].startswith("2026-11-")
        for options in FURNITURE:
            assert any(option in html for option in options.split("|")), (path, options)
        assert html.count('class="entry-crumb"') + html.count("breadcrumb_last") >= 1
        assert len(re.findall(r"Related Articles.*?(?:Leave a Reply)", html, re.S)) == 1


def test_related_block_has_three_linked_teasers() -> None:
    pages = build_demo_site("http://news.test")
    html = pages["/tribune/2026/11/19/hydrogen-trains-coming-to-valley-lines/"][1].decode()
    block = html.split("Related Articles", 1)[1].split("Leave a Reply", 1)[0]
    titles = set(re.findall(r'<h3 class="jeg_post_title"><a href="([^"]+)"', block))
    assert len(titles) == 3


def test_both_feeds_parse_and_list_the_article_urls(demo: DemoServer) -> None:
    herald = feedparser.parse(BytesIO(fetch(demo.url("/herald/feed.xml"))[2]))
    atom_xml = fetch(demo.url("/tribune/atom.xml"))[2]
    tribune = feedparser.parse(BytesIO(atom_xml))
    assert not herald.bozo and not tribune.bozo
    assert herald.version == "rss20" and tribune.version == "atom10"
    herald_urls = {demo.url(p) for p in article_paths(demo.pages) if p.startswith("/herald/")}
    tribune_urls = {demo.url(p) for p in article_paths(demo.pages) if p.startswith("/tribune/")}
    assert {e.link for e in herald.entries} == herald_urls
    assert {e.link for e in tribune.entries} == tribune_urls | {repost_url(demo.base_url)}
    assert b'href="2026/11/' in atom_xml  # relative links resolved through xml:base
    for entry in [*herald.entries, *tribune.entries]:
        assert entry.title and entry.author and entry.published_parsed[:2] == (2026, 11)


def test_homepages_advertise_their_feeds(demo: DemoServer) -> None:
    herald = fetch(demo.url("/herald/"))[2].decode()
    tribune = fetch(demo.url("/tribune/"))[2].decode()
    feed_link = f'title="The Harbourside Herald &raquo; Feed" href="{demo.url("/herald/feed.xml")}"'
    assert f'type="application/rss+xml" {feed_link}' in herald
    assert 'type="application/atom+xml"' in tribune and demo.url("/tribune/atom.xml") in tribune
    assert herald.count('rel="bookmark">') >= 12


def test_robots_points_to_sitemap_index_covering_all_articles(demo: DemoServer) -> None:
    robots = fetch(demo.url("/robots.txt"))[2].decode()
    sitemap_url = first_match(r"(?m)^Sitemap: (\S+)$", robots)
    index = fetch(sitemap_url)[2].decode()
    children = re.findall(r"<loc>([^<]+)</loc>", index)
    assert len(children) == 2
    bodies = [fetch(url)[2].decode() for url in children]
    assert any("xmlns:news=" in body and "<news:publication_date>" in body for body in bodies)
    listed = {loc for body in bodies for loc in re.findall(r"<loc>([^<]+)</loc>", body)}
    assert listed == {demo.url(p) for p in article_paths(demo.pages)}


def test_wire_pair_is_a_near_duplicate_but_not_identical() -> None:
    herald = {a.slug: a for a in load_articles("herald")}[WIRE_PAIR[0]]
    tribune = {a.slug: a for a in load_articles("tribune")}[WIRE_PAIR[1]]
    a, b = " ".join(herald.paragraphs), " ".join(tribune.paragraphs)
    assert herald.title != tribune.title and a != b
    assert tribune.paragraphs[0].startswith("PORT ELLISON (CPW) - ")
    assert len(tribune.paragraphs[-1]) < len(herald.paragraphs[-1])
    assert 0.8 <= jaccard(shingles(a), shingles(b)) < 0.95


def test_all_other_demo_articles_are_distinct() -> None:
    articles = [*load_articles("herald"), *load_articles("tribune")]
    sets = {a.slug: shingles(" ".join(a.paragraphs)) for a in articles}
    for (slug_a, a), (slug_b, b) in itertools.combinations(sets.items(), 2):
        if {slug_a, slug_b} != set(WIRE_PAIR):
            assert jaccard(a, b) < 0.1, (slug_a, slug_b)


def test_repost_is_the_same_page_under_a_tracking_url(demo: DemoServer) -> None:
    url = repost_url(demo.base_url)
    assert REPOST_SLUG in url and urlsplit(url).query == REPOST_QUERY[1:]
    assert fetch(url)[2] == demo.pages[urlsplit(url).path][1]


def test_internal_links_resolve_to_served_pages() -> None:
    pages = build_demo_site("http://news.test")
    unserved = ("wp-content/", "wp-includes/", "wp-comments-post.php", "newsletter/")
    for path, (content_type, body) in pages.items():
        if not content_type.startswith("text/html"):
            continue
        for href in re.findall(r'<a [^>]*href="(http://news\.test[^"#]*)"', body.decode()):
            target = urlsplit(href).path
            assert target in pages or target.endswith(unserved), (path, href)


def test_article_text_appears_escaped_in_its_page() -> None:
    pages = build_demo_site("http://news.test")
    for article in load_articles("tribune"):
        html = pages[f"/tribune/{article.path_tail}"][1].decode()
        assert all(f"<p>{escape(p)}</p>" in html for p in article.paragraphs)


def test_synthetic_site_is_fast_and_complete() -> None:
    started = time.process_time()
    pages = build_synthetic_site("http://synth.test", 2000)
    assert time.process_time() - started < 2.0
    assert len(article_paths(pages)) == 2000
    assert pages["/feed.xml"][1].count(b"<item>") == 2000
    assert pages["/sitemap.xml"][1].count(b"<loc>") == 2000
    assert b"Sitemap: http://synth.test/sitemap.xml" in pages["/robots.txt"][1]


def test_synthetic_site_is_deterministic_per_seed() -> None:
    first = build_synthetic_site("http://synth.test", 30, seed=7)
    assert first == build_synthetic_site("http://synth.test", 30, seed=7)
    assert first["/feed.xml"] != build_synthetic_site("http://synth.test", 30, seed=8)["/feed.xml"]


def test_synthetic_articles_are_long_and_pairwise_dissimilar() -> None:
    articles = synthetic_articles(2000, seed=3)
    assert len({a.slug for a in articles}) == 2000
    sample = articles[::13]
    assert all(a.word_count >= 150 for a in sample)
    sets = [shingles(" ".join(a.paragraphs)) for a in sample]
    worst = max(jaccard(a, b) for a, b in itertools.combinations(sets, 2))
    assert worst < 0.2


def test_synthetic_site_served_with_its_own_base_url() -> None:
    with serve_site(partial(build_synthetic_site, n_articles=15, seed=1)) as server:
        feed = feedparser.parse(BytesIO(fetch(server.url("/feed.xml"))[2]))
        assert len(feed.entries) == 15
        link = feed.entries[0].link
        assert link.startswith(server.base_url)
        status, _, body = fetch(link)
        assert status == 200 and b"Related Articles" in body
        assert server.hits_for(urlsplit(link).path) == 1


def test_python_m_crawler_demo_serves_in_the_foreground() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().split(" at ")[1].strip()
        assert fetch(f"{base}herald/feed.xml")[0] == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert stderr == ""
