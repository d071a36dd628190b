"""parse_source sniffing, gzip, security (XXE, entity bombs, gzip bombs) and URL heuristics."""

from __future__ import annotations

import gzip
import json
import random
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from crawler import rawbody
from crawler.discovery import looks_like_article_url, parse_source

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds-dev"
MARKER = "SECRET-MARKER-7f3a"
RSS_ITEM = '<rss version="2.0"><channel><item><title>{x}</title><link>https://a.example.com/{x}</link></item></channel></rss>'
URLSET = "<urlset><url><loc>https://a.example.com/{x}</loc></url></urlset>"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rss20_edge_cases.xml", "feed"),
        ("rss10.rdf", "feed"),
        ("atom_xml_base.xml", "feed"),
        ("news_sitemap.xml", "sitemap"),
        ("sitemap_index.xml", "sitemapindex"),
        ("not_a_feed.html", "html"),
        ("empty.xml", "empty"),
    ],
)
def test_kind_is_sniffed_from_content(name: str, kind: str) -> None:
    result = parse_source((FEEDS / name).read_bytes(), "https://x.example.com/f", "text/html")
    assert result.kind == kind


def test_html_where_feed_expected_has_error() -> None:
    result = parse_source((FEEDS / "not_a_feed.html").read_bytes(), "https://x.example.com/")
    assert (result.kind, result.links) == ("html", [])
    assert result.error is not None and "HTML" in result.error


@pytest.mark.parametrize("body", [b"", b"  \n\t", b"\xef\xbb\xbf\n", gzip.compress(b"")])
def test_empty_documents(body: bytes) -> None:
    result = parse_source(body, "https://x.example.com/")
    assert (result.kind, result.links) == ("empty", [])
    assert result.error


def test_gzipped_feed_content_encoding() -> None:
    body = gzip.compress((FEEDS / "rss10.rdf").read_bytes())
    assert parse_source(body, "https://x.example.com/").urls == [
        "http://rdf.example.com/a/1",
        "http://rdf.example.com/a/2",
    ]


def test_corrupted_gzip_is_an_error_not_a_crash() -> None:
    body = gzip.compress(URLSET.format(x="one").encode())[:-12] + b"\x00" * 4
    result = parse_source(body, "https://x.example.com/s.xml.gz")
    assert result.links == [] and result.error


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (80 * 1024 * 1024), compresslevel=1)
    assert len(bomb) < 1024 * 1024
    start = time.perf_counter()
    result = parse_source(bomb, "https://x.example.com/bomb.xml.gz")
    assert time.perf_counter() - start < 5  # generous: a regression takes minutes
    assert result.links == []
    assert result.error is not None and "more than" in result.error


def test_gzip_cap_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rawbody, "MAX_DECOMPRESSED_BYTES", 10)
    result = parse_source(gzip.compress(URLSET.format(x="one").encode()), "https://x.example.com/")
    assert result.links == [] and "more than 10 bytes" in str(result.error)


def _xxe_documents(secret: Path, dtd: Path, dtd_url: str) -> Iterator[bytes]:
    """Documents that would leak `secret` or fetch a DTD if entities were resolved."""
    prologs = [
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>',
        f'<!DOCTYPE r [<!ENTITY % d SYSTEM "file://{dtd}"> %d;]>',
        f'<!DOCTYPE r SYSTEM "file://{dtd}">',
        f'<!DOCTYPE r [<!ENTITY % d SYSTEM "{dtd_url}"> %d;]>',
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{dtd_url}">]>',
        f'<!-- <a> --><!DOCTYPE r [<!ENTITY y "]>"><!ENTITY x SYSTEM "file://{secret}">]>',
    ]
    for prolog in prologs:
        for template in (RSS_ITEM, URLSET):
            body = '<?xml version="1.0"?>' + prolog + template.format(x="&x;")
            yield body.encode()
            yield gzip.compress(body.encode())


@pytest.fixture
def dtd_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server recording every request path."""
    (tmp_path / "evil.dtd").write_text(f'<!ENTITY x "{MARKER}">')
    hits: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        """Serve tmp_path, recording requests instead of logging them."""

        def log_message(self, *args: object) -> None:
            """Record the request path."""
            hits.append(self.path)

    handler = partial(Handler, directory=str(tmp_path))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}/evil.dtd", hits
        server.shutdown()
        thread.join()


def test_no_xxe_no_dtd_fetch(tmp_path: Path, dtd_server: tuple[str, list[str]]) -> None:
    dtd_url, hits = dtd_server
    secret = tmp_path / "secret.txt"
    secret.write_text(MARKER)
    dtd = tmp_path / "local.dtd"
    dtd.write_text(f'<!ENTITY x "{MARKER}">')
    for body in _xxe_documents(secret, dtd, dtd_url):
        result = parse_source(body, "https://a.example.com/feed")
        assert MARKER not in repr(result), body
        assert "doctype_removed" in result.skipped
    assert hits == []


def test_billion_laughs_finishes_fast() -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    for template in (RSS_ITEM, URLSET):
        body = f"<?xml version='1.0'?><!DOCTYPE r [{entities}]>" + template.format(x="&l9;")
        start = time.perf_counter()
        result = parse_source(body.encode(), "https://a.example.com/")
        assert time.perf_counter() - start < 5  # generous: a regression takes minutes
        assert "lollol" not in repr(result)


@pytest.mark.parametrize("template", [RSS_ITEM, URLSET])
def test_deep_nesting_is_refused_or_bounded(template: str) -> None:
    body = template.format(x="<x>" * 50_000 + "</x>" * 50_000).encode()
    start = time.perf_counter()
    result = parse_source(body, "https://a.example.com/")
    assert time.perf_counter() - start < 5  # generous: a regression takes minutes
    assert result.links == []
    assert result.error is not None


def test_random_corruption_never_crashes() -> None:
    rng = random.Random(1234)
    samples = [p.read_bytes() for p in sorted(FEEDS.iterdir()) if p.suffix != ".txt"]
    for _ in range(400):
        data = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 8)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        data = data[: rng.randint(0, len(data))]
        result = parse_source(bytes(data), "https://a.example.com/x/")
        assert all(link.url.startswith(("http://", "https://")) for link in result.links)
        assert "internal parser error" not in str(result.error)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/2024/05/17/city-council-approves-budget/",
        "https://news.example.org/world/europe-68912345",
        "https://example.com/politics/article/123456",
        "https://example.com/news/city-council-approves-new-budget-for-schools",
        "https://example.com/story.php?id=98765",
        "https://example.com/archive/2023/11/storm-hits-coast.html",
        "https://example.com/news/20240517-storm-hits-coast",
        "https://www.example.de/tests/top-10-e-scooter-im-test-gut-ab-15-euro/1wpczrx",
        "https://www.example.com/r/space/comments/42babr/the_difficulties_in_space/",
    ],
)
def test_article_urls(url: str) -> None:
    assert looks_like_article_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/",
        "https://www.example.com/tag/politics/",
        "https://www.example.com/category/world-news-today-and-more/",
        "https://www.example.com/author/jane-doe-smith-writer",
        "https://www.example.com/search?q=election+results+today",
        "https://www.example.com/news/page/2/",
        "https://www.example.com/news/page-3",
        "https://www.example.com/feed/",
        "https://www.example.com/2024/05/17/",
        "https://www.example.com/2024/05/",
        "https://www.example.com/calendar/2024-05-17",
        "https://www.example.com/images/2024/05/17/photo-of-the-day-123456.jpg",
        "https://www.example.com/world",
        "mailto:news@example.com",
        "javascript:void(0)",
    ],
)
def test_non_article_urls(url: str) -> None:
    assert not looks_like_article_url(url)


@pytest.mark.skipif(not DEV_SET.is_dir(), reason="shared feeds-dev data set not available")
def test_dev_set_urls_match_exactly() -> None:
    manifest = json.loads((DEV_SET / "manifest.json").read_text())
    failures = []
    for record in manifest["files"]:
        if record["size_bytes"] > 1_000_000:
            continue  # the two huge files are covered by bench/discovery.py
        result = parse_source((DEV_SET / record["file"]).read_bytes(), record["base_url"])
        got = result.sitemaps if record["format"] == "sitemapindex" else result.urls
        if got != record["expected_urls"]:
            failures.append(record["file"])
    assert failures == []


def test_decompress_multi_member_gzip() -> None:
    body = gzip.compress(b"<urlset><url><loc>https://m.example.com/1</loc></url>")
    body += gzip.compress(b"</urlset>")
    assert parse_source(body, "https://m.example.com/").urls == ["https://m.example.com/1"]


def test_simple_internal_entities_are_inlined_like_feedparser() -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY site "https://ent.example.com">'
    body += b'<!ENTITY ext SYSTEM "file:///etc/hostname">]><rss version="2.0"><channel>'
    body += b"<item><title>x&ext;</title><link>&site;/a/1</link></item></channel></rss>"
    result = parse_source(body, "https://x.example.com/")
    assert result.urls == ["https://ent.example.com/a/1"]
    assert result.links[0].title == "x"


def test_entity_inlining_refuses_to_amplify() -> None:
    value = "x" * 200
    body = f'<!DOCTYPE u [<!ENTITY big "{value}">]><urlset><url><loc>https://a.example.com/'
    body += "&big;" * 20_000 + "</loc></url></urlset>"
    start = time.perf_counter()
    result = parse_source(body.encode(), "https://a.example.com/")
    assert time.perf_counter() - start < 5  # generous: a regression takes minutes
    assert value not in repr(result)
