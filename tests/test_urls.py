"""Canonical URLs and ids: URL variants of one article map to one id."""

from __future__ import annotations

import pytest

from crawler.urls import article_id, canonical_url, registered_domain, same_site, url_key


@pytest.mark.parametrize(
    "variant",
    [
        "https://News.Example.com/2026/11/27/story/",
        "https://news.example.com/2026/11/27/story/?utm_source=rss&utm_medium=feed",
        "https://news.example.com/2026/11/27/story/#comments",
        "https://news.example.com:443/2026/11/27/story/?fbclid=abc123",
        "https://news.example.com/2026/11/27/story/?gclid=x&utm_campaign=y",
        "https://news.example.com/2026/11/27/story",
        "https://news.example.com/2026/11/27/story/amp/",
        "http://news.example.com/2026/11/27/story/",
    ],
)
def test_url_variants_share_one_id(variant: str) -> None:
    assert article_id(variant) == article_id("https://news.example.com/2026/11/27/story/")


def test_meaningful_query_parameters_are_kept_and_sorted() -> None:
    assert canonical_url("https://ex.com/a?b=2&id=7&utm_source=x") == "https://ex.com/a?b=2&id=7"
    assert url_key("https://ex.com/a?id=7") != url_key("https://ex.com/a?id=8")


def test_host_is_lower_cased_and_fragment_dropped() -> None:
    assert canonical_url("HTTP://EX.COM/Path#frag") == "http://ex.com/Path"


def test_ids_are_stable_hex() -> None:
    first = article_id("https://ex.com/a")
    assert first == article_id("https://ex.com/a") and len(first) == 20
    int(first, 16)


def test_registered_domain_uses_public_suffixes_offline() -> None:
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert same_site("https://a.example.com/", "https://b.example.com/x")
    assert not same_site("https://example.com/", "https://example.org/")
