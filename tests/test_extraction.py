"""Tests for pipelines.extraction: body quality floors, metadata, dates and NoArticle."""

from __future__ import annotations

import gzip
import json
import pickle
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.extraction import ExtractedArticle, NoArticle, extract_article

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction-dev"
TOKEN = re.compile(r"\w+")
FURNITURE = (
    "Leave a Reply",
    "Back to top",
    "Related Articles",
    "Share this",
    "Share on Facebook",
    "We use cookies",
    "Your email address",
    "Previous article",
    "All Rights Reserved",
    "Most Popular",
    "Breaking News",
    "Printer-friendly",
    "Story continues below",
    "Listen to this article",
    "newsletter",
    "in your inbox",
    "Contact Walter Pruitt",
    "Advertisement",
)


def shingle_f1(truth: str, pred: str) -> float:
    """Token 4-shingle F1 of the extraction benchmark for one page."""

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        toks = TOKEN.findall(text)
        return Counter(tuple(toks[i : i + 4]) for i in range(max(len(toks) - 3, 1)))

    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    return 2 * tp / (sum(t.values()) + sum(p.values())) if tp else 0.0


def page(name: str) -> bytes:
    """Raw bytes of a fixture page."""
    return (FIXTURES / name).read_bytes()


def html_with(head: str, body: str) -> str:
    """A minimal page with a long enough article body."""
    para = "<p>" + "The committee met again on Thursday to discuss the new plan. " * 6 + "</p>"
    return f"<html><head>{head}</head><body><article>{para}{para}{body}</article></body></html>"


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("wp_news", 0.97),
        ("headless_blog", 0.97),
        ("fr_magazine", 0.97),
        ("table_2008", 0.97),
        ("modern_2025", 0.97),
    ],
)
def test_fixture_pages_meet_quality_floor(name: str, floor: float) -> None:
    article = extract_article(page(f"{name}.html"), "https://site.example/a/")
    expected = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    assert shingle_f1(expected, article.text) >= floor


@pytest.mark.parametrize("name", ["wp_news", "headless_blog", "table_2008", "modern_2025"])
def test_site_furniture_is_removed_and_body_kept(name: str) -> None:
    article = extract_article(page(f"{name}.html"), "https://site.example/a/")
    lowered = article.text.lower()
    assert not [phrase for phrase in FURNITURE if phrase.lower() in lowered]
    assert article.title and article.title not in article.text
    expected = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    assert article.text.splitlines()[0] == expected[0]
    assert article.text.splitlines()[-1] == expected[-1]


def test_metadata_of_wordpress_page() -> None:
    url = "https://courier.example/transport/valley-tram-reopens/?utm_source=feed"
    article = extract_article(page("wp_news.html"), url)
    assert article.title == "Valley tram line to reopen after flood repairs"
    assert article.author == "Ines Marlow"
    assert article.sitename == "Northbank Courier"
    assert article.language == "en"
    assert article.canonical_url == "https://courier.example/transport/valley-tram-reopens/"
    assert article.image == "https://courier.example/uploads/2024/05/tram.jpg"


def test_layout_table_page_of_2008() -> None:
    article = extract_article(page("table_2008.html"), "http://herald.example/news/123.html")
    assert article.title == "County fair breaks attendance record"
    assert (article.published, article.published_source) == ("2008-08-18", "htmldate")
    assert "|" not in article.text
    assert article.tags == ["county fair", "attendance", "Millbrook"]


def test_declared_latin1_charset_and_detected_language() -> None:
    article = extract_article(page("fr_magazine.html"))
    assert "Après dix-huit mois" in article.text
    assert article.language == "fr"
    assert (article.published, article.published_source) == ("2023-11-02", "meta")


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "cp1252"])
def test_bytes_are_decoded_robustly(codec: str) -> None:
    html = html_with("", "<p>Caf\u00e9 owners welcomed the na\u00efve plan.</p>")
    if codec == "cp1252":
        html = html.replace("<head>", '<head><meta charset="windows-1252">')
    article = extract_article(html.encode(codec))
    assert "Caf\u00e9 owners welcomed the na\u00efve plan." in article.text


def test_json_ld_date_beats_meta_and_stray_footer_date() -> None:
    article = extract_article(page("wp_news.html"), "https://courier.example/x")
    assert article.published == "2024-05-14T08:15:00+00:00"
    assert article.published_source == "json-ld"


def test_future_date_is_rejected() -> None:
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    head = f'<meta property="article:published_time" content="{future}">'
    article = extract_article(html_with(head, f"<footer>{future}</footer>"))
    assert article.published is None or article.published < future


def test_feed_fallback_used_when_page_has_no_date() -> None:
    fallbacks = {"published": "Tue, 05 Mar 2024 10:00:00 +0000", "title": "Feed title"}
    article = extract_article(html_with("", ""), fallbacks=fallbacks)
    assert article.published == "2024-03-05T10:00:00+00:00"
    assert article.published_source == "feed"
    assert article.title == "Feed title"


def test_feed_fallback_ignored_when_page_has_a_date() -> None:
    head = '<meta property="article:published_time" content="2024-01-02T03:04:05Z">'
    article = extract_article(html_with(head, ""), fallbacks={"published": "2024-03-05"})
    assert (article.published, article.published_source) == ("2024-01-02T03:04:05+00:00", "meta")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "empty_body"),
        (b"   \n ", "empty_body"),
        (b"%PDF-1.7 binary", "not_html"),
        (b"\xff\xd8\xff\xe0 jpeg bytes <html>", "not_html"),
        ("just some plain words, no markup at all", "not_html"),
        ("<html><body>   </body></html>", "empty_body"),
        ("<html><body><p>Too short to be an article.</p></body></html>", "too_short"),
    ],
)
def test_no_article_reasons(payload: bytes | str, reason: str) -> None:
    with pytest.raises(NoArticle) as excinfo:
        extract_article(payload)
    assert excinfo.value.reason == reason


def test_script_rendered_page_falls_back_to_json_ld_article_body() -> None:
    paragraphs = [
        "The tide tables for the estuary have been rewritten after a survey found the channel "
        "had shifted almost forty metres to the east since the last charts were drawn.",
        "Harbour master Leila Odum said small boats should keep to the marked buoys until the "
        "new charts are printed next month.",
    ]
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "Estuary charts redrawn",
            "articleBody": "<p>" + "</p><p>".join(paragraphs) + "</p>",
            "datePublished": "2025-06-01",
        }
    )
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        '<nav><a href="/">Home</a> <a href="/news">News</a></nav><div id="root"></div>'
        "<noscript>Please enable JavaScript.</noscript></body></html>"
    )
    article = extract_article(html)
    assert article.text == "\n".join(paragraphs)
    assert (article.published, article.published_source) == ("2025-06-01", "json-ld")


def test_extract_article_is_picklable_and_result_is_plain_data() -> None:
    assert pickle.loads(pickle.dumps(extract_article)) is extract_article
    article = extract_article(page("headless_blog.html"))
    assert isinstance(pickle.loads(pickle.dumps(article)), ExtractedArticle)
    assert all(isinstance(line, str) and reason for line, reason in article.removed)


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared extraction-dev set not available")
def test_dev_sample_f1_floor() -> None:
    truth = json.loads((DEV_SET / "ground-truth.json").read_text(encoding="utf-8"))
    scores = []
    for page_id in sorted(truth)[:30]:
        html = gzip.decompress((DEV_SET / "html" / f"{page_id}.html.gz").read_bytes())
        text = extract_article(html, truth[page_id]["url"]).text
        scores.append(shingle_f1(truth[page_id]["articleBody"], text))
    assert sum(scores) / len(scores) >= 0.95
