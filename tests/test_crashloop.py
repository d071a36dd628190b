"""Crash safety: a crawl SIGKILLed at any moment, then rerun, publishes every article once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, read_jsonl, run_cli

sys.path.insert(0, str(REPO / "bench"))

import crashloop
from crashloop import Site, TrialPlan, TrialResult

ARTICLES = 40
PUBLISH_EVERY = 8


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """A synthetic site of 40 distinct articles on loopback."""
    with crashloop.serve_synthetic(ARTICLES, seed=11) as served:
        yield served


@pytest.fixture(scope="module")
def slow_site() -> Iterator[Site]:
    """20 articles answering in 0.4 s each, so extraction workers sit idle between pages."""
    with crashloop.serve_synthetic(20, seed=12, delay=0.4) as served:
        yield served


def _kill_after_publish(command: list[str], out: Path, log: Path, result: TrialResult) -> None:
    """Start a crawl and SIGKILL it the moment its first part appears under a final name."""
    result.runs += 1
    proc = crashloop.start(command, log)
    started = time.monotonic()
    while proc.poll() is None and not list(out.glob("articles-*.jsonl")):
        time.sleep(0.002)
    if proc.poll() is None:
        proc.kill()
        result.kill_times.append(time.monotonic() - started)
    proc.wait()
    crashloop.reap_session(proc.pid)


def _final_run(command: list[str], log: Path, result: TrialResult, site: Site, out: Path) -> None:
    """Rerun to completion and check the published files."""
    code = crashloop.run_to_end(command, log, result)
    assert code == 0, log.read_text(errors="replace")[-2000:]
    result.check.add(crashloop.check_output(out, site.urls, {}))


def test_crawl_killed_in_startup_then_mid_run_loses_and_repeats_nothing(
    site: Site, tmp_path: Path
) -> None:
    plan = TrialPlan(1, kill_at=0.3, second_kill_at=3.0)  # before the state opens, then mid-way
    result = crashloop.run_trial(site, plan, tmp_path, PUBLISH_EVERY)
    assert not result.failures
    assert result.check == crashloop.Check(), crashloop.format_row(result)


def test_kill_right_after_a_publish_loses_and_repeats_nothing(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = crashloop.crawl_command(site.feed, out, PUBLISH_EVERY)
    result = TrialResult(TrialPlan(4, None))
    _kill_after_publish(command, out, tmp_path / "killed.log", result)
    assert result.kill_times, "the crawl finished before its first part was published"
    _final_run(command, tmp_path / "final.log", result, site, out)
    assert result.check == crashloop.Check()


def _sleeping(pid: int) -> bool:
    """True when process PID is blocked (idle), not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] == "S"


def _kill_idle_workers(proc: subprocess.Popen[bytes], out: Path) -> int:
    """Once an article is written, SIGKILL the extraction workers while both are idle."""
    while proc.poll() is None and not list(out.glob(".articles-*.tmp")):
        time.sleep(0.005)
    idle_polls = 0
    while proc.poll() is None and idle_polls < 3:
        workers = [p for p in crashloop.session_pids(proc.pid) if p != proc.pid]
        idle_polls = idle_polls + 1 if workers and all(map(_sleeping, workers)) else 0
        time.sleep(0.01)
    return crashloop.kill_children(proc)


def test_crawl_survives_its_idle_workers_being_killed(slow_site: Site, tmp_path: Path) -> None:
    out, log = tmp_path / "out", tmp_path / "workers.log"
    command = crashloop.crawl_command(slow_site.feed, out, PUBLISH_EVERY)
    proc = crashloop.start(command, log)
    killed = _kill_idle_workers(proc, out)
    code = crashloop.wait_or_stall(proc, out, stall=15.0)
    crashloop.reap_session(proc.pid)
    assert killed >= 1
    assert code == 0, "crawl hung or failed after its workers were killed"
    summary = [line for line in log.read_text().splitlines() if "newsdedup: pages=" in line]
    written = int(summary[-1].split("articles=")[1].split()[0])
    assert written + crashloop.crash_drops(log) == len(slow_site.urls), summary[-1]


def _backup(state: Path, copy: Path) -> None:
    """A consistent copy of an SQLite state file (WAL included)."""
    with sqlite3.connect(state) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _restore(copy: Path, state: Path) -> None:
    """Put an older state back in place, as if the newer commits never happened."""
    for leftover in state.parent.glob(state.name + "-*"):
        leftover.unlink()
    copy.replace(state)


def _crawl(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a crawl and insist it succeeded."""
    done = run_cli("crawl", *args, "--workers", "1", "-s", "AUTOTHROTTLE_ENABLED=False")
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_published_but_uncommitted_file_is_reingested(site: Site, tmp_path: Path) -> None:
    out, older = tmp_path / "out", tmp_path / "older.sqlite"
    first = sorted(site.urls)[:20]
    (tmp_path / "first.txt").write_text("\n".join(first) + "\n", encoding="utf-8")
    _crawl(f"@{tmp_path / 'first.txt'}", "-o", str(out))
    _backup(out / ".state.sqlite", older)
    time.sleep(1.1)  # the next run gets its own file name stamp
    second = _crawl(site.feed, "-o", str(out))
    assert f"new={ARTICLES - 20}" in second.stderr
    _restore(older, out / ".state.sqlite")  # as if killed between rename and commit

    third = _crawl(site.feed, "-o", str(out))

    assert f"recovered {ARTICLES - 20} articles" in third.stderr
    assert "new=0" in third.stderr
    assert f"seen_url={ARTICLES}" in third.stderr  # nothing re-fetched either
    urls = [record["url"] for record in read_jsonl(out)]
    assert sorted(urls) == sorted(site.urls)


def test_a_run_never_overwrites_an_earlier_published_file(site: Site, tmp_path: Path) -> None:
    out, urls = tmp_path / "out", sorted(site.urls)
    for number, chunk in enumerate((urls[:3], urls[3:6])):
        (tmp_path / f"{number}.txt").write_text("\n".join(chunk) + "\n", encoding="utf-8")
        _crawl(f"@{tmp_path / f'{number}.txt'}", "-o", str(out), "-s", "NEWSDEDUP_RUN_STAMP=same")
    assert sorted(record["url"] for record in read_jsonl(out)) == urls[:6]
