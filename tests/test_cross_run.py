"""Across runs: a near-duplicate of yesterday's article is dropped as its duplicate."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FAST, read_jsonl, run_cli
from localsite import Page, ScriptedSite, serve

_STORY = [
    "The regional water board approved a plan on Tuesday to replace forty kilometres of "
    "ageing pipes beneath the old town, a project engineers say will cut leaks by a third.",
    "Work will begin in March on the northern districts, where burst mains flooded two "
    "streets last winter and left hundreds of households without water for three days.",
    "The board's chair said the cost would be spread over six years and that bills would "
    "rise by less than two percent, a figure opposition members called optimistic.",
    "Residents will be told of closures a fortnight in advance, and temporary supplies will "
    "be arranged for the elderly and for businesses that depend on running water.",
    "A consultation on the second phase, covering the harbour quarter, opens next month and "
    "will run until the end of May, the board said in a statement after the vote.",
]


def _page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>{title}</title></head><body>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def _feed(path: str) -> bytes:
    return (
        f"<rss version='2.0'><channel><title>f</title><item><title>x</title>"
        f"<link>{{base}}{path}</link></item></channel></rss>"
    ).encode()


def test_run_two_drops_the_wire_copy_of_run_one(tmp_path: Path) -> None:
    edited = ["RIVERTON (Wire) - " + _STORY[0], *_STORY[1:4], _STORY[4].split(",")[0] + "."]
    pages = {
        "/one.xml": Page(_feed("/2026/11/26/water-pipes"), headers={"Content-Type": "text/xml"}),
        "/two.xml": Page(_feed("/2026/11/27/pipes-plan"), headers={"Content-Type": "text/xml"}),
        "/2026/11/26/water-pipes": Page(_page("Water board approves pipe plan", _STORY)),
        "/2026/11/27/pipes-plan": Page(_page("Old town to get new pipes", edited)),
    }
    out = tmp_path / "out"
    with serve(ScriptedSite(pages)) as site:
        first = run_cli("crawl", site.url("/one.xml"), "-o", str(out), "--workers", "1", *FAST)
        second = run_cli("crawl", site.url("/two.xml"), "-o", str(out), "--workers", "1", *FAST)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    [kept] = read_jsonl(out)
    [dup] = read_jsonl(out, "duplicates-*.jsonl")
    assert kept["url"].endswith("/water-pipes") and dup["url"].endswith("/pipes-plan")
    assert dup["reason"] in ("near", "contained", "lead") and dup["duplicate_of"] == kept["id"]
    assert dup["cluster_id"] == kept["cluster_id"] and dup["duplicate_of_source"].endswith(
        "one.xml"
    )
    assert "state=1" in second.stderr


def test_retention_evicts_and_reports(tmp_path: Path) -> None:
    pages = {
        "/one.xml": Page(_feed("/2026/11/26/water-pipes"), headers={"Content-Type": "text/xml"}),
        "/2026/11/26/water-pipes": Page(_page("Water board approves pipe plan", _STORY)),
    }
    out = tmp_path / "out"
    with serve(ScriptedSite(pages)) as site:
        run_cli("crawl", site.url("/one.xml"), "-o", str(out), "--workers", "1", *FAST)
        again = run_cli(
            "crawl",
            site.url("/one.xml"),
            "-o",
            str(out),
            "--workers",
            "1",
            "--retention",
            "0.0000001",
            *FAST,
        )
    assert "evicted_articles=1" in again.stderr
    run = json.loads(sorted(out.glob("run-*.json"))[-1].read_text(encoding="utf-8"))
    assert run["state"]["evicted"]["articles"] == 1
