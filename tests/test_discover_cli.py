"""`newsdedup discover`: URLs in document order, local files read alone, bad bytes explained."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import REPO, run_cli

FEEDS = REPO / "tests/fixtures/feeds"


def test_local_sitemap_index_yields_child_sitemaps() -> None:
    result = run_cli("discover", str(FEEDS / "sitemap_index.xml"))
    assert result.returncode == 0, result.stderr
    urls = result.stdout.split()
    assert urls and all(u.startswith("http") for u in urls)


def test_gzipped_local_sitemap_is_read() -> None:
    result = run_cli("discover", str(FEEDS / "sitemap-news.xml.gz"))
    assert result.returncode == 0 and result.stdout.strip(), result.stderr


def test_relative_links_resolve_against_base_url() -> None:
    result = run_cli(
        "discover",
        str(FEEDS / "atom_xml_base.xml"),
        "--base-url",
        "https://base.example/feeds/atom.xml",
        "--jsonl",
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(r["url"].startswith("http") and "source" in r for r in records)


def test_html_is_not_a_feed_exit_0_with_reason() -> None:
    result = run_cli("discover", str(FEEDS / "not_a_feed.html"))
    assert result.returncode == 0
    assert result.stdout == "" and "nothing found" in result.stderr


def test_feed_url_over_http_is_deduplicated_in_order(demo_server: Any) -> None:
    feed = demo_server.url("/tribune/atom.xml")
    demo_server.clear_hits()
    result = run_cli("discover", feed, feed)
    assert result.returncode == 0, result.stderr
    urls = result.stdout.split()
    assert len(urls) == len(set(urls)) == 13
    assert not [h for h in demo_server.hits if "/2026/" in h]


def test_sitemap_index_url_is_followed(demo_server: Any) -> None:
    result = run_cli("discover", demo_server.url("/sitemap.xml"))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) >= 24


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("discover", str(tmp_path / "nope.xml"))
    assert result.returncode == 2 and "cannot read" in result.stderr
