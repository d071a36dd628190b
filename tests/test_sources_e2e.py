"""Each source kind end to end through `newsdedup crawl`: sitemaps, homepages, site crawls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FAST, read_jsonl, run_cli
from localsite import Page, ScriptedSite, serve

_XML = {"Content-Type": "application/xml"}


def _article(title: str, n: int) -> bytes:
    paragraphs = "".join(
        f"<p>{title} paragraph {i}: the {word} committee published figure {n * 10 + i} today, "
        f"and residents of district {n} asked what the {word} plan means for them.</p>"
        for i, word in enumerate(["water", "transport", "housing", "school", "energy"])
    )
    return (
        f"<html lang='en'><head><title>{title}</title></head><body><nav><a href='/'>Home</a>"
        f"</nav><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def _urlset(*paths: str) -> bytes:
    urls = "".join(f"<url><loc>{{base}}{p}</loc></url>" for p in paths)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def test_sitemap_index_with_gzipped_child(tmp_path: Path) -> None:
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>{base}/a.xml</loc></sitemap><sitemap><loc>{base}/b.xml.gz</loc>"
        b"</sitemap></sitemapindex>"
    )
    pages = {
        "/robots.txt": Page(b"User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"}),
        "/sitemap.xml": Page(index, headers=_XML),
        "/a.xml": Page(_urlset("/2026/11/01/one"), headers=_XML),
        "/b.xml.gz": Page(
            _urlset("/2026/11/02/two"), gzip=True, headers={"Content-Type": "application/x-gzip"}
        ),
        "/2026/11/01/one": Page(_article("One", 1)),
        "/2026/11/02/two": Page(_article("Two", 2)),
    }
    with serve(ScriptedSite(pages)) as site:
        result = run_cli(
            "crawl", site.url("/sitemap.xml"), "-o", str(tmp_path), "--workers", "1", *FAST
        )
    assert result.returncode == 0, result.stderr
    assert sorted(r["title"] for r in read_jsonl(tmp_path)) == ["One", "Two"]


def test_demo_root_uses_feeds_and_news_sitemap_works(demo_server: Any, tmp_path: Path) -> None:
    result = run_cli(
        "crawl", demo_server.url("/"), "-o", str(tmp_path / "a"), "--workers", "2", *FAST
    )
    assert result.returncode == 0, result.stderr
    assert "using advertised feeds" in result.stderr
    assert len(read_jsonl(tmp_path / "a")) == 24
    news = demo_server.url("/tribune/news-sitemap.xml")
    result = run_cli("crawl", news, "-o", str(tmp_path / "b"), "--workers", "1", *FAST)
    assert result.returncode == 0, result.stderr
    assert read_jsonl(tmp_path / "b") and all(
        "/tribune/" in r["url"] for r in read_jsonl(tmp_path / "b")
    )


def test_homepage_without_feed_uses_robots_sitemap(tmp_path: Path) -> None:
    pages = {
        "/": Page(b"<html><body><a href='/about'>About</a></body></html>"),
        "/robots.txt": Page(
            b"User-agent: *\nSitemap: {base}/news.xml\n", headers={"Content-Type": "text/plain"}
        ),
        "/news.xml": Page(_urlset("/2026/11/03/three"), headers=_XML),
        "/2026/11/03/three": Page(_article("Three", 3)),
    }
    with serve(ScriptedSite(pages)) as site:
        result = run_cli("crawl", site.url("/"), "-o", str(tmp_path), "--workers", "1", *FAST)
    assert result.returncode == 0, result.stderr
    assert "using robots.txt sitemaps" in result.stderr
    assert [r["title"] for r in read_jsonl(tmp_path)] == ["Three"]


def test_site_crawl_skips_listing_pages_and_calendar_traps(tmp_path: Path) -> None:
    calendar = "".join(f"<a href='/calendar/2026/{m}/'>m{m}</a>" for m in range(1, 13))
    home = (
        f"<html><body><a href='/2026/11/04/four-story'>Four</a><a href='/tag/council/'>t</a>"
        f"<a href='/category/local/'>local</a>{calendar}</body></html>"
    ).encode()
    pages = {
        "/": Page(home),
        "/category/local/": Page(
            b"<html><body><a href='/2026/11/05/five-story'>Five</a>"
            b"<a href='/category/local/page/2/'>next</a></body></html>"
        ),
        "/2026/11/04/four-story": Page(_article("Four", 4)),
        "/2026/11/05/five-story": Page(_article("Five", 5)),
    }
    pages |= {
        f"/calendar/2026/{m}/": Page(f"<a href='/calendar/2027/{m}/'>n</a>".encode())
        for m in range(1, 13)
    }
    with serve(ScriptedSite(pages)) as site:
        result = run_cli(
            "crawl", site.url("/"), "--kind", "site", "-o", str(tmp_path), "--workers", "1", *FAST
        )
        hits = list(site.hits)
    assert result.returncode == 0, result.stderr
    assert sorted(r["title"] for r in read_jsonl(tmp_path)) == ["Five", "Four"]
    assert not any(h.startswith("/calendar/2027") for h in hits)
