"""Fetching without waste: meta refresh without decoding every page, connections reused."""

from __future__ import annotations

from pathlib import Path

from conftest import FAST, read_jsonl, run_cli
from localsite import Page, ScriptedSite, serve
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.fetchguard import LeanMetaRefreshMiddleware

_REFRESH = (
    '<html><head><meta http-equiv="Refresh" content="0; url={to}"></head><body>x</body></html>'
)


def _middleware() -> LeanMetaRefreshMiddleware:
    return LeanMetaRefreshMiddleware.from_crawler(get_crawler())


def _response(body: bytes, encoding: str = "utf-8") -> HtmlResponse:
    url = "http://news.example/a"
    return HtmlResponse(url, body=body, encoding=encoding, request=Request(url))


def test_page_without_refresh_is_passed_on_as_is() -> None:
    response = _response(b"<html><head><title>t</title></head><body>" + b"p " * 50_000 + b"</body>")
    assert _middleware().process_response(response.request, response) is response


def test_refresh_redirects_in_utf8_and_utf16() -> None:
    middleware = _middleware()
    for encoding in ("utf-8", "utf-16"):
        body = _REFRESH.format(to="http://news.example/b").encode(encoding)
        response = _response(body, encoding)
        redirected = middleware.process_response(response.request, response)
        assert isinstance(redirected, Request), encoding
        assert redirected.url.startswith("http://news.example/b")  # UTF-16: Scrapy's own quirks


def test_crawl_follows_a_meta_refresh_to_the_article(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i}: the harbour committee published figure {i} today, and residents "
        f"asked what the plan means for them and for the district.</p>"
        for i in range(6)
    )
    article = (
        "<html><head><title>Moved story</title></head><body><article><h1>Moved story</h1>"
        f"{paragraphs}</article></body></html>"
    )
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>{base}/2026/11/01/old</loc></url></urlset>"
    )
    pages = {
        "/robots.txt": Page(b"User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"}),
        "/sitemap.xml": Page(urlset.encode(), headers={"Content-Type": "application/xml"}),
        "/2026/11/01/old": Page(_REFRESH.format(to="{base}/2026/11/01/new").encode()),
        "/2026/11/01/new": Page(article.encode()),
    }
    with serve(ScriptedSite(pages)) as site:
        result = run_cli(
            "crawl", site.url("/sitemap.xml"), "-o", str(tmp_path), "--workers", "1", *FAST
        )
        hits = list(site.hits)
    assert result.returncode == 0, result.stderr
    records = read_jsonl(tmp_path)
    assert [r["title"] for r in records] == ["Moved story"]
    assert records[0]["url"].endswith("/2026/11/01/new")
    assert "/2026/11/01/new" in hits


def test_per_domain_limit_holds_in_a_burst(tmp_path: Path) -> None:
    """Without AutoThrottle Scrapy 2.19 started a slot's whole queue at once (up to
    CONCURRENT_REQUESTS) and then closed the surplus connections; PoliteDownloader keeps
    CONCURRENT_REQUESTS_PER_DOMAIN, so the connections are reused too."""
    links = "".join(f"<url><loc>{{base}}/2026/11/01/story-{n}</loc></url>" for n in range(60))
    story = Page(b"<html><body><p>short</p></body></html>", delay=0.02)
    pages = {
        "/robots.txt": Page(b"User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"}),
        "/sitemap.xml": Page(
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{links}</urlset>'.encode(),
            headers={"Content-Type": "application/xml"},
        ),
        **{f"/2026/11/01/story-{n}": story for n in range(60)},
    }
    settings = ("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "CONCURRENT_REQUESTS=16")
    with serve(ScriptedSite(pages)) as site:
        result = run_cli(
            "crawl",
            site.url("/sitemap.xml"),
            "-o",
            str(tmp_path),
            "--workers",
            "1",
            *FAST,
            *settings,
        )
        connections, most = len(site.client_ports), site.max_in_flight
    assert result.returncode == 0, result.stderr
    assert len([h for h in site.hits if "story-" in h]) == 60
    assert 2 <= most <= 4, f"{most} requests at once, limit 4"
    assert connections <= 4 + 1, f"{connections} connections for 62 requests"  # + robots.txt
