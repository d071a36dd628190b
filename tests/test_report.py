"""`newsdedup report`: data loading, the HTML page, escaping, the page as Chromium renders it."""

from __future__ import annotations

import gzip
import json
import struct
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import click
import pytest
from chromium import dump_dom, require_chromium, screenshot
from click.testing import CliRunner, Result

from crawler.report import load_report, word_diff

A, B = "https://a.example/feed.xml", "https://b.example/news-sitemap.xml"
EVIL = '<script>alert("owned")</script> Budget & "cuts"'
KEPT_TEXT = "The council voted on Monday to approve the new harbour budget for next year."
DUP_TEXT = "The council voted on Tuesday to approve the revised harbour budget for next year."


def _article(n: int, source: str, day: str, **extra: Any) -> dict[str, Any]:
    """A minimal article record."""
    record = {"id": f"id{n}", "url": f"https://{source[8:9]}.example/{n}/", "source": source}
    record |= {"title": f"Story {n}", "published": f"{day}T09:00:00+00:00", "text": "word " * 40}
    return record | extra


def _write_jsonl(path: Path, records: list[dict[str, Any]], extra: str = "") -> None:
    """Write RECORDS one per line (gzip when the name ends in .gz), plus EXTRA raw text."""
    text = "".join(json.dumps(r) + "\n" for r in records) + extra
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")


def _source(status: str, found: int, new: int, flags: list[str], **extra: Any) -> dict[str, Any]:
    """A run file's per-source record."""
    previous = {"urls_found": 12, "new": 6, "median_text_chars": 900, "duplicates": {}}
    record = {"status": status, "kind": "feed", "urls_found": found, "new": new}
    record |= {"skipped_seen": 0, "duplicates": {}, "dropped": {}, "http_errors": {}}
    record |= {"blocked": 0, "median_text_chars": 880, "previous": previous, "flags": flags}
    return record | extra


def _run(stamp: str, code: int, sources: dict[str, Any]) -> dict[str, Any]:
    """A run file."""
    totals = {"pages": 9, "new": 5, "duplicates": {"near": 2}, "errors": {"http_404": 1}}
    return {"run": stamp, "exit_code": code, "elapsed_s": 2.5, "totals": totals, "sources": sources}


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """Two sources over three days, a 4-copy cluster, a 2-copy cluster and two run files."""
    folder = tmp_path / "out"
    first = [_article(1, A, "2026-11-25", title=EVIL, text=KEPT_TEXT), _article(2, A, "2026-11-25")]
    fetched = {"published": None, "fetched_at": "2026-11-26T23:00:00+00:00"}
    first += [_article(3, B, "2026-11-26"), _article(4, B, "", **fetched)]
    _write_jsonl(folder / "articles-20261126T100000Z.jsonl", first, extra="{not json\n")
    later = [_article(5, A, "2026-11-27"), _article(6, B, "2026-11-27", text=DUP_TEXT)]
    _write_jsonl(folder / "2026-11-27" / "articles-20261127T100000Z.jsonl.gz", later)
    dups = [
        {"id": "id6", "title": "Story 6", "source": B, "reason": "near", "similarity": 0.83},
        {
            "id": "id7",
            "url": "javascript:alert(1)",
            "source": B,
            "reason": "near",
            "similarity": 0.81,
        },
        {"id": "id1", "title": EVIL, "source": B, "reason": "url", "similarity": 1.0},
        {"id": "id8", "source": A, "reason": "exact", "similarity": 1.0, "text": "x y"},
    ]
    for dup in dups[:3]:
        dup |= {"duplicate_of": "id1", "cluster_id": "id1", "duplicate_of_url": "https://a/1/"}
    dups[3]["cluster_id"] = "id3"
    _write_jsonl(folder / "duplicates-20261127T100000Z.jsonl", dups)
    old = {A: _source("ok", 12, 6, []), B: _source("ok", 12, 6, [])}
    (folder / "run-20261126T100000Z.json").write_text(json.dumps(_run("20261126T100000Z", 0, old)))
    failed = _source("failed:http_404", 0, 0, ["failed"], http_errors={"404": 1, "503": 2})
    collapsed = _source("ok", 1, 1, ["yield_collapsed"], blocked=3)
    latest = _run("20261127T100000Z", 1, {A: failed, B: collapsed})
    (folder / "run-20261127T100000Z.json").write_text(json.dumps(latest))
    return folder


def _report(*args: str) -> Result:
    """Run `newsdedup report ARGS` (through the CLI group once `report` is registered)."""
    from crawler.cli import cli

    command: click.Command = cli if "report" in cli.commands else _command()
    prefix = ["report"] if command is cli else []
    return CliRunner().invoke(command, [*prefix, *args], catch_exceptions=False)


def _command() -> click.Command:
    """The report command itself."""
    from crawler.commands.report import report

    return report


def test_load_report_streams_every_file(output: Path) -> None:
    data = load_report(output, top=10)
    assert [f.name for f in data.files][:2] == sorted(f.name for f in data.files[:2])
    assert data.articles == 6 and len(data.files) == 5 and len(data.runs) == 2
    assert data.per_source == {A: 3, B: 3}
    assert data.per_day == {"2026-11-25": 2, "2026-11-26": 2, "2026-11-27": 2}  # 4: fetched_at
    assert data.duplicates == {"near": 2, "url": 1, "exact": 1} and data.bad_lines == 1
    big, small = data.clusters
    assert big.kept.id == "id1" and big.kept.text == KEPT_TEXT and len(big.members) == 3
    texts = {m.id: m.text for m in big.members}
    assert texts == {"id6": DUP_TEXT, "id7": None, "id1": None}  # looked up; absent; same page
    assert small.kept.title == "Story 3" and small.members[0].text == "x y"


def test_word_diff_marks_only_changed_words() -> None:
    left, right = word_diff(KEPT_TEXT, DUP_TEXT)
    assert [t for changed, t in left if changed] == ["Monday", "new"]
    assert [t for changed, t in right if changed] == ["Tuesday", "revised"]


def test_report_page_has_every_section(output: Path) -> None:
    result = _report(str(output))
    assert result.exit_code == 0, result.output
    page = (output / "report.html").read_text(encoding="utf-8")
    assert f"report written to {output / 'report.html'}" in result.stderr
    for heading in ("Sources in trouble", "Articles per source and per day", "Recent runs"):
        assert f"<h2>{heading}</h2>" in page or f"<h3>{heading}</h3>" in page
    assert "Largest duplicate clusters" in page and page.count('class="cluster"') == 2
    assert "failed:http_404" in page and "yield_collapsed" in page and "blocked 3 times" in page
    assert "404: 1, 503: 2" in page and "was 12" in page
    assert "<del>Monday</del>" in page and "<ins>Tuesday</ins>" in page
    assert "no text for the duplicate" in page and "same canonical URL" in page
    assert page.count("<svg") == 2 and "<script" not in page and "http" not in _external(page)


def _external(page: str) -> str:
    """What the page would load from elsewhere (src= and url(...) references)."""
    return " ".join(part for part in page.split() if part.startswith(("src=", "url(")))


def test_titles_and_texts_are_escaped(output: Path) -> None:
    _report(str(output))
    page = (output / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "alert(&quot;owned&quot;)" in page
    assert "javascript:alert(1)" in page and 'href="javascript' not in page
    escaped = "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Budget &amp; &quot;cuts&quot;"
    assert escaped in page


def test_output_file_and_top(output: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.html"
    result = _report(str(output), "-o", str(target), "--top", "1")
    assert result.exit_code == 0 and target.is_file() and not (output / "report.html").exists()
    page = target.read_text(encoding="utf-8")
    assert page.count('class="cluster"') == 1 and "1 smaller cluster(s) not shown" in page


def test_damaged_files_are_skipped_not_fatal(output: Path) -> None:
    (output / "run-20261128T000000Z.json").write_text('{"run": "x", "sources": [1], "totals": 3}')
    (output / "run-20261129T000000Z.json").write_text("{half a file")
    bad = {"sources": {A: {"flags": "oops", "duplicates": {"near": "2"}, "previous": 7}}}
    (output / "run-20261130T000000Z.json").write_text(json.dumps(bad))
    result = _report(str(output))
    assert result.exit_code == 0, result.output
    assert "2 unreadable line(s) skipped" in (output / "report.html").read_text(encoding="utf-8")


def test_empty_or_missing_folder_exits_2(tmp_path: Path) -> None:
    for folder in (tmp_path, tmp_path / "missing"):
        result = _report(str(folder))
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("newsdedup: error: ")


class _VisibleText(HTMLParser):
    """Collect the text a reader sees (not style/script/title), and any script element."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.hidden += tag in ("style", "script", "title")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "script", "title")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def test_chromium_renders_the_report(output: Path, tmp_path: Path) -> None:
    binary = require_chromium()
    _report(str(output))
    parser = _VisibleText()
    parser.feed(dump_dom(binary, output / "report.html"))
    text = " ".join(" ".join(parser.parts).split())
    assert parser.scripts == 0 and '<script>alert("owned")</script> Budget & "cuts"' in text
    for expected in ("Sources in trouble", "failed:http_404", "yield_collapsed", "2026-11-27"):
        assert expected in text
    assert "ARTICLES 6" in text.upper() and "Monday" in text and "Tuesday" in text
    png = tmp_path / "report.png"
    screenshot(binary, output / "report.html", png, (1280, 900))
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", header[16:24]) == (1280, 900)


def test_many_sources_and_big_clusters(tmp_path: Path) -> None:
    sources = [f"https://s{n}.example/feed.xml" for n in range(12)]
    articles = [_article(n, sources[n % 12], f"2026-11-{n % 28 + 1:02d}") for n in range(60)]
    _write_jsonl(tmp_path / "articles-20261127T100000Z.jsonl", articles)
    dups = [{"id": f"d{n}", "duplicate_of": "id0", "reason": "near"} for n in range(30)]
    _write_jsonl(tmp_path / "duplicates-20261127T100000Z.jsonl", dups)
    assert _report(str(tmp_path)).exit_code == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "s11.example/feed.xml" in page and "and 18 more" in page and ">other<" in page


def test_chromium_missing_skips_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    import chromium

    monkeypatch.setattr(chromium, "find_chromium", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NEWSDEDUP_INSTALL_CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        chromium.require_chromium()
