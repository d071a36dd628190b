"""Signals and overlap: SIGINT/SIGTERM publish what was extracted; a second run exits 75."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FAST, REPO, read_jsonl, run_cli

sys.path.insert(0, str(REPO / "bench"))

import crashloop
from crashloop import Site

ARTICLES = 50


@pytest.fixture(scope="module")
def slow_site() -> Iterator[Site]:
    """50 articles answering in 0.1 s each: more than Scrapy queues (32), slow to crawl."""
    with crashloop.serve_synthetic(ARTICLES, seed=21, delay=0.1) as served:
        yield served


@pytest.fixture(scope="module")
def stalled_site() -> Iterator[Site]:
    """10 articles answering in 3 s each: a crawl that holds its lock for about 15 s."""
    with crashloop.serve_synthetic(10, seed=22, delay=3.0) as served:
        yield served


@pytest.fixture
def crawls() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Crawls started by a test; any still running (hung) afterwards is killed with its workers."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        crashloop.reap_session(proc.pid, grace=0.5)


def _start(
    site: Site, out: Path, log: Path, crawls: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    """Start a crawl (one final file: no part is published before the run ends)."""
    command = crashloop.crawl_command(site.feed, out, publish_every=1000)
    crawls.append(crashloop.start(command, log))
    return crawls[-1]


def _wait_for_first_article(proc: subprocess.Popen[bytes], out: Path) -> None:
    """Block until the crawl has written its first article to its temp file."""
    deadline = time.monotonic() + 60
    while not list(out.glob(".articles-*.tmp")):
        assert proc.poll() is None, "the crawl ended before writing anything"
        assert time.monotonic() < deadline, "no article written within 60 s"
        time.sleep(0.01)


def _assert_rerun_completes_once(site: Site, out: Path) -> None:
    """A rerun exits 0 and the published files then hold every article exactly once."""
    rerun = run_cli("crawl", site.feed, "-o", str(out), "--workers", "2", *FAST)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    urls = [record["url"] for record in read_jsonl(out)]  # json.loads fails on a torn line
    assert sorted(urls) == sorted(site.urls)
    assert not list(out.glob(".*.tmp"))


def _send(proc: subprocess.Popen[bytes], signum: int, group: bool) -> None:
    """Signal the crawl alone, or its whole process group (a terminal's Ctrl-C, systemd)."""
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)


@pytest.mark.parametrize(
    ("signum", "group", "code"),
    [
        (signal.SIGINT, False, 130),
        (signal.SIGTERM, False, 143),
        (signal.SIGINT, True, 130),
        (signal.SIGTERM, True, 143),
    ],
    ids=["sigint", "sigterm", "ctrl-c-group", "sigterm-group"],
)
def test_signal_publishes_what_was_extracted(
    slow_site: Site,
    tmp_path: Path,
    crawls: list[subprocess.Popen[bytes]],
    signum: int,
    group: bool,
    code: int,
) -> None:
    out, log = tmp_path / "out", tmp_path / "crawl.log"
    proc = _start(slow_site, out, log, crawls)
    _wait_for_first_article(proc, out)
    _send(proc, signum, group)
    assert proc.wait(timeout=30) == code, log.read_text()[-2000:]
    stderr = log.read_text()
    assert "newsdedup: pages=" in stderr
    assert "Error processing" not in stderr
    assert 0 < len(read_jsonl(out)) < ARTICLES
    _assert_rerun_completes_once(slow_site, out)


def test_second_sigint_stops_at_once_and_safely(
    slow_site: Site, tmp_path: Path, crawls: list[subprocess.Popen[bytes]]
) -> None:
    out, log = tmp_path / "out", tmp_path / "crawl.log"
    proc = _start(slow_site, out, log, crawls)
    _wait_for_first_article(proc, out)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 130, log.read_text()[-2000:]
    assert "newsdedup: pages=" in log.read_text()
    _assert_rerun_completes_once(slow_site, out)


def test_overlapping_run_exits_75_at_once(
    stalled_site: Site, tmp_path: Path, crawls: list[subprocess.Popen[bytes]]
) -> None:
    out = tmp_path / "out"
    first = _start(stalled_site, out, tmp_path / "first.log", crawls)
    lock = out / ".state.sqlite.lock"
    while not (lock.exists() and lock.read_text().strip()):
        assert first.poll() is None, (tmp_path / "first.log").read_text()[-2000:]
        time.sleep(0.01)
    second = run_cli("crawl", stalled_site.feed, "-o", str(out), *FAST)
    assert first.poll() is None, "the first run ended before the second started: too fast"
    assert second.returncode == 75, second.stderr
    assert f"another run holds the state (pid {first.pid} since " in second.stderr
