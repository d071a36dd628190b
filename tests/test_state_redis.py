"""Redis state: the SQLite store's contract, pending/commit/rollback, leases, atomic claims."""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from crawler.demo.synthetic import synthetic_articles
from pipelines.boilerplate import MemoryLineCounts
from pipelines.lock import LockHeld
from pipelines.neardup import NearDupConfig, NearDupIndex, text_signature
from pipelines.state import KeptArticle, StateError
from pipelines.state_redis import RedisState, RedisStateError, connect, open_redis_state
from tests.redis_server import redis_url

CONFIG = NearDupConfig()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Redis for the module (CI's or a private one)."""
    with redis_url(tmp_path_factory.mktemp("redis")) as found:
        yield found


@pytest.fixture
def namespace() -> str:
    """A fresh key prefix per test."""
    return f"t{uuid.uuid4().hex[:10]}"


def _store(url: str, ns: str, worker: str = "w1", lease: float = 30.0) -> RedisState:
    return RedisState(connect(url), ns, CONFIG, worker, lease_seconds=lease)


def _remember(store: RedisState, article_id: str) -> None:
    kept = KeptArticle(article_id, f"https://ex.com/{article_id}", "feed", article_id)
    store.remember(kept, [f"ex.com/{article_id}"], f"hash-{article_id}")


def _texts(n: int, seed: int = 5) -> list[str]:
    return ["\n".join(a.paragraphs) for a in synthetic_articles(n, seed, min_words=600)]


def _variant(text: str, seed: int) -> str:
    """The same story lightly edited: a word changed in every few lines, a new first line."""
    rng = random.Random(seed)
    lines = text.split("\n")
    for i in range(0, len(lines), 3):
        words = lines[i].split()
        words[rng.randrange(len(words))] = f"edit{seed}"
        lines[i] = " ".join(words)
    return "\n".join([f"Updated version {seed} of this report", *lines])


def test_committed_articles_survive_a_reopen(url: str, namespace: str) -> None:
    store = _store(url, namespace)
    _remember(store, "a1")
    store.commit()
    store.close()
    again = _store(url, namespace)
    assert again.article_for_url_keys(["ex.com/a1"]) == "a1"
    assert again.article_for_hash("hash-a1") == "a1"
    assert again.kept_article("a1") == KeptArticle("a1", "https://ex.com/a1", "feed", "a1")
    again.close()


def test_uncommitted_work_is_rolled_back_on_close(url: str, namespace: str) -> None:
    store = _store(url, namespace)
    _remember(store, "a1")
    store.near_dup.add("a1", text_signature(_texts(1)[0], CONFIG), time.time())
    store.close()
    again = _store(url, namespace)
    assert again.article_for_url_keys(["ex.com/a1"]) is None
    assert again.kept_article("a1") is None
    assert again.near_dup.size() == 0
    again.close()


def test_recording_a_published_file_commits(url: str, namespace: str) -> None:
    store = _store(url, namespace)
    _remember(store, "a1")
    store.prepare_publish("articles-x.jsonl")
    store.record_published("articles-x.jsonl")
    store.close()
    again = _store(url, namespace)
    assert again.is_published("articles-x.jsonl")
    assert again.article_for_url_keys(["ex.com/a1"]) == "a1"
    again.close()


@pytest.mark.parametrize("renamed", [True, False])
def test_a_worker_killed_while_publishing_is_resolved_by_its_restart(
    url: str, namespace: str, renamed: bool
) -> None:
    store = _store(url, namespace, "w1", lease=0.3)
    _remember(store, "a1")
    store.prepare_publish("articles-1.jsonl")
    store.lease.stop_heartbeat()  # killed between prepare_publish and record_published
    time.sleep(0.5)
    other = _store(url, namespace, "w2")
    assert other.article_for_url_keys(["ex.com/a1"]) == "a1"  # others leave it to w1
    restart = _store(url, namespace, "w1")
    assert restart.article_for_url_keys(["ex.com/a1"]) == "a1"
    # start-up recovery re-records the file if it was renamed into place before the kill
    restart.record_published("articles-1.jsonl" if renamed else "articles-2.jsonl")
    assert (restart.article_for_url_keys(["ex.com/a1"]) == "a1") is renamed
    restart.close()
    other.close()


def test_pending_writes_block_other_workers_at_once(url: str, namespace: str) -> None:
    one, two = _store(url, namespace, "w1"), _store(url, namespace, "w2")
    _remember(one, "a1")
    assert two.article_for_url_keys(["ex.com/a1"]) == "a1"
    one.close()
    two.close()


def test_dead_workers_pending_is_rolled_back_by_the_next_start(url: str, namespace: str) -> None:
    dead = _store(url, namespace, "dead", lease=0.3)
    _remember(dead, "kept")
    dead.commit()
    _remember(dead, "lost")
    dead.lease.stop_heartbeat()  # the process "dies": no close, the lease runs out
    time.sleep(0.5)
    other = _store(url, namespace, "other")
    assert other.article_for_url_keys(["ex.com/lost"]) is None
    assert other.article_for_url_keys(["ex.com/kept"]) == "kept"
    other.close()


def test_restart_of_a_killed_worker_takes_its_name_over(url: str, namespace: str) -> None:
    client = connect(url)
    dead_pid = 4_000_000  # above pid_max: no such process
    client.set(f"{namespace}:lease:w1", f"{socket.gethostname()} {dead_pid} 0", px=60_000)
    client.sadd(f"{namespace}:pending:w1", f"k:{namespace}:url:ex.com/ghost")
    client.set(f"{namespace}:url:ex.com/ghost", "ghost")
    store = _store(url, namespace, "w1")
    assert store.article_for_url_keys(["ex.com/ghost"]) is None
    store.close()


def test_a_live_worker_name_is_refused(url: str, namespace: str) -> None:
    store = _store(url, namespace, "w1")
    with pytest.raises(LockHeld, match=f"pid {os.getpid()}"):
        _store(url, namespace, "w1")
    store.close()


def test_evict_forgets_old_entries_only(url: str, namespace: str) -> None:
    store = _store(url, namespace)
    _remember(store, "old")
    texts = _texts(2)
    store.near_dup.add("old", text_signature(texts[0], CONFIG), time.time())
    cutoff = time.time() + 0.001
    time.sleep(0.01)
    _remember(store, "new")
    store.near_dup.add("new", text_signature(texts[1], CONFIG), time.time())
    store.commit()
    counts = store.evict(cutoff)
    assert counts == {"articles": 1, "signatures": 1}
    assert store.article_for_url_keys(["ex.com/old"]) is None
    assert store.article_for_url_keys(["ex.com/new"]) == "new"
    assert store.sizes()["articles"] == 1
    ttl = store.client.pttl(f"{namespace}:url:ex.com/new")
    _remember(store, "newer")
    assert ttl == -1 and 0 < store.client.pttl(f"{namespace}:url:ex.com/newer") < 1000
    store.close()


def test_namespace_built_with_other_signature_settings_is_refused(url: str, namespace: str) -> None:
    _store(url, namespace).close()
    with pytest.raises(StateError, match="built with"):
        RedisState(connect(url), namespace, replace(CONFIG, num_perm=128), "w1")


def test_unreachable_redis_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(RedisStateError, match="cannot reach the Redis state"):
        open_redis_state(f"redis://127.0.0.1:{port}/0", "x", CONFIG, "w1")
    assert time.monotonic() - started < 60


def test_same_verdicts_as_the_sqlite_index(url: str, namespace: str) -> None:
    store = _store(url, namespace)
    local = NearDupIndex(None, CONFIG)
    texts = _texts(30)
    for i, text in enumerate(texts[:20]):
        sig = text_signature(text, CONFIG)
        store.near_dup.add(f"d{i}", sig, 1.0)
        local.add(f"d{i}", sig, 1.0)
    queries = [_variant(t, i) for i, t in enumerate(texts[:20:2])] + texts[20:]
    for query in queries:
        sig = text_signature(query, CONFIG)
        assert store.near_dup.find_all(sig) == local.find_all(sig)
    assert sum(store.near_dup.find(text_signature(q, CONFIG)) is not None for q in queries) == 10
    store.close()


def test_claim_checks_url_hash_and_near_duplicates(url: str, namespace: str) -> None:
    store = _store(url, namespace)
    text = _texts(1)[0]
    first = KeptArticle("a1", "https://ex.com/a1", "feed", "a1")
    sig = text_signature(text, CONFIG)
    assert store.claim(first, ["ex.com/a1"], "h1", sig) is None
    second = KeptArticle("a2", "https://ex.com/a2", "feed", "a2")
    assert store.claim(second, ["ex.com/a1"], "h2", sig) == ("url", "a1", 1.0)
    assert store.claim(second, ["ex.com/a2"], "h1", sig) == ("exact", "a1", 1.0)
    verdict = store.claim(second, ["ex.com/a2"], "h2", text_signature(_variant(text, 1), CONFIG))
    assert verdict is not None and verdict[:2] == ("near", "a1")
    assert store.claim(first, ["ex.com/a1"], "h1", sig) is None  # a retried claim is idempotent
    store.close()


def _claim_concurrently(url: str, namespace: str, texts: list[str]) -> list[str]:
    """Each thread (its own worker and connection) claims one text; return the kept ids."""
    config = CONFIG
    stores = [_store(url, namespace, f"w{i}") for i in range(len(texts))]
    sigs = [text_signature(t, config) for t in texts]
    barrier = threading.Barrier(len(texts))
    kept: list[str] = []

    def run(i: int) -> None:
        article = KeptArticle(f"a{i}", f"https://ex{i}.com/", "feed", f"a{i}")
        barrier.wait()
        if stores[i].claim(article, [f"ex{i}.com/"], f"h{i}", sigs[i]) is None:
            kept.append(article.id)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.commit()
        store.close()
    return kept


def test_concurrent_near_duplicates_keep_exactly_one(url: str, namespace: str) -> None:
    text = _texts(1, seed=9)[0]
    for round_ in range(5):
        variants = [_variant(text, 100 * round_ + i) for i in range(8)]
        kept = _claim_concurrently(url, f"{namespace}{round_}", variants)
        assert len(kept) == 1, kept


def test_concurrent_distinct_articles_are_all_kept(url: str, namespace: str) -> None:
    assert len(_claim_concurrently(url, namespace, _texts(8, seed=11))) == 8


def test_line_counts_match_the_memory_store(url: str, namespace: str) -> None:
    store = _store(url, namespace)
    memory = MemoryLineCounts()
    for backend in (store.line_counts, memory):
        backend.add_page("ex.com", "p1", {1, 2, 3})
        backend.add_page("ex.com", "p2", {2, 3})
    assert store.line_counts.page_count("ex.com") == memory.page_count("ex.com") == 2
    assert store.line_counts.has_page("ex.com", "p1") and not store.line_counts.has_page("x", "p1")
    wanted = [1, 2, 3, 4]
    assert store.line_counts.line_counts("ex.com", wanted) == memory.line_counts("ex.com", wanted)
    store.line_counts.add_page("ex.com", "p2", {2, 3})  # two workers learning one page: once
    assert store.line_counts.line_counts("ex.com", [2]) == {2: 2}
    store.close()


def test_redis_lost_mid_run_raises_after_retries(tmp_path: Path) -> None:
    from tests.redis_server import private_redis

    with private_redis(tmp_path / "redis") as server:
        store = _store(server.url, "lost")
        _remember(store, "a1")
        server.stop()
        with pytest.raises(redis.ConnectionError):
            store.article_for_url_keys(["ex.com/a1"])
        store.lease.stop_heartbeat()
