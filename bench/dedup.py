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

from pipelines.minhash import NearDupConfig
from pipelines.offline import dedup_jsonl

DATA = Path("/work/shared/data/neardup-dev")
SWEEP: dict[str, dict[str, Any]] = {  # each entry changes one default
    "default": {},
    "cont0.5": {"threshold": 0.5},
    "cont0.7": {"threshold": 0.7},
    "cont0.8": {"threshold": 0.8},
    "jac0.4": {"jaccard": 0.4},
    "jac0.6": {"jaccard": 0.6},
    "w3": {"shingle": 3},
    "w4": {"shingle": 4},
    "w7": {"shingle": 7},
    "min20": {"min_shingles": 20},
    "min80": {"min_shingles": 80},
    "all-lines": {"min_line_words": 0},
    "no-furniture": {"common_docs": 255},
    "lead50": {"lead_words": 50},
    "lead200": {"lead_words": 200},
    "lsh21x3": {"lsh_bands": 21, "lsh_rows": 3},
    "lsh16x4": {"lsh_bands": 16, "lsh_rows": 4},
    "perm128": {"num_perm": 128, "lsh_bands": 64},
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
        t0, c0 = time.perf_counter(), time.process_time()
        dedup_jsonl([path], out, dups, config)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        pos = {k: i for i, k in enumerate(ids)}
        with dups.open() as fh:
            edges = [(pos[str(d["id"])], pos[d["duplicate_of"]]) for d in map(json.loads, fh)]
    res = score(truth, kinds, union_find(len(ids), edges))
    res.update(docs_s=round(len(ids) / wall), cpu_docs_s=round(len(ids) / cpu))
    res.update(words_doc=round(words / len(ids)), rss=peak_rss_mb())
    return res


def run_baseline(path: Path) -> dict[str, Any]:
    """Plain datasketch MinHashLSH: 128 perms, sha1, word 5-grams, threshold 0.8."""
    import re

    from datasketch import MinHash, MinHashLSH

    ids, truth, kinds, words = _labels(path)
    with path.open() as fh:
        texts = [json.loads(line)["text"] for line in fh]
    t0, c0 = time.perf_counter(), time.process_time()
    lsh, hashes = MinHashLSH(threshold=0.8, num_perm=128), []
    for i, text in enumerate(texts):
        w = re.findall(r"\w+", text.lower())
        grams = {" ".join(w[j : j + 5]).encode() for j in range(max(1, len(w) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch(list(grams))
        lsh.insert(i, m)
        hashes.append(m)
    edges = [(i, j) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    res = score(truth, kinds, union_find(len(ids), edges))
    res.update(docs_s=round(len(ids) / wall), cpu_docs_s=round(len(ids) / cpu))
    res.update(words_doc=round(words / len(ids)), rss=peak_rss_mb())
    return res


_VOCAB_SIZE = 50_000
_FURNITURE = "\n".join(
    [
        "Home | News | Sport | Weather | Opinion",
        "Get our free morning briefing with the stories that matter to you every single day.",
    ]
)


class _Articles:
    """Deterministic synthetic ~600-word articles (Zipf vocabulary): article i never changes."""

    def __init__(self) -> None:
        import numpy as np

        rng = np.random.default_rng(0)
        letters = list("abcdefghijklmnopqrstuvwxyz")
        self.vocab = [
            "".join(rng.choice(letters, size=int(rng.integers(2, 10)))) for _ in range(_VOCAB_SIZE)
        ]
        weights = 1.0 / np.arange(1, _VOCAB_SIZE + 1)
        self.cdf = np.cumsum(weights / weights.sum())

    def text(self, i: int) -> str:
        """Article number i, paragraphs of 30-80 words."""
        import numpy as np

        rng = np.random.default_rng(i)
        words = [
            self.vocab[j]
            for j in np.searchsorted(self.cdf, rng.random(int(rng.integers(500, 700))))
        ]
        cuts = np.cumsum(rng.integers(30, 80, size=30))
        paras = [
            " ".join(words[a:b]) + "." for a, b in itertools.pairwise([0, *cuts]) if a < len(words)
        ]
        return "\n".join(paras)

    def edited(self, i: int) -> str:
        """A syndicated copy of article i: site furniture added, last paragraph trimmed."""
        paras = self.text(i).split("\n")
        return "\n".join([_FURNITURE, "A new headline", *paras[:-1], _FURNITURE])


def run_big(n: int, path: Path | None = None) -> None:
    """Bulk-load an n-article SQLite index (unless path has one), then time add/find on it.

    To load 1M docs in minutes, 999 of 1000 stored docs are random 600-shingle sets (no text);
    the timed queries are real ~600-word texts through text_signature + find.
    """
    import sqlite3

    config = NearDupConfig()
    db = path or Path(tempfile.mkdtemp(prefix="neardup-big-")) / "index.sqlite"
    conn = sqlite3.connect(db)
    if not conn.execute("SELECT name FROM sqlite_master WHERE name='neardup_doc'").fetchone():
        t0 = time.perf_counter()
        _bulk_load(conn, n, config)
        print(f"bulk load: {n} articles in {time.perf_counter() - t0:.0f} s (2 worker processes)")
        print(f"build peak RSS {peak_rss_mb():.0f} MB; run again with the same --big-db to time")
        conn.close()
        return
    conn.close()
    size = db.stat().st_size / 1e9
    print(f"index: {db} {size:.2f} GB", flush=True)
    _query_big(db, n, config, _Articles())


def _bulk_load(conn: Any, n: int, config: NearDupConfig) -> None:
    """Write the rows NearDupIndex.add() writes, band keys sorted at the end (a test fixture)."""
    import multiprocessing

    from pipelines.neardup import NearDupIndex

    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    NearDupIndex.create_schema(conn)
    index = NearDupIndex(conn, config)
    conn.execute("CREATE TEMP TABLE band_stage (key INTEGER, doc INTEGER)")
    docs: list[tuple[Any, ...]] = []
    bands: list[tuple[int, int]] = []
    with multiprocessing.Pool(2) as pool:
        for i, sig in pool.imap(_big_signature, range(n), chunksize=256):
            whole, lead = index._keys(sig)
            content = index._content_size(sig.shingles)
            index._common.add(sig.shingles)
            blobs = (sig.minhash.tobytes(), sig.lead.tobytes(), sig.shingles.tobytes())
            docs.append((i + 1, f"a{i:07d}", float(i), content, *blobs))
            bands.extend((key, i + 1) for key in whole + lead)
            if len(docs) == 10_000 or i == n - 1:
                conn.executemany("INSERT INTO neardup_doc VALUES (?,?,?,NULL,?,?,?,?)", docs)
                conn.executemany("INSERT INTO band_stage VALUES (?,?)", bands)
                docs, bands = [], []
                if (i + 1) % 100_000 == 0:
                    print(f"  loaded {i + 1}", flush=True)
    conn.execute("INSERT OR IGNORE INTO neardup_band SELECT key, doc FROM band_stage ORDER BY 1, 2")
    conn.execute("DROP TABLE band_stage")
    conn.commit()


_GEN: list[_Articles] = []
_REAL_EVERY = 1000  # stored docs with real text, so edited copies of them can be queried


def _big_signature(i: int) -> tuple[int, Any]:
    """Worker: signature of article i; every 1000th is real text, the rest random shingle sets."""
    import numpy as np

    from pipelines.minhash import Signature, minhash, text_signature

    config = NearDupConfig()
    if i % _REAL_EVERY == 0:
        if not _GEN:
            _GEN.append(_Articles())
        return i, text_signature(_GEN[0].text(i), config)
    ordered = np.random.default_rng(i).integers(0, 2**32, size=600, dtype=np.uint32)
    shingles = np.unique(ordered)
    lead = minhash(np.unique(ordered[:96]), config.num_perm, config.seed)
    return i, Signature(shingles, minhash(shingles, config.num_perm, config.seed), lead)


def _query_big(db: Path, n: int, config: NearDupConfig, gen: _Articles) -> None:
    """Reopen the index like a new run; time signature + find, then signature + add + commit."""
    import sqlite3

    from pipelines.minhash import text_signature
    from pipelines.neardup import NearDupIndex

    t0 = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    index = NearDupIndex(conn, config)
    print(f"reopen (furniture stats rebuild): {time.perf_counter() - t0:.1f} s")
    fresh = [gen.text(n + 1_000_000 + i) for i in range(2000)]
    picks = list(range(0, n, _REAL_EVERY))
    copies = [gen.edited(i) for i in picks]
    t0 = time.perf_counter()
    false_hits = sum(index.find(text_signature(t, config)) is not None for t in fresh)
    found = [index.find(text_signature(t, config)) for t in copies]
    wall = time.perf_counter() - t0
    hits = sum(m is not None and m.doc_id == f"a{i:07d}" for m, i in zip(found, picks, strict=True))
    total = len(fresh) + len(copies)
    print(
        f"query: {total} docs in {wall:.1f} s = {total / wall:.0f} docs/s (signature + find);"
        f" edited copies found {hits}/{len(copies)}; fresh false matches"
        f" {false_hits}/{len(fresh)}; peak RSS {peak_rss_mb():.0f} MB"
    )
    extra = [gen.text(n + 2_000_000 + k) for k in range(2000)]
    t0 = time.perf_counter()
    for k, text in enumerate(extra):
        index.add(f"new{k}", text_signature(text, config), now=-1.0)  # evicted below
        if k % 100 == 99:
            conn.commit()
    conn.commit()
    wall = time.perf_counter() - t0
    print(
        f"add: {len(extra)} docs in {wall:.1f} s = {len(extra) / wall:.0f} docs/s (signature +"
        f" add, commit every 100); index size {index.size()}; peak RSS {peak_rss_mb():.0f} MB"
    )
    t0 = time.perf_counter()
    evicted = index.evict(older_than=0.0)
    conn.commit()
    print(f"evict: {evicted} docs in {time.perf_counter() - t0:.1f} s; size {index.size()}")


def _row(name: str, file: str, r: dict[str, Any]) -> str:
    kinds = " ".join(f"{k}={v}" for k, v in r["kind_recall"].items())
    return (
        f"{file:6} {name:13} P={r['P']:.4f} R={r['R']:.4f} F1={r['F1']:.4f} ARI={r['ARI']:.4f}"
        f" {r['docs_s']:>5} docs/s wall {r['cpu_docs_s']:>5} cpu ({r['words_doc']} w/doc)"
        f" rss={r['rss']:.0f}MB | {kinds}"
    )


def _child(args: list[str]) -> dict[str, Any]:
    """Run one (file, config) in a fresh process so peak RSS is its own."""
    cmd = [sys.executable, __file__, "--one", *args]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Parse arguments and run the sweep (or one child run, or the big index test)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=DATA)
    ap.add_argument("--configs", nargs="*", default=list(SWEEP), help="sweep entries to run")
    ap.add_argument("--big", type=int, default=0, help="build/query an index of N articles instead")
    ap.add_argument("--big-db", type=Path, help="SQLite file for --big (resumes a partial build)")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        path, name = Path(a.one[0]), a.one[1]
        res = run_baseline(path) if name == "baseline" else run_ours(path, SWEEP[name])
        print(json.dumps(res))
        return
    if a.big:
        run_big(a.big, a.big_db)
        return
    print("defaults:", json.dumps(asdict(NearDupConfig())))
    for path in sorted(a.data_dir.glob("*.jsonl")):
        for name in ["baseline", *a.configs]:
            print(_row(name, path.stem, _child([str(path), name])), flush=True)


if __name__ == "__main__":
    main()
