"""End to end: `newsdedup crawl` against the demo site served on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FAST, REPO, read_jsonl, run_cli

SCHEMA = json.loads((REPO / "crawler/schema/article.schema.json").read_text(encoding="utf-8"))
FEEDS = ("/herald/feed.xml", "/tribune/atom.xml")


@pytest.fixture(scope="module")
def two_runs(demo_server: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Crawl the demo feeds twice into one output folder; record hits of the second run."""
    out = tmp_path_factory.mktemp("out")
    feeds = [demo_server.url(path) for path in FEEDS]
    args = ["crawl", *feeds, "--output", str(out), "--workers", "2", *FAST]
    first = run_cli(*args)
    demo_server.clear_hits()
    second = run_cli(*args)
    hits = list(demo_server.hits)
    return {"out": out, "first": first, "second": second, "hits": hits, "feeds": feeds}


def test_first_run_writes_every_distinct_article(two_runs: dict[str, Any]) -> None:
    first = two_runs["first"]
    assert first.returncode == 0, first.stderr
    articles = read_jsonl(two_runs["out"])
    assert len(articles) == 24
    assert len({a["id"] for a in articles}) == 24
    assert "new=24" in first.stderr


def test_output_validates_against_the_schema(two_runs: dict[str, Any]) -> None:
    for record in read_jsonl(two_runs["out"]):
        jsonschema.validate(record, SCHEMA)
        assert "\n" in record["text"] and record["title"] not in record["text"].split("\n")[0:1]


def test_furniture_is_not_in_the_text(two_runs: dict[str, Any]) -> None:
    furniture = ("Leave a Reply", "Back to top", "Related Articles", "Share", "cookies")
    for record in read_jsonl(two_runs["out"]):
        lines = record["text"].split("\n")
        assert not [line for line in lines if line.strip().startswith(furniture)], record["url"]


def test_wire_copy_and_tracking_repost_are_duplicates(two_runs: dict[str, Any]) -> None:
    dups = read_jsonl(two_runs["out"], "duplicates-*.jsonl")
    reasons = sorted(d["reason"] for d in dups)
    assert reasons == ["near", "url"]
    kept = {a["id"] for a in read_jsonl(two_runs["out"])}
    assert all(d["duplicate_of"] in kept for d in dups)
    near = next(d for d in dups if d["reason"] == "near")
    assert 0 < near["similarity"] < 1
    assert {near["source"], near["duplicate_of_source"]} == {
        two_runs["feeds"][0],
        two_runs["feeds"][1],
    }


def test_second_run_emits_nothing_and_fetches_no_article(two_runs: dict[str, Any]) -> None:
    second = two_runs["second"]
    assert second.returncode == 0, second.stderr
    assert "new=0" in second.stderr and "articles=0" in second.stderr, second.stderr
    article_hits = [h for h in two_runs["hits"] if "/2026/" in h]
    assert article_hits == [], (second.stderr, two_runs["first"].stderr)
    assert sorted(h for h in two_runs["hits"] if h != "/robots.txt") == sorted(FEEDS)
    assert len(read_jsonl(two_runs["out"])) == 24


def test_url_list_from_a_file(demo_server: Any, tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    url = demo_server.url("/herald/2026/11/10/council-approves-harbour-dredging-plan/")
    listing.write_text(f"# one article\n{url}\n\n", encoding="utf-8")
    result = run_cli("crawl", f"@{listing}", "-o", str(tmp_path / "out"), "--workers", "1", *FAST)
    assert result.returncode == 0, result.stderr
    [record] = read_jsonl(tmp_path / "out")
    assert record["url"] == url and record["source"] == "urls.txt"


def test_dead_source_exits_1_and_is_named(demo_server: Any, tmp_path: Path) -> None:
    dead = demo_server.url("/no-such-feed.xml")
    result = run_cli("crawl", dead, "-o", str(tmp_path), "--workers", "1", *FAST)
    assert result.returncode == 1
    assert "failed sources" in result.stderr and dead in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "ftp://example.com/feed"], "not an http(s) URL"),
        (["crawl", "--kind", "nope", "http://x.test/"], "Invalid value"),
        (["crawl", "@/no/such/file.txt"], "cannot read URL list"),
        (["crawl", "http://x.test/", "-s", "NOEQUALS"], "NAME=VALUE"),
        (["crawl"], "no sources"),
    ],
)
def test_bad_usage_exits_2_with_a_message(args: list[str], message: str, tmp_path: Path) -> None:
    result = run_cli(*args, "-o", str(tmp_path)) if args[-1] != "crawl" else run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_foreign_state_file_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    state.write_bytes(b"not sqlite" * 200)
    result = run_cli(
        "crawl", "http://127.0.0.1:9/feed.xml", "--state", str(state), "-o", str(tmp_path)
    )
    assert result.returncode == 2
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
