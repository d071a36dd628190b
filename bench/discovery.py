"""Benchmark parse_source against the feeds-dev manifest: exact-match share, recall, precision."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.discovery import parse_source

DEFAULT_DATA = Path("/work/shared/data/feeds-dev")


@dataclass
class Score:
    """Counts for one format (or the total)."""

    files: int = 0
    exact: int = 0
    crashes: int = 0
    expected: int = 0
    found: int = 0
    hits: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        """Accumulate another score into this one."""
        for name in ("files", "exact", "crashes", "expected", "found", "hits", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures


def normalise(urls: list[str]) -> list[str]:
    """Stripped, absolute http(s), de-duplicated in order (the scoring convention)."""
    seen: dict[str, None] = {}
    for url in urls:
        url = url.strip()
        if url.lower().startswith(("http://", "https://")):
            seen.setdefault(url, None)
    return list(seen)


def score_file(root: Path, record: dict[str, Any]) -> Score:
    """Parse one manifest file and compare its URLs with expected_urls."""
    body = (root / record["file"]).read_bytes()
    expected = record["expected_urls"]
    score = Score(files=1, expected=len(expected))
    start = time.perf_counter()
    try:
        result = parse_source(body, record["base_url"])
    except Exception as exc:  # a crash is what we measure
        score.crashes = 1
        score.failures.append(f"{record['file']}: CRASH {exc!r}")
        return score
    score.seconds = time.perf_counter() - start
    urls = result.sitemaps if record["format"] == "sitemapindex" else result.urls
    got = normalise(urls)
    score.found, score.hits = len(got), len(set(got) & set(expected))
    if got == expected:
        score.exact = 1
    else:
        missing = [u for u in expected if u not in set(got)][:3]
        extra = [u for u in got if u not in set(expected)][:3]
        score.failures.append(
            f"{record['file']}: got {len(got)} want {len(expected)} "
            f"kind={result.kind} err={result.error} missing={missing} extra={extra}"
        )
    return score


def _pct(num: int, den: int) -> str:
    """Percentage with one decimal, 100% for 0/0."""
    return f"{100.0 * num / den:6.2f}%" if den else "100.00%"


def main() -> None:
    """Run the benchmark and print a table per format plus totals."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("-v", "--verbose", action="store_true", help="list failing files")
    args = parser.parse_args()
    manifest = json.loads((args.data / "manifest.json").read_text())
    per_format: dict[str, Score] = defaultdict(Score)
    for record in manifest["files"]:
        per_format[record["format"]].add(score_file(args.data, record))
    total = Score()
    header = f"{'format':<13}{'files':>6}{'exact':>9}{'recall':>9}{'precision':>11}"
    print(header + f"{'crashes':>9}{'ms':>9}")
    for name in [*sorted(per_format), "TOTAL"]:
        row = total if name == "TOTAL" else per_format[name]
        if name != "TOTAL":
            total.add(row)
        print(
            f"{name:<13}{row.files:>6}{_pct(row.exact, row.files):>9}"
            f"{_pct(row.hits, row.expected):>9}{_pct(row.hits, row.found):>11}"
            f"{row.crashes:>9}{1000 * row.seconds:>9.1f}"
        )
    print(f"exact files: {total.exact}/{total.files}")
    for failure in total.failures if args.verbose else []:
        print("  FAIL", failure)


if __name__ == "__main__":
    main()
