"""Redis near-dup index throughput: query+insert of ~600-word articles against a local Redis.

Usage: python bench/redis_state.py [--url redis://127.0.0.1:6379/0] [--docs 3000]
Without --url a private redis-server is started on a free port. Prints docs/s for
RedisState.claim (atomic query+verify+insert), find+add, and datasketch's MinHashLSH
with Redis storage (query+insert, no verification) as a baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.demo.synthetic import synthetic_articles
from pipelines.minhash import NearDupConfig, Signature, text_signature
from pipelines.state import KeptArticle
from pipelines.state_redis import RedisState, connect


def _signatures(n: int, config: NearDupConfig) -> tuple[list[Signature], float]:
    """Signatures of n distinct ~600-word articles, every 5th a near-copy; and words/doc."""
    articles = synthetic_articles(n, seed=42, min_words=600)
    texts = ["\n".join(a.paragraphs) for a in articles]
    for i in range(4, n, 5):
        texts[i] = texts[i - 1].replace(" the ", " a ", 3) + "\nUpdated with wire copy."
    words = statistics.mean(len(t.split()) for t in texts)
    return [text_signature(t, config) for t in texts], words


def _server_usec(url: str) -> float:
    """Total microseconds Redis spent in scripts so far (INFO commandstats)."""
    stats = connect(url).info("commandstats")
    return sum(float(stats.get(f"cmdstat_{c}", {}).get("usec", 0)) for c in ("evalsha", "eval"))


def _run(label: str, n: int, step: Callable[[int], object], url: str = "", steps: int = 0) -> None:
    """Time STEP over range(steps or n) for n docs; print docs/s and Redis script time/doc."""
    before = _server_usec(url) if url else 0.0
    started = time.perf_counter()
    for i in range(steps or n):
        step(i)
    elapsed = time.perf_counter() - started
    server = f", Redis scripts {(_server_usec(url) - before) / n:5.0f} us/doc" if url else ""
    print(f"{label:<44} {n / elapsed:8.0f} docs/s  ({elapsed * 1e6 / n:6.0f} us/doc{server})")


def bench(url: str, n: int) -> None:
    """Run every variant against URL."""
    config = NearDupConfig()
    started = time.perf_counter()
    sigs, words = _signatures(n, config)
    sig_rate = n / (time.perf_counter() - started)
    print(f"{n} docs, {words:.0f} words each on average; text_signature: {sig_rate:.0f} docs/s")
    store = RedisState(connect(url), f"bench{uuid.uuid4().hex[:8]}", config, "bench")
    kept = []

    def claim(i: int) -> None:
        article = KeptArticle(f"d{i}", f"https://ex.com/{i}", "bench", f"d{i}")
        kept.append(store.claim(article, [f"ex.com/{i}"], f"h{i}", sigs[i]) is None)

    _run("RedisState.claim (atomic query+insert)", n, claim, url)
    print(f"  kept {sum(kept)} of {n} (every 5th doc is a near-copy)")
    store.commit()
    store.close()
    _batched(url, sigs, config, 64)
    other = RedisState(connect(url), f"bench{uuid.uuid4().hex[:8]}", config, "bench")

    def find_add(i: int) -> None:
        if other.near_dup.find(sigs[i]) is None:
            other.near_dup.add(f"d{i}", sigs[i], time.time())

    _run("RedisNearDupIndex.find + add", n, find_add, url)
    other.commit()
    other.close()
    _datasketch(url, sigs, config)


def _batched(url: str, sigs: list[Signature], config: NearDupConfig, size: int) -> None:
    """RedisState.claim_many in batches of SIZE."""
    store = RedisState(connect(url), f"bench{uuid.uuid4().hex[:8]}", config, "bench")
    kept: list[bool] = []
    n = len(sigs)

    def batch(b: int) -> None:
        entries = [
            (
                KeptArticle(f"d{i}", f"https://ex.com/{i}", "bench", f"d{i}"),
                [f"ex.com/{i}"],
                f"h{i}",
                sigs[i],
            )
            for i in range(b * size, min(n, (b + 1) * size))
        ]
        kept.extend(v is None for v in store.claim_many(entries))

    batches = (n + size - 1) // size
    _run(f"RedisState.claim_many (batches of {size})", n, batch, url, batches)
    print(f"  kept {sum(kept)} of {n}")
    store.commit()
    store.close()


def _datasketch(url: str, sigs: list[Signature], config: NearDupConfig) -> None:
    """datasketch MinHashLSH with Redis storage: query + insert (candidates only)."""
    from urllib.parse import urlsplit

    from datasketch import LeanMinHash, MinHashLSH

    parts = urlsplit(url)
    storage = {
        "type": "redis",
        "basename": f"ds{uuid.uuid4().hex[:8]}".encode(),
        "redis": {"host": parts.hostname, "port": parts.port or 6379},
    }
    try:
        lsh = MinHashLSH(threshold=0.5, num_perm=config.num_perm, storage_config=storage)
    except Exception as exc:  # the baseline is optional: report why it could not run
        print(f"datasketch MinHashLSH (Redis storage): could not run: {exc}")
        return
    mins = [
        LeanMinHash(seed=config.seed, hashvalues=s.minhash.astype("uint64"), scheme="legacy")
        for s in sigs
    ]

    def query_insert(i: int) -> None:
        if not lsh.query(mins[i]):
            lsh.insert(f"d{i}", mins[i])

    _run("datasketch MinHashLSH redis query+insert", len(sigs), query_insert)


def main() -> None:
    """Parse arguments; start a private Redis when no --url is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="Redis URL (default: start a private redis-server)")
    parser.add_argument("--docs", type=int, default=3000)
    args = parser.parse_args()
    if args.url:
        bench(args.url, args.docs)
        return
    from tests.redis_server import RedisProcess

    with tempfile.TemporaryDirectory() as folder:
        server = RedisProcess(Path(folder))
        server.start()
        try:
            bench(server.url, args.docs)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
