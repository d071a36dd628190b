"""Crash-safety bench: SIGKILL `newsdedup crawl` at random moments, rerun, count loss and repeats.

Usage: .venv/bin/python bench/crashloop.py [--trials 30] [--seed 7] [--articles 300] [--jobs 2]

Serves a synthetic site on 127.0.0.1 and times un-killed calibration runs (--jobs side by
side, as the trials run). Then per trial: a fresh output folder, a crawl SIGKILLed at a random
moment (sometimes a second run killed too; sometimes only the extraction workers are killed
and the crawl must finish by itself), then a rerun to completion. Every articles-*.jsonl
visible under its final name is checked against the site's article URLs: each must appear
exactly once, every line complete, no file changed once visible, no temp file left over.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

EXIT_LOCKED = 75
TRIAL_TIMEOUT = 300.0  # seconds any single crawl may take before the bench gives up on it
STALL = 20.0  # seconds without any change in the output folder: the crawl is hung


@dataclass(frozen=True)
class TrialPlan:
    """When to kill what in one trial (seconds after the crawl process starts)."""

    index: int
    kill_at: float | None  # SIGKILL the first crawl; None: it runs to the end
    second_kill_at: float | None = None  # SIGKILL the second crawl too
    worker_kill_at: float | None = None  # SIGKILL the first crawl's extraction workers


@dataclass
class Check:
    """What the published files of one output folder hold, against the site's articles."""

    lost: int = 0
    duplicated: int = 0
    partial: int = 0
    stray: int = 0
    changed: int = 0
    unpublished: int = 0  # kept in state but in no published file

    def add(self, other: Check) -> None:
        """Accumulate another check into this one."""
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def ok(self) -> bool:
        """True when nothing was lost, repeated, torn, left over or rewritten."""
        return not any(vars(self).values())


@dataclass
class TrialResult:
    """One trial: what was killed, and the final check."""

    plan: TrialPlan
    check: Check = field(default_factory=Check)
    kill_times: list[float] = field(default_factory=list)
    workers_killed: int = 0
    crash_drops: int = 0
    runs: int = 0
    lock_retries: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Site:
    """The crawl target: feed URL and the article URLs it lists."""

    feed: str
    urls: frozenset[str]


def site_urls(feed_body: bytes) -> frozenset[str]:
    """The article URLs a feed lists."""
    import feedparser

    return frozenset(entry["link"] for entry in feedparser.parse(feed_body).entries)


@contextmanager
def serve_synthetic(articles: int, seed: int, delay: float = 0.0) -> Iterator[Site]:
    """Serve a synthetic site of ARTICLES articles on loopback (optional per-page delay)."""
    from crawler.demo.server import serve_site
    from crawler.demo.synthetic import build_synthetic_site

    with serve_site(lambda base: build_synthetic_site(base, articles, seed)) as server:
        if delay > 0:
            _slow_down(server, delay)
        yield Site(server.url("/feed.xml"), site_urls(server.pages["/feed.xml"][1]))


def _slow_down(server: object, delay: float) -> None:
    """Make every article page (not the feed) take DELAY seconds to answer."""
    lookup = server.lookup  # type: ignore[attr-defined]  # DemoServer, kept untyped for tests

    def slow(raw_path: str) -> tuple[int, str, bytes, str | None]:
        if raw_path.endswith("/"):
            time.sleep(delay)
        return lookup(raw_path)  # type: ignore[no-any-return]  # DemoServer.lookup

    server.lookup = slow  # type: ignore[attr-defined]  # instance override of a method


def crawl_command(feed: str, out: Path, publish_every: int = 25) -> list[str]:
    """The crawl under test."""
    options = (
        f"--workers 2 -s NEWSDEDUP_PUBLISH_EVERY={publish_every} -s AUTOTHROTTLE_ENABLED=False"
    )
    return [sys.executable, "-m", "crawler", "crawl", feed, "-o", str(out), *options.split()]


def start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a crawl in its own session (so leftovers can be found), stderr to LOG."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with log.open("ab") as handle:
        return subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
        )


def wait_until(proc: subprocess.Popen[bytes], started: float, at: float) -> bool:
    """Wait until AT seconds after STARTED; False if the process ended first."""
    try:
        proc.wait(timeout=max(0.0, started + at - time.monotonic()))
    except subprocess.TimeoutExpired:
        return True
    return False


def kill_at(proc: subprocess.Popen[bytes], started: float, at: float) -> float | None:
    """SIGKILL PROC at AT seconds; the actual kill time, or None if it finished first."""
    if not wait_until(proc, started, at):
        return None
    proc.kill()
    killed = time.monotonic() - started
    proc.wait()
    return killed


def session_pids(sid: int) -> list[int]:
    """Live processes of session SID (the crawl and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def kill_children(proc: subprocess.Popen[bytes]) -> int:
    """SIGKILL every process of the crawl's session except the crawl itself."""
    count = 0
    for pid in session_pids(proc.pid):
        if pid != proc.pid:
            try:
                os.kill(pid, signal.SIGKILL)
                count += 1
            except ProcessLookupError:
                pass
    return count


def kill_workers(proc: subprocess.Popen[bytes], patience: float = 15.0) -> int:
    """SIGKILL the crawl's workers, waiting up to PATIENCE s for them to be started."""
    deadline = time.monotonic() + patience
    while not (killed := kill_children(proc)) and proc.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return killed


def reap_session(sid: int, grace: float = 2.0) -> int:
    """Wait for a killed crawl's orphans to exit; SIGKILL and count any still alive."""
    deadline = time.monotonic() + grace
    while (left := session_pids(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(left)


def read_published(out: Path) -> tuple[Counter[str], int]:
    """URL counts over every articles-*.jsonl under its final name, and torn/bad lines."""
    urls: Counter[str] = Counter()
    partial = 0
    for path in sorted(out.glob("articles-*.jsonl")):
        data = path.read_bytes()
        lines = data.split(b"\n")
        if lines[-1]:
            partial += 1  # last line without its newline
        for line in lines[:-1]:
            try:
                urls[json.loads(line)["url"]] += 1
            except (ValueError, KeyError):
                partial += 1
    return urls, partial


def snapshot(out: Path) -> dict[str, str]:
    """Digest of every file visible under a final articles-*.jsonl name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.glob("articles-*")}


def state_urls(out: Path) -> set[str]:
    """URLs of the articles the state remembers as kept."""
    path = out / ".state.sqlite"
    if not path.exists():
        return set()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()


def check_output(out: Path, expected: frozenset[str], seen: dict[str, str]) -> Check:
    """Compare the published files with EXPECTED; SEEN are digests of files seen earlier."""
    urls, partial = read_published(out)
    now = snapshot(out)
    return Check(
        lost=len(expected - urls.keys()),
        duplicated=sum(count - 1 for count in urls.values() if count > 1),
        partial=partial,
        stray=len(list(out.glob("*.tmp"))) + len(list(out.glob(".*.tmp"))),
        changed=sum(1 for name, digest in seen.items() if now.get(name) != digest),
        unpublished=len(state_urls(out) - urls.keys()),
    )


def run_to_end(command: list[str], log: Path, result: TrialResult) -> int:
    """Run the crawl until it exits other than 75 (a lock left by orphans); its exit code."""
    for _ in range(20):
        result.runs += 1
        proc = start(command, log)
        code = proc.wait(timeout=TRIAL_TIMEOUT)
        if code != EXIT_LOCKED:
            return code
        result.lock_retries += 1
        time.sleep(0.5)
    return EXIT_LOCKED


def crash_drops(log: Path) -> int:
    """extract_crash drops reported in the last summary line of LOG."""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if "newsdedup: " in ln]
    if not lines or "extract_crash=" not in lines[-1]:
        return 0
    return int(lines[-1].split("extract_crash=")[1].split(",")[0].split(")")[0])


def record_visible(out: Path, seen: dict[str, str], result: TrialResult) -> None:
    """After a kill: count torn lines in visible files and remember their digests."""
    result.check.partial += read_published(out)[1]
    for name, digest in snapshot(out).items():
        if seen.setdefault(name, digest) != digest:
            result.check.changed += 1
            seen[name] = digest


def killed_run(command: list[str], log: Path, at: float, result: TrialResult) -> None:
    """Start a crawl and SIGKILL it AT seconds in (it may finish first)."""
    result.runs += 1
    proc = start(command, log)
    killed = kill_at(proc, time.monotonic(), at)
    if killed is not None:
        result.kill_times.append(killed)
    elif proc.returncode != 0:
        result.failures.append(f"unkilled run exited {proc.returncode}")
    if lingering := reap_session(proc.pid):
        result.failures.append(f"{lingering} worker(s) outlived the killed crawl by 2 s")


def _activity(out: Path) -> tuple[tuple[str, int], ...]:
    """Names and sizes of everything in OUT (temp files and the state WAL included)."""
    if not out.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size) for p in out.iterdir() if p.is_file()))


def wait_or_stall(proc: subprocess.Popen[bytes], out: Path, stall: float = STALL) -> int | None:
    """Wait for PROC's exit code; None (and SIGKILL it) if OUT stops changing for STALL s."""
    last, since = _activity(out), time.monotonic()
    while proc.poll() is None:
        time.sleep(0.2)
        if (now := _activity(out)) != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > stall:
            proc.kill()
            proc.wait()
            return None
    return proc.returncode


def worker_crash_run(command: list[str], log: Path, at: float, result: TrialResult) -> None:
    """SIGKILL the crawl's extraction workers AT seconds in; the crawl must still exit 0."""
    result.runs += 1
    proc = start(command, log)
    if wait_until(proc, time.monotonic(), at):
        result.workers_killed += kill_workers(proc)
    code = wait_or_stall(proc, Path(command[command.index("-o") + 1]))
    if code is None:
        result.failures.append(
            f"crawl hung after its workers were killed (no output for {STALL:g} s)"
        )
    elif code != 0:
        result.failures.append(f"crawl with killed workers exited {code}")
    result.crash_drops += crash_drops(log)
    reap_session(proc.pid)


def run_trial(site: Site, plan: TrialPlan, root: Path, publish_every: int) -> TrialResult:
    """Kill, kill again or kill workers as planned, rerun to the end, check the output."""
    out = root / f"trial-{plan.index:02d}"
    out.mkdir(parents=True)
    command = crawl_command(site.feed, out / "out", publish_every)
    result, seen = TrialResult(plan), dict[str, str]()
    started = time.monotonic()
    steps = [
        (plan.worker_kill_at, worker_crash_run),
        (plan.kill_at, killed_run),
        (plan.second_kill_at, killed_run),
    ]
    for number, (at, step) in enumerate(steps):
        if at is not None:
            step(command, out / f"run-{number}.log", at, result)
            if (out / "out").is_dir():
                record_visible(out / "out", seen, result)
    code = run_to_end(command, out / "final.log", result)
    if code != 0:
        result.failures.append(f"final run exited {code}")
    result.check.add(check_output(out / "out", site.urls, seen))
    result.seconds = time.monotonic() - started
    return result


def plan_trials(trials: int, seed: int, expected: float) -> list[TrialPlan]:
    """Seeded kill moments: uniform over the run, some in start-up, some near the end."""
    rng = random.Random(seed)
    plans = []
    for i in range(trials):
        if i % 10 == 0:
            kill = rng.uniform(0.05, 1.5)  # during start-up / recovery
        elif i % 10 == 9:
            kill = rng.uniform(0.9, 1.0) * expected  # last parts and close-down
        else:
            kill = rng.uniform(0.0, expected)
        second = rng.uniform(0.05, max(1.0, expected - kill + 2.0))
        worker = rng.uniform(0.15, 0.5) * expected
        if i % 5 == 2:  # the crawl must survive its workers' death and finish by itself
            plans.append(TrialPlan(i + 1, None, None, worker))
        else:
            plans.append(TrialPlan(i + 1, kill, second if rng.random() < 0.3 else None))
    return plans


def _calibration_run(site: Site, out: Path, publish_every: int) -> float:
    """Seconds one un-killed crawl of the whole site takes (its output must be perfect)."""
    out.mkdir(parents=True)
    result = TrialResult(TrialPlan(0, None))
    started = time.monotonic()
    code = run_to_end(crawl_command(site.feed, out / "out", publish_every), out / "r.log", result)
    elapsed = time.monotonic() - started
    check = check_output(out / "out", site.urls, {})
    if code != 0 or not check.ok:
        sys.exit(f"calibration run failed (exit {code}, {check}); see {out / 'r.log'}")
    return elapsed


def calibrate(site: Site, root: Path, publish_every: int, jobs: int) -> float:
    """Mean duration of JOBS un-killed crawls run side by side (as the trials will be)."""
    outs = [root / f"calibration-{job}" for job in range(jobs)]
    with ThreadPoolExecutor(jobs) as pool:
        times = list(pool.map(lambda out: _calibration_run(site, out, publish_every), outs))
    return statistics.mean(times)


_HEADER = (
    f"{'trial':>5} {'kill1':>6} {'kill2':>6} {'wkill':>6} {'runs':>4} {'lost':>4} {'dup':>4} "
    f"{'part':>4} {'stray':>5} {'chg':>4} {'unpub':>5} {'secs':>5}  result"
)


def _cell(value: float | None) -> str:
    """A time cell: seconds with one decimal, or '-'."""
    return "-" if value is None else f"{value:.1f}"


def format_row(result: TrialResult) -> str:
    """One table row for a trial."""
    kills = [*result.kill_times, None, None]
    wkill = f"{result.workers_killed}w/{result.crash_drops}d" if result.workers_killed else "-"
    c = result.check
    verdict = "ok" if c.ok and not result.failures else "FAIL " + "; ".join(result.failures)
    return (
        f"{result.plan.index:>5} {_cell(kills[0]):>6} {_cell(kills[1]):>6} {wkill:>6} "
        f"{result.runs:>4} {c.lost:>4} {c.duplicated:>4} {c.partial:>4} {c.stray:>5} "
        f"{c.changed:>4} {c.unpublished:>5} {result.seconds:>5.1f}  {verdict}"
    )


def format_totals(results: list[TrialResult], elapsed: float) -> str:
    """The totals line."""
    total = Check()
    for result in results:
        total.add(result.check)
    kills = [t for r in results for t in r.kill_times]
    median = statistics.median(kills) if kills else 0.0
    failed = sum(1 for r in results if r.failures or not r.check.ok)
    return (
        f"totals: trials={len(results)} crawl_kills={len(kills)} "
        f"worker_kills={sum(r.workers_killed for r in results)} "
        f"crash_drops={sum(r.crash_drops for r in results)} lost={total.lost} "
        f"duplicated={total.duplicated} partial_lines={total.partial} stray_temp={total.stray} "
        f"changed_files={total.changed} unpublished_in_state={total.unpublished} "
        f"lock_retries={sum(r.lock_retries for r in results)} failed_trials={failed} "
        f"median_kill={median:.1f}s elapsed={elapsed:.0f}s"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--publish-every", type=int, default=25)
    parser.add_argument("--jobs", type=int, default=2, help="trials run side by side")
    parser.add_argument("--keep", type=Path, help="keep trial folders here (default: temp)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the bench; exit 1 if any trial lost, repeated or tore anything."""
    args = parse_args(argv)
    began = time.monotonic()
    with serve_synthetic(args.articles, args.seed) as site, tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        expected = calibrate(site, root, args.publish_every, args.jobs)
        print(f"site: {len(site.urls)} articles, calibration run {expected:.1f}s", flush=True)
        print(_HEADER, flush=True)
        results = []
        plans = plan_trials(args.trials, args.seed, expected)
        with ThreadPoolExecutor(args.jobs) as pool:
            running = [pool.submit(run_trial, site, p, root, args.publish_every) for p in plans]
            for future in as_completed(running):
                results.append(future.result())
                print(format_row(results[-1]), flush=True)
    print(format_totals(results, time.monotonic() - began), flush=True)
    return 0 if all(r.check.ok and not r.failures for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
