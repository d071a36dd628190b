"""XML / Google News / text sitemaps, sitemap indexes and robots.txt Sitemap lines."""

from __future__ import annotations

from pathlib import Path

from crawler.discovery import parse_source, sitemaps_from_robots

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
BASE = "https://www.example.com/sitemap.xml"


def test_sitemap_index_lists_children_in_order() -> None:
    result = parse_source((FEEDS / "sitemap_index.xml").read_bytes(), BASE)
    assert result.kind == "sitemapindex"
    assert result.links == []
    assert result.sitemaps == [
        "https://www.example.com/sitemap-news.xml.gz",
        "https://www.example.com/sitemap-pages.xml",
        "https://www.example.com/sitemap-bare-text.xml",
    ]
    assert result.skipped["duplicate_sitemap"] == 1


def test_gzipped_child_sitemap() -> None:
    body = (FEEDS / "sitemap-news.xml.gz").read_bytes()
    assert body[:2] == b"\x1f\x8b"
    result = parse_source(body, "https://www.example.com/sitemap-news.xml.gz")
    assert result.kind == "sitemap"
    assert result.urls == [
        "https://www.example.com/news/2024/05/17/gzipped-child-one",
        "https://www.example.com/news/2024/05/17/gzipped-child-two",
    ]
    assert result.links[0].lastmod == "2024-05-17T10:00:00+00:00"


def test_google_news_fields_are_kept() -> None:
    result = parse_source((FEEDS / "news_sitemap.xml").read_bytes(), BASE)
    assert result.urls == [
        "https://www.example.com/business/2024/05/17/merger-talks",
        "https://www.example.com/world/2024/05/16/summit",
    ]
    first, second = result.links
    assert first.title == "Companies A & B in merger talks"
    assert first.published == "2024-05-17T08:15:00+02:00"
    assert first.keywords == ["business", "merger", "acquisition"]
    assert first.lastmod == "2024-05-17"
    assert first.source_kind == "newssitemap"
    assert (second.title, second.published) == ("Summit <ends> early", "2024-05-16")


def test_news_sitemap_ignores_images_alternates_and_nested_sitemap() -> None:
    result = parse_source((FEEDS / "news_sitemap.xml").read_bytes(), BASE)
    assert not any("img" in url or "/de/" in url for url in result.urls)
    assert result.sitemaps == ["https://www.example.com/not-a-page-sitemap.xml"]
    assert result.skipped == {"duplicate": 1, "non_http_link": 1, "no_link": 1}


def test_nonstandard_namespace_and_whitespace() -> None:
    result = parse_source((FEEDS / "sitemap_badns.xml").read_bytes(), BASE)
    assert result.urls == [
        "https://www.example.com/odd-namespace-page-one",
        "https://www.example.com/odd-namespace-page-two",
    ]
    assert result.links[0].lastmod == "2023-12-31T23:59:59+00:00"


def test_sitemap_without_namespace_and_undeclared_entity() -> None:
    body = b"<urlset><url><loc>https://e.example.com/a&nbsp;b</loc></url>"
    body += b"<url><loc>https://e.example.com/c</loc></url></urlset>"
    result = parse_source(body, BASE)
    assert result.urls[-1] == "https://e.example.com/c"


def test_plain_text_sitemap() -> None:
    body = (
        b"https://t.example.com/one\n\n  https://t.example.com/two  \nhttps://t.example.com/one\n"
    )
    result = parse_source(body, "https://t.example.com/sitemap.txt")
    assert result.kind == "sitemap"
    assert result.urls == ["https://t.example.com/one", "https://t.example.com/two"]


def test_truncated_sitemap_keeps_what_it_found() -> None:
    body = b"<urlset><url><loc>https://t.example.com/one</loc></url><url><loc>https://t.exa"
    result = parse_source(body, BASE)
    assert result.urls[0] == "https://t.example.com/one"
    assert result.skipped["malformed_xml"] == 1


def test_robots_sitemap_lines() -> None:
    text = (FEEDS / "robots.txt").read_text()
    assert sitemaps_from_robots(text, "https://www.example.com/robots.txt") == [
        "https://www.example.com/sitemap_index.xml",
        "https://www.example.com/relative-sitemap.xml",
    ]


def test_robots_without_sitemaps() -> None:
    assert sitemaps_from_robots("User-agent: *\nDisallow: /\n", "https://x.example.com/") == []
    assert sitemaps_from_robots(
        "\ufeffSitemap: https://x.example.com/s.xml\r\n", "https://x.example.com/"
    ) == ["https://x.example.com/s.xml"]


def test_sitemap_with_wrong_declared_charset_is_transcoded() -> None:
    body = b'<?xml version="1.0" encoding="UTF-8"?><urlset><url><loc>https://a.example.com/caf\xe9'
    body += b"</loc></url><url><loc>https://a.example.com/2</loc></url></urlset>"
    assert parse_source(body, BASE).urls == [
        "https://a.example.com/café",
        "https://a.example.com/2",
    ]


def test_bare_ampersands_in_locs_are_kept() -> None:
    body = (
        b"\n  <?xml version='1.0'?><urlset><url><loc>https://a.example.com/x?a=1&b=2&amp;c=3</loc>"
    )
    body += b"</url><url><loc><![CDATA[https://a.example.com/y?a=1&b=2]]></loc></url></urlset>"
    result = parse_source(body, BASE)
    assert result.urls == ["https://a.example.com/x?a=1&b=2&c=3", "https://a.example.com/y?a=1&b=2"]
    assert not result.skipped
