"""CPU-time speed of near-duplicate detection: text_signature, find and add, per dev file.

Usage: .venv/bin/python bench/dedup_speed.py [--data-dir DIR] [--repeats 3] [FILE ...]
Each repeat feeds every text of a file through text_signature + find (+ add when no match)
into a fresh in-memory index; prints medians over the repeats of CPU docs/s (time.process_time)
per part and in total, and each part's share of the total. One process, one core.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.neardup import NearDupConfig, NearDupIndex, text_signature

DATA = Path("/work/shared/data/neardup-dev")
PARTS = ("signature", "find", "add")


def run_once(texts: list[str], config: NearDupConfig) -> dict[str, float]:
    """CPU seconds spent in each part for one pass over texts (fresh index)."""
    conn = sqlite3.connect(":memory:")
    NearDupIndex.create_schema(conn)
    index = NearDupIndex(conn, config)
    spent = dict.fromkeys(PARTS, 0.0)
    clock = time.process_time
    start = clock()
    for i, text in enumerate(texts):
        t0 = clock()
        sig = text_signature(text, config)
        t1 = clock()
        match = index.find(sig)
        t2 = clock()
        if match is None:
            index.add(str(i), sig, float(i))
        spent["signature"] += t1 - t0
        spent["find"] += t2 - t1
        spent["add"] += clock() - t2
    spent["total"] = clock() - start
    conn.close()
    return spent


def _row(name: str, n: int, runs: list[dict[str, float]]) -> str:
    """One line: median docs/s per part and in total, and each part's share of the total."""
    med = {part: statistics.median(run[part] for run in runs) for part in (*PARTS, "total")}
    rates = " ".join(f"{part}={n / med[part]:>6.0f}" for part in PARTS)
    shares = " ".join(f"{part}={med[part] / med['total']:.0%}" for part in PARTS)
    total = n / med["total"]
    return f"{name:6} {n:4} docs  total={total:>5.0f} docs/s | {rates} docs/s | share {shares}"


def main() -> None:
    """Time every dev file (or the named ones) and print one row per file."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*", help="dev file stems (default: all in --data-dir)")
    ap.add_argument("--data-dir", type=Path, default=DATA)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    paths = [a.data_dir / f"{stem}.jsonl" for stem in a.files]
    config = NearDupConfig()
    print(f"CPU docs/s (time.process_time), median of {a.repeats}; add runs only when no match")
    for path in paths or sorted(a.data_dir.glob("*.jsonl")):
        with path.open() as fh:
            texts = [str(json.loads(line)["text"]) for line in fh]
        run_once(texts[:50], config)  # warm caches and imports
        runs = [run_once(texts, config) for _ in range(a.repeats)]
        print(_row(path.stem, len(texts), runs), flush=True)


if __name__ == "__main__":
    main()
