"""Several crawler processes on one Redis state: the work is shared, every story kept once.

Each test serves two synthetic sites carrying the same N stories (so every story exists
twice, under two URLs) and runs `newsdedup crawl` workers against one local Redis
(the real `python -m crawler crawl --state redis://...`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from crawler.demo import DemoServer, build_synthetic_site, serve_site
from tests.redis_server import RedisProcess, private_redis, redis_url

N = 24
ENTRY = "crawler"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sites() -> Iterator[list[DemoServer]]:
    """Two sites with the same N stories (same seed), on two loopback ports."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(serve_site(partial(build_synthetic_site, n_articles=N)))
            for _ in range(2)
        ]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Redis for the module (CI's or a private one)."""
    with redis_url(tmp_path_factory.mktemp("redis")) as found:
        yield found


def _start(
    sites: list[DemoServer], state: str, out: Path, worker: str, ns: str, *extra: str
) -> subprocess.Popen[str]:
    """One worker process: `newsdedup crawl FEEDS --state STATE -o OUT`."""
    args = [sys.executable, "-m", ENTRY, "crawl"]
    args += [s.url("/feed.xml") for s in sites]
    args += ["--state", state, "-o", str(out), "--allow-private", "--workers", "1"]
    for setting in (
        f"NEWSDEDUP_WORKER={worker}",
        f"NEWSDEDUP_NAMESPACE={ns}",
        "NEWSDEDUP_REDIS_LEASE=3",
        "AUTOTHROTTLE_ENABLED=False",
        *extra,
    ):
        args += ["-s", setting]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(args, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str], timeout: float = 180) -> tuple[int, str]:
    """Wait for a worker; (exit code, stderr)."""
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def _articles(root: Path) -> list[dict[str, Any]]:
    """Every published article record under ROOT."""
    records = []
    for path in sorted(root.glob("**/articles-*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records += [json.loads(line) for line in handle]
    return records


def _assert_each_story_once(root: Path) -> None:
    """N stories written, each once, across all the workers' outputs."""
    records = _articles(root)
    hashes = Counter(r["content_hash"] for r in records)
    assert len(hashes) == N, f"{len(hashes)} distinct stories, want {N}"
    assert max(hashes.values()) == 1, [h for h, c in hashes.items() if c > 1]
    assert len({r["id"] for r in records}) == len(records) == N


def _article_hits(sites: list[DemoServer]) -> Counter[tuple[int, str]]:
    """GETs of article pages, per (site, path)."""
    return Counter(
        (i, hit.split("?")[0])
        for i, site in enumerate(sites)
        for hit in site.hits
        if hit.startswith("/2026/")
    )


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_share_the_work_and_keep_each_story_once(
    sites: list[DemoServer], url: str, tmp_path: Path, workers: int
) -> None:
    for site in sites:
        site.clear_hits()
    ns = f"t{uuid.uuid4().hex[:8]}"
    procs = [_start(sites, url, tmp_path / f"w{i}", f"w{i}", ns) for i in range(workers)]
    results = [_finish(p) for p in procs]
    assert [code for code, _ in results] == [0] * workers, results
    _assert_each_story_once(tmp_path)
    hits = _article_hits(sites)
    assert len(hits) == 2 * N and max(hits.values()) == 1, "an article page was fetched twice"
    files = sorted(p.name for p in tmp_path.glob("w*/articles-*.jsonl"))
    assert all(name.endswith(tuple(f"-w{i}.jsonl" for i in range(workers))) for name in files)


def test_a_killed_worker_loses_nothing_and_emits_nothing_twice(
    sites: list[DemoServer], url: str, tmp_path: Path
) -> None:
    ns = f"t{uuid.uuid4().hex[:8]}"
    slow = ("DOWNLOAD_DELAY=0.3", "NEWSDEDUP_PUBLISH_EVERY=3")
    victim = _start(sites, url, tmp_path / "w0", "w0", ns, *slow)
    other = _start(sites, url, tmp_path / "w1", "w1", ns, *slow)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "w0").glob("articles-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    code, err = _finish(other)
    assert code == 0, err
    code, err = _finish(_start(sites, url, tmp_path / "w0", "w0", ns))  # the rerun
    assert code == 0, err
    _assert_each_story_once(tmp_path)


def test_redis_lost_mid_run_fails_clearly_and_the_rerun_loses_nothing(
    sites: list[DemoServer], tmp_path: Path
) -> None:
    with private_redis(tmp_path / "redis") as server:
        slow = ("DOWNLOAD_DELAY=0.3", "NEWSDEDUP_PUBLISH_EVERY=3")
        worker = _start(sites, server.url, tmp_path / "w0", "w0", "lost", *slow)
        deadline = time.monotonic() + 60
        while not list((tmp_path / "w0").glob("articles-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        server.stop()
        code, err = _finish(worker)
        assert code != 0
        assert "Redis state unavailable" in err, err[-2000:]
        restarted = RedisProcess(server.folder, server.port)
        restarted.start()
        try:
            code, err = _finish(_start(sites, server.url, tmp_path / "w0", "w0", "lost"))
        finally:
            restarted.stop()
        assert code == 0, err
        _assert_each_story_once(tmp_path)


def test_a_short_redis_restart_is_retried(sites: list[DemoServer], tmp_path: Path) -> None:
    with private_redis(tmp_path / "redis") as server:
        slow = ("DOWNLOAD_DELAY=0.2", "NEWSDEDUP_PUBLISH_EVERY=3")
        worker = _start(sites, server.url, tmp_path / "w0", "w0", "blip", *slow)
        deadline = time.monotonic() + 60
        while not list((tmp_path / "w0").glob("articles-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        server.stop()
        server.start()
        code, err = _finish(worker)
        assert code == 0, err[-2000:]
        _assert_each_story_once(tmp_path)
