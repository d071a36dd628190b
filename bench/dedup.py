"""Benchmark near-duplicate detection on labelled JSONL; optionally a 1M-article SQLite index.

Usage: .venv/bin/python bench/dedup.py [--data-dir DIR] [--big N]
Each (file, config) runs in its own subprocess so peak RSS is per run.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.minhash import NearDupConfig  # noqa: E402  (after sys.path setup)
from pipelines.offline import dedup_jsonl  # noqa: E402

DATA = Path("/work/shared/data/neardup-dev")
SWEEP: dict[str, dict[str, Any]] = {
    "default": {},
    "cont0.5": {"threshold": 0.5},
    "cont0.6": {"threshold": 0.6},
    "cont0.8": {"threshold": 0.8},
    "jac0.4": {"jaccard": 0.4},
    "jac0.6": {"jaccard": 0.6},
    "w3": {"shingle": 3},
    "w4": {"shingle": 4},
    "w7": {"shingle": 7},
    "all-lines": {"min_line_words": 0},
    "no-furniture": {"common_docs": 255},
    "lead50": {"lead_words": 50},
    "lead200": {"lead_words": 200},
    "lsh16x4": {"lsh_bands": 16, "lsh_rows": 4},
    "lsh32x2": {"lsh_bands": 32, "lsh_rows": 2},
}


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _c2(x: int) -> int:
    return x * (x - 1) // 2


def union_find(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Cluster label per node: transitive closure of edges."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        parent[find(i)] = find(j)
    return [find(i) for i in range(n)]


def score(truth: list[str], kinds: list[str], pred: list[int]) -> dict[str, Any]:
    """Pairwise precision/recall/F1, adjusted Rand index and recall per kind."""
    tp = sum(_c2(v) for v in collections.Counter(zip(truth, pred, strict=True)).values())
    pp = sum(_c2(v) for v in collections.Counter(pred).values())
    tt = sum(_c2(v) for v in collections.Counter(truth).values())
    prec, rec = (tp / pp if pp else 1.0), (tp / tt if tt else 1.0)
    total = _c2(len(truth))
    expected = pp * tt / total if total else 0.0
    ari = (tp - expected) / ((pp + tt) / 2 - expected) if (pp + tt) / 2 != expected else 1.0
    members = collections.defaultdict(list)
    for i, t in enumerate(truth):
        members[t].append(i)
    k_tot: collections.Counter[str] = collections.Counter()
    k_hit: collections.Counter[str] = collections.Counter()
    for group in members.values():
        for i, j in itertools.combinations(group, 2):
            for k in {kinds[i], kinds[j]}:
                k_tot[k] += 1
                k_hit[k] += pred[i] == pred[j]
    return {
        "P": round(prec, 4),
        "R": round(rec, 4),
        "F1": round(2 * prec * rec / (prec + rec) if prec + rec else 0.0, 4),
        "ARI": round(ari, 4),
        "kind_recall": {k: round(k_hit[k] / k_tot[k], 3) for k in sorted(k_tot)},
    }


def _labels(path: Path) -> tuple[list[str], list[str], list[str], int]:
    """Ids, clusters, kinds and total words of a labelled file."""
    ids, truth, kinds, words = [], [], [], 0
    with path.open() as fh:
        for line in fh:
            d = json.loads(line)
            ids.append(str(d["id"]))
            truth.append(str(d["cluster"]))
            kinds.append(str(d.get("kind", "-")))
            words += len(d["text"].split())
    return ids, truth, kinds, words


def run_ours(path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """Run dedup_jsonl (keep=first) on one file and score its duplicate edges."""
    ids, truth, kinds, words = _labels(path)
    config = replace(NearDupConfig(), **overrides)
    with tempfile.TemporaryDirectory() as tmp:
        out, dups = Path(tmp) / "out.jsonl", Path(tmp) / "dups.jsonl"
        t0 = time.perf_counter()
        dedup_jsonl([path], out, dups, config)
        wall = time.perf_counter() - t0
        pos = {k: i for i, k in enumerate(ids)}
        with dups.open() as fh:
            edges = [(pos[str(d["id"])], pos[d["duplicate_of"]]) for d in map(json.loads, fh)]
    res = score(truth, kinds, union_find(len(ids), edges))
    res.update(docs_s=round(len(ids) / wall), words_doc=round(words / len(ids)), rss=peak_rss_mb())
    return res


def run_baseline(path: Path) -> dict[str, Any]:
    """Plain datasketch MinHashLSH: 128 perms, sha1, word 5-grams, threshold 0.8."""
    import re

    from datasketch import MinHash, MinHashLSH

    ids, truth, kinds, words = _labels(path)
    with path.open() as fh:
        texts = [json.loads(line)["text"] for line in fh]
    t0 = time.perf_counter()
    lsh, hashes = MinHashLSH(threshold=0.8, num_perm=128), []
    for i, text in enumerate(texts):
        w = re.findall(r"\w+", text.lower())
        grams = {" ".join(w[j : j + 5]).encode() for j in range(max(1, len(w) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch(list(grams))
        lsh.insert(i, m)
        hashes.append(m)
    edges = [(i, j) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i]
    wall = time.perf_counter() - t0
    res = score(truth, kinds, union_find(len(ids), edges))
    res.update(docs_s=round(len(ids) / wall), words_doc=round(words / len(ids)), rss=peak_rss_mb())
    return res


def _row(name: str, file: str, r: dict[str, Any]) -> str:
    kinds = " ".join(f"{k}={v}" for k, v in r["kind_recall"].items())
    return (
        f"{file:6} {name:13} P={r['P']:.4f} R={r['R']:.4f} F1={r['F1']:.4f} ARI={r['ARI']:.4f}"
        f" {r['docs_s']:>5} docs/s ({r['words_doc']} w/doc) rss={r['rss']:.0f}MB | {kinds}"
    )


def _child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", *args]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Parse arguments and run the sweep (or one child run, or the big index test)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=DATA)
    ap.add_argument("--configs", nargs="*", default=list(SWEEP), help="sweep entries to run")
    ap.add_argument("--big", type=int, default=0, help="also build/query an index of N articles")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        path, name = Path(a.one[0]), a.one[1]
        res = run_baseline(path) if name == "baseline" else run_ours(path, SWEEP[name])
        print(json.dumps(res))
        return
    if a.big:
        from bench.dedup_big import run_big

        run_big(a.big)
        return
    print("defaults:", json.dumps(asdict(NearDupConfig())))
    for path in sorted(a.data_dir.glob("*.jsonl")):
        for name in ["baseline", *a.configs]:
            print(_row(name, path.stem, _child([str(path), name])), flush=True)


if __name__ == "__main__":
    main()
