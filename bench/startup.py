"""CLI start-up time: median wall time of `newsdedup --help`, and its slowest imports.

Usage: .venv/bin/python bench/startup.py [--runs 10] [--top 15] [--importtime]

The -X importtime breakdown is printed when the median is over the 0.5 s target, or always
with --importtime.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / ".venv" / "bin" / "newsdedup"
TARGET = 0.5  # seconds
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def wall_times(command: list[str], runs: int) -> list[float]:
    """Wall seconds of RUNS executions of COMMAND (after one warm-up run)."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def import_times() -> list[tuple[int, int, int, str]]:
    """(self us, cumulative us, depth, module) of every import `newsdedup --help` makes."""
    command = [sys.executable, "-X", "importtime", "-m", "crawler", "--help"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    rows = []
    for match in _LINE.finditer(done.stderr):
        own, cumulative, indent, module = match.groups()
        rows.append((int(own), int(cumulative), len(indent) // 2, module))
    return rows


def print_offenders(rows: list[tuple[int, int, int, str]], top: int) -> None:
    """The slowest top-level imports (cumulative) and modules (self time)."""
    total = sum(own for own, _, _, _ in rows) / 1e6
    print(f"  -X importtime: {len(rows)} modules, {total:.3f} s in imports")
    print(f"  top-level imports by cumulative time (top {top}):")
    roots = sorted((r for r in rows if r[2] == 0), key=lambda r: -r[1])
    for _, cumulative, _, module in roots[:top]:
        print(f"    {cumulative / 1e6:8.3f} s  {module}")
    print(f"  modules by self time (top {top}):")
    for own, _, _, module in sorted(rows, key=lambda r: -r[0])[:top]:
        print(f"    {own / 1e6:8.3f} s  {module}")


def main() -> None:
    """Time the entry point and explain it if slow."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs")
    parser.add_argument("--top", type=int, default=15, help="offenders listed")
    parser.add_argument("--importtime", action="store_true", help="always list imports")
    args = parser.parse_args()
    if not ENTRY.exists():
        raise SystemExit(f"{ENTRY} not found: run `make test` (or pip install -e .) first")
    times = wall_times([str(ENTRY), "--help"], args.runs)
    bare = statistics.median(wall_times([sys.executable, "-c", "pass"], args.runs))
    median = statistics.median(times)
    verdict = "ok" if median < TARGET else "SLOW"
    print(f"startup: `newsdedup --help`, median of {args.runs} runs")
    print(f"  median {median:.3f} s  min {min(times):.3f} s  max {max(times):.3f} s")
    print(f"  bare `python -c pass`: median {bare:.3f} s (newsdedup adds {median - bare:.3f} s)")
    print(f"  target < {TARGET} s: {verdict}")
    if median >= TARGET or args.importtime:
        print_offenders(import_times(), args.top)


if __name__ == "__main__":
    main()
