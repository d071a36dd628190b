"""Feed parsing (RSS 0.9x/1.0/2.0, Atom) and HTML feed autodiscovery."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler import feeds
from crawler.discovery import ParseResult, feed_links_from_html, parse_source

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def parse_fixture(
    name: str, base_url: str = "https://feeds.example.com/dir/feed.xml"
) -> ParseResult:
    """Parse one fixture file as if fetched from base_url."""
    return parse_source((FEEDS / name).read_bytes(), base_url)


def test_rss20_edge_cases_links_in_order() -> None:
    result = parse_fixture("rss20_edge_cases.xml")
    assert result.kind == "feed"
    assert result.error is None
    assert result.urls == [
        "http://news.example.org/base/articles/2024/05/relative-one.html",
        "http://other.example.net/section/scoped.html",
        "http://news.example.org/base/after-scoped.html",
        "http://news.example.org/guid-permalink",
        "https://news.example.org/articles/whitespace-around",
    ]


def test_rss20_skips_are_counted() -> None:
    skipped = parse_fixture("rss20_edge_cases.xml").skipped
    assert skipped["non_http_link"] == 3  # javascript:, mailto:, data:
    assert skipped["duplicate"] == 1
    assert skipped["no_link"] == 2  # non-permalink guid, no link at all


def test_rss20_metadata_cleaned() -> None:
    first, *_, last = parse_fixture("rss20_edge_cases.xml").links
    assert first.title == "Relative link in CDATA"
    assert first.published == "2024-05-17T08:30:00+00:00"
    assert first.author == "Ann Writer"
    assert first.keywords == ["Politics", "Europe"]
    assert first.source_kind == "feed"
    assert last.title == "Escaped HTML & entities"


def test_item_xml_base_does_not_leak_into_next_item() -> None:
    body = (
        b'<rss version="2.0"><channel><item xml:base="http://other.example.org/sub/">'
        b"<link>a.html</link></item><item><link>b.html</link></item></channel></rss>"
    )
    result = parse_source(body, "https://feeds.example.net/x/feed.xml")
    assert result.urls == [
        "http://other.example.org/sub/a.html",
        "https://feeds.example.net/x/b.html",
    ]


def test_atom_xml_base_and_alternate_links() -> None:
    result = parse_fixture("atom_xml_base.xml")
    assert result.urls == [
        "http://blog.example.com/2024/06/first-post",
        "http://mirror.example.org/m/second-post",
        "http://blog.example.com/2024/07/fourth-post",
    ]
    first = result.links[0]
    assert first.published == "2024-06-01T07:00:00+00:00"
    assert first.lastmod == "2024-06-02T09:00:00+00:00"
    assert (first.author, first.keywords) == ("Bo Blogger", ["go"])
    assert first.guid == "tag:blog.example.com,2024:1"


def test_rss091_with_netscape_doctype_and_undeclared_entity() -> None:
    result = parse_fixture("rss091_netscape.xml", "https://old.example.com/rss.xml")
    assert result.urls == [
        "http://old.example.com/stories/1001.html",
        "https://old.example.com/stories/1002.html",
    ]
    assert result.links[0].title == "First story"


def test_rss10_rdf() -> None:
    result = parse_fixture("rss10.rdf")
    assert result.urls == ["http://rdf.example.com/a/1", "http://rdf.example.com/a/2"]
    assert result.links[0].published == "2024-03-01T08:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("bom_wrong_charset.xml", "Café crème \u2013 naïve"),
        ("declared_utf8_really_cp1252.xml", "Café \u201cquoted\u201d"),
    ],
)
def test_bom_and_wrong_declared_charset(name: str, title: str) -> None:
    result = parse_fixture(name)
    assert len(result.links) == 1
    assert result.links[0].title == title


def test_utf16_feed_without_bom() -> None:
    doc = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'
    doc += "<item><title>Grüße</title><link>https://u.example.com/a/12345</link></item>"
    result = parse_source((doc + "</channel></rss>").encode("utf-16-le"), "https://u.example.com/")
    assert [(link.url, link.title) for link in result.links] == [
        ("https://u.example.com/a/12345", "Grüße")
    ]


def test_malformed_feed_recovers_entries() -> None:
    result = parse_fixture("malformed_unclosed.xml")
    assert result.urls == [
        "https://broken.example.com/one?a=1&b=2",
        "https://broken.example.com/two",
    ]
    assert result.skipped["malformed_xml"] == 1


def test_empty_feed_is_not_an_error() -> None:
    result = parse_fixture("empty_channel.xml")
    assert (result.kind, result.links, result.error) == ("feed", [], None)


def test_truncated_feed_without_entries_reports_error() -> None:
    result = parse_source(b'<rss version="2.0"><channel><title>x', "https://x.example.com/")
    assert result.links == []
    assert result.error is not None


def test_huge_feed_is_capped_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_FEED_ENTRIES", 300)
    items = b"".join(
        b"<item><title>T%d</title><link>https://big.example.com/a/%d</link></item>" % (i, i)
        for i in range(100_000)
    )
    body = b'<rss version="2.0"><channel><title>big</title>' + items + b"</channel></rss>"
    start = time.perf_counter()
    result = parse_source(body, "https://big.example.com/feed")
    assert time.perf_counter() - start < 5  # generous: a regression takes minutes
    assert len(result.links) == 300
    assert result.urls[-1] == "https://big.example.com/a/299"
    assert result.skipped["over_limit"] == 100_000 - 300
    assert result.skipped["malformed_xml"] == 0  # the cut feed was closed properly


def test_markup_inside_cdata_does_not_count_as_elements() -> None:
    html = b"<p>" + b"<b>x</b>" * 2_000 + b"</p>"
    item = b"<item><link>https://c.example.com/a/%d</link><description><![CDATA[%s]]></description></item>"
    items = b"".join(item % (i, html) for i in range(60))
    body = b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>"
    assert body.count(b"<") > 2 * feeds.MAX_FEED_TAGS
    result = parse_source(body, "https://c.example.com/feed")
    assert len(result.links) == 60
    assert result.error is None and not result.skipped


def test_rdf_feed_cut_is_closed_properly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_FEED_ENTRIES", 1)
    result = parse_fixture("rss10.rdf")
    assert result.urls == ["http://rdf.example.com/a/1"]
    assert result.skipped == {"over_limit": 1}


def test_too_many_elements_refused_fast() -> None:
    body = b'<rss version="2.0"><channel>' + b"<x/>" * 300_000 + b"</channel></rss>"
    start = time.perf_counter()
    result = parse_source(body, "https://big.example.com/feed")
    assert time.perf_counter() - start < 5  # generous: a regression takes minutes
    assert result.error is not None and "XML tags" in result.error
    assert result.skipped["too_complex"] == 1


def test_feed_autodiscovery_resolves_base_and_dedupes() -> None:
    html = (FEEDS / "autodiscovery.html").read_bytes()
    assert feed_links_from_html(html, "https://www.example.com/en/index.html") == [
        "https://www.example.com/en/feed/rss.xml",
        "https://www.example.com/atom.xml",
    ]


def test_feed_autodiscovery_relative_to_page_url() -> None:
    html = (FEEDS / "not_a_feed.html").read_bytes()
    assert feed_links_from_html(html, "https://www.example.com/en/") == [
        "https://www.example.com/feed.xml"
    ]


@pytest.mark.parametrize(
    "html", [b"", b"   ", b"\x00\xff\xfe garbage", b"<html><head></head></html>"]
)
def test_feed_autodiscovery_never_crashes(html: bytes) -> None:
    assert feed_links_from_html(html, "https://www.example.com/") == []


def test_json_feed() -> None:
    result = parse_fixture("jsonfeed.json", "https://j.example.com/feed.json")
    assert result.kind == "feed"
    assert result.urls == [
        "https://j.example.com/2024/05/17/json-item",
        "https://ext.example.net/linked",
    ]
    first = result.links[0]
    assert (first.title, first.author, first.keywords, first.guid) == (
        "Bold title",
        "Al",
        ["x", "y"],
        "1",
    )
    assert first.published == "2024-05-17T10:00:00+00:00"
    assert result.skipped == {"no_link": 2, "non_http_link": 1, "duplicate": 1}


@pytest.mark.parametrize(
    "body", [b'{"version": 1}', b'{"items": "x"}', b"{" * 50_000, b"{not json"]
)
def test_json_that_is_not_a_json_feed(body: bytes) -> None:
    result = parse_source(body, "https://j.example.com/feed.json")
    assert (result.kind, result.links) == ("unknown", [])
    assert result.error


def test_junk_before_the_feed_root_is_skipped() -> None:
    body = b"<br />\n<b>Warning</b>: include(): failed in <b>/var/www/rss.php</b><br />\n"
    body += (FEEDS / "rss10.rdf").read_bytes()
    assert parse_source(body, "https://x.example.com/").urls == [
        "http://rdf.example.com/a/1",
        "http://rdf.example.com/a/2",
    ]
