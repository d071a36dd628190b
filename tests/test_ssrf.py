"""SSRF: links from a named loopback feed may not reach other private hosts, even by redirect."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FAST, read_jsonl, run_cli
from localsite import Page, ScriptedSite, serve

from crawler.ssrf import is_public

_PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the named source's own story: the {word} council met on day {n} "
    f"and agreed that item {n * 7} of the {word} budget would be reviewed again next year.</p>"
    for n, word in enumerate(["harbour", "river", "school", "library", "market", "railway"])
)
ARTICLE = (
    "<html lang='en'><head><title>Ok story</title></head><body><article><h1>Ok story</h1>"
    f"{_PARAGRAPHS}</article></body></html>"
).encode()


def _feed(*links: str) -> bytes:
    items = "".join(
        f"<item><title>t{i}</title><link>{u}</link></item>" for i, u in enumerate(links)
    )
    channel = f"<channel><title>f</title>{items}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("127.0.0.2", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("192.168.0.1", False),
        ("::1", False),
        ("224.0.0.1", False),
        ("::ffff:127.0.0.1", False),
    ],
)
def test_address_classes(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_private_links_and_redirect_hops_are_refused(tmp_path: Path) -> None:
    victim = ScriptedSite(
        {"/secret": Page(b"internal"), "/hop": Page(b"internal")}, host="127.0.0.2"
    )
    with serve(victim):
        pages = {
            "/robots.txt": Page(b"", 404),
            "/feed.xml": Page(
                _feed(
                    "{base}/ok-story-2026",
                    victim.url("/secret"),
                    "http://169.254.169.254/latest/meta-data/",
                    "{base}/redirect-2026",
                ),
                headers={"Content-Type": "application/rss+xml"},
            ),
            "/ok-story-2026": Page(ARTICLE),
            "/redirect-2026": Page(b"", 302, {"Location": victim.url("/hop")}),
        }
        with serve(ScriptedSite(pages)) as source:
            result = run_cli(
                "crawl", source.url("/feed.xml"), "-o", str(tmp_path), "--workers", "1", *FAST
            )
        assert victim.hits == []
    assert result.returncode == 0, result.stderr
    assert [r["url"] for r in read_jsonl(tmp_path)] == [source.url("/ok-story-2026")]
    assert "private_address=3" in result.stderr
