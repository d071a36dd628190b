"""Run files, output options and per-source policy, through `newsdedup crawl`."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from conftest import FAST, run_cli

HERALD = "/herald/feed.xml"


def test_run_file_reports_each_source_and_the_dead_one(demo_server: Any, tmp_path: Path) -> None:
    feed, dead = demo_server.url(HERALD), demo_server.url("/gone/feed.xml")
    result = run_cli("crawl", feed, dead, "-o", str(tmp_path), "--workers", "1", *FAST)
    assert result.returncode == 1 and dead in result.stderr
    [run_path] = tmp_path.glob("run-*.json")
    run = json.loads(run_path.read_text(encoding="utf-8"))
    assert run["exit_code"] == 1 and run["totals"]["new"] == 13
    good, bad = run["sources"][feed], run["sources"][dead]
    assert good["status"] == "ok" and good["kind"] == "feed" and good["urls_found"] == 13
    assert good["new"] == 13 and good["median_text_chars"] > 500 and good["previous"] is None
    assert bad["status"] == "failed:http_404" and bad["http_errors"] == {"404": 1}
    assert bad["flags"] == ["failed"]


def test_second_run_file_compares_with_the_first(demo_server: Any, tmp_path: Path) -> None:
    args = ("crawl", demo_server.url(HERALD), "-o", str(tmp_path), "--workers", "1", *FAST)
    run_cli(*args)
    run_cli(*args)
    latest = json.loads(sorted(tmp_path.glob("run-*.json"))[-1].read_text(encoding="utf-8"))
    source = latest["sources"][demo_server.url(HERALD)]
    assert source["skipped_seen"] == 13 and source["new"] == 0
    assert source["previous"]["new"] == 13 and source["flags"] == []


def test_stdout_output_parses_and_no_articles_file(demo_server: Any, tmp_path: Path) -> None:
    result = run_cli(
        "crawl", demo_server.url(HERALD), "-o", str(tmp_path), "--stdout", "--workers", "1", *FAST
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 13 and all(r["text"] for r in records)
    assert list(tmp_path.glob("articles-*")) == []


def test_gzip_and_daily_partition(demo_server: Any, tmp_path: Path) -> None:
    result = run_cli(
        "crawl",
        demo_server.url(HERALD),
        "-o",
        str(tmp_path),
        "--gzip",
        "--partition",
        "daily",
        "--workers",
        "1",
        *FAST,
    )
    assert result.returncode == 0, result.stderr
    [path] = tmp_path.glob("20*-*-*/articles-*.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        assert len([json.loads(line) for line in handle]) == 13


def test_sources_file_policy_filters_urls(demo_server: Any, tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[[sources]]\nurl = "{demo_server.url(HERALD)}"\nname = "Herald"\n'
        'allow = ["/2026/11/1"]\ndeny = ["harbour"]\n',
        encoding="utf-8",
    )
    result = run_cli(
        "crawl", "--config", str(config), "-o", str(tmp_path / "out"), "--workers", "1", *FAST
    )
    assert result.returncode == 0, result.stderr
    urls = [
        json.loads(line)["url"]
        for path in (tmp_path / "out").glob("articles-*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert urls and all("/2026/11/1" in u and "harbour" not in u for u in urls)
    assert "not_allowed_url=" in result.stderr and "denied_url=" in result.stderr
