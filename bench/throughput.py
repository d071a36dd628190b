"""End-to-end crawl throughput vs raw fetch and single-process extraction, with peak RSS.

Usage: .venv/bin/python bench/throughput.py [--pages 2000] [--repeats 3] [--workers 2]
       [--extract-pages 362] [--big-pages 10000] [--no-profile]

A site of --pages varied copies of the extraction-dev pages (bench/sitegen.py) is served
from a separate process; every crawl runs in a fresh subprocess. Crawls use newsdedup's
settings except throttling: -s AUTOTHROTTLE_ENABLED=False -s CONCURRENT_REQUESTS_PER_DOMAIN=16.
The bench process asks for one BLAS thread first, as the crawl and its workers do, so the
single-process extraction loop is measured the way the workers run.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sitegen import (  # noqa: E402  (needs ROOT on sys.path)
    FEED_ITEMS,
    article_page,
    article_path,
    feed_paths,
    load_templates,
    serve_bench_site,
)
from pipelines.threads import single_blas_thread  # noqa: E402  (no numpy import)

UNTHROTTLED = {"AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
PAGE_SIZE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
DEDUP_MODULES = ("pipelines/dedup.py", "pipelines/state.py", "pipelines/neardup.py",
                 "pipelines/minhash.py")  # fmt: skip
OTHER_MODULES = ("pipelines/boilerplate.py", "pipelines/export.py", "crawler/middlewares.py",
                 "pipelines/pool.py", "pebble/", "feedparser/", "crawler/feeds.py",
                 "crawler/spiders/")  # fmt: skip
PROFILE_OUT = Path(tempfile.gettempdir()) / "newsdedup-bench-crawl.prof"


@dataclass
class CrawlRun:
    """One end-to-end crawl: counts from its summary line, wall time, memory and CPU."""

    pages: int
    articles: int
    elapsed: float
    wall: float
    peak_rss_mb: float
    peak_pss_mb: float
    main_cpu: float
    worker_cpu: float
    server_cpu: float = 0.0  # the site server process, a separate process on the same cores
    summary: str = ""
    counts: dict[str, Any] = field(default_factory=dict)


class TreeSampler(threading.Thread):
    """Samples RSS/PSS of a process and its descendants from /proc every `interval` s."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0.0
        self.cpu: dict[int, float] = {}  # last CPU seconds seen per process of the tree
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.done.wait(self.interval):
            pids = [self.pid, *_descendants(self.pid)]
            self.peak_rss = max(self.peak_rss, sum(_rss_kb(p) for p in pids) / 1024)
            self.peak_pss = max(self.peak_pss, sum(_pss_kb(p) for p in pids) / 1024)
            self.cpu.update((p, max(self.cpu.get(p, 0.0), _cpu_seconds(p))) for p in pids)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self.done.set()
        self.join()

    @property
    def main_cpu(self) -> float:
        """CPU seconds of the root process at its last sample."""
        return self.cpu.get(self.pid, 0.0)

    @property
    def worker_cpu(self) -> float:
        """CPU seconds of every descendant (extraction workers) at their last samples."""
        return sum(self.cpu.values()) - self.main_cpu


@dataclass
class ProfiledCrawl:
    """The cProfile crawl: CPU seconds by module group in its main process, and /proc CPU."""

    groups: dict[str, float]  # module_cpu(): "total" and one entry per module group
    main_cpu: float  # /proc, profiler overhead included
    worker_cpu: float  # /proc; the workers are not profiled


def _read(path: str) -> str:
    """A /proc file's text, or '' if the process is gone."""
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _descendants(pid: int) -> list[int]:
    """Every live descendant of PID."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _read(f"/proc/{entry}/stat")):
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _rss_kb(pid: int) -> int:
    """Resident set size of PID in kB (0 if gone)."""
    fields = _read(f"/proc/{pid}/statm").split()
    return int(fields[1]) * PAGE_SIZE_KB if fields else 0


def _pss_kb(pid: int) -> int:
    """Proportional set size of PID in kB: shared pages split between sharers."""
    match = re.search(r"^Pss:\s+(\d+)", _read(f"/proc/{pid}/smaps_rollup"), re.M)
    return int(match.group(1)) if match else 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by PID itself."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def feeds_of(base_url: str, pages: int) -> list[str]:
    """Feed URLs of the served site."""
    return [base_url + path for path in feed_paths(pages)]


def crawl_command(feeds: list[str], output: Path, workers: int) -> list[str]:
    """The `python -m crawler crawl` command line, throttling off."""
    settings = [arg for k, v in UNTHROTTLED.items() for arg in ("-s", f"{k}={v}")]
    command = ["crawl", *feeds, "-o", str(output), "--workers", str(workers), *settings]
    return [sys.executable, "-m", "crawler", *command]


def run_sampled(command: list[str]) -> tuple[int, str, float, TreeSampler]:
    """Run COMMAND from ROOT while sampling its process tree: (exit code, stderr, wall, sampler)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.monotonic() - started
    sampler.stop()
    return proc.returncode, stderr, wall, sampler


def run_crawl(feeds: list[str], workers: int, server_pid: int) -> CrawlRun:
    """One end-to-end crawl in a fresh subprocess and output directory, with the CPU time the
    site server (process SERVER_PID) spent meanwhile."""
    server_started = _cpu_seconds(server_pid)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        code, stderr, wall, sampler = run_sampled(crawl_command(feeds, Path(tmp), workers))
    server_cpu = _cpu_seconds(server_pid) - server_started
    summary = next((ln for ln in stderr.splitlines() if ln.startswith("newsdedup: pages=")), "")
    if code != 0 or not summary:
        raise SystemExit(f"crawl failed ({code}):\n{stderr[-3000:]}")
    run = _crawl_run(summary, wall, sampler, server_cpu)
    _progress(
        f"{summary} | wall {wall:.1f}s, peak RSS {run.peak_rss_mb:.0f} MB, PSS"
        f" {run.peak_pss_mb:.0f} MB, CPU main {run.main_cpu:.1f}s workers {run.worker_cpu:.1f}s"
        f" server {server_cpu:.1f}s"
    )
    return run


def _crawl_run(summary: str, wall: float, sampler: TreeSampler, server_cpu: float) -> CrawlRun:
    """Parse the summary line into a CrawlRun."""
    counts = dict(re.findall(r"(\w+)=(\d+(?:\.\d+)?)", summary.split(" elapsed=")[0]))
    groups = dict(re.findall(r" (\w+)=\d+(\([^)]*\))", summary))
    elapsed = float(re.search(r"elapsed=([\d.]+)s", summary).group(1))  # type: ignore[union-attr]  # always printed
    return CrawlRun(
        pages=int(counts["pages"]),
        articles=int(counts["articles"]),
        elapsed=elapsed,
        wall=wall,
        peak_rss_mb=sampler.peak_rss,
        peak_pss_mb=sampler.peak_pss,
        main_cpu=sampler.main_cpu,
        worker_cpu=sampler.worker_cpu,
        server_cpu=server_cpu,
        summary=summary,
        counts={k: counts.get(k, "0") + groups.get(k, "") for k in ("duplicates", "dropped")},
    )


def run_raw_fetch(feeds: list[str]) -> tuple[int, float]:
    """(article pages fetched, seconds) of the do-nothing spider, in a fresh subprocess."""
    command = [sys.executable, __file__, "--raw-fetch-child", *feeds]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"raw fetch failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    _progress(f"raw fetch: {result['pages']} pages in {result['elapsed']:.1f} s")
    return int(result["pages"]), float(result["elapsed"])


def raw_fetch_child(feeds: list[str]) -> None:
    """Child: fetch every article of FEEDS with newsdedup's download settings, print JSON."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {**UNTHROTTLED, "ITEM_PIPELINES": {}, "SPIDER_MIDDLEWARES": {},
         "SCHEDULER": "scrapy.core.scheduler.Scheduler",  # ours opens the state: no state here
         "NEWSDEDUP_SOURCES": feeds, "LOG_LEVEL": "WARNING"},
        priority="cmdline",
    )  # fmt: skip
    started = time.monotonic()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(_raw_fetch_spider())
    process.crawl(crawler, feeds=feeds)
    process.start()
    pages = crawler.stats.get_value("rawfetch/pages", 0) if crawler.stats else 0
    print(json.dumps({"pages": pages, "elapsed": time.monotonic() - started}))


def _raw_fetch_spider() -> type:
    """A spider that reads the feeds and downloads every linked page, doing nothing with it."""
    from scrapy import Request, Spider

    class RawFetchSpider(Spider):
        name = "rawfetch"
        feeds: list[str]  # set by Spider.__init__ from the crawl(feeds=...) keyword

        async def start(self) -> Any:
            for url in self.feeds:
                yield Request(url, callback=self.parse_feed, dont_filter=True)

        def parse_feed(self, response: Any) -> Any:
            for link in re.findall(r"<link>([^<]+\.html)</link>", response.text):
                yield Request(link, callback=self.parse_page)

        def parse_page(self, response: Any) -> None:
            self.crawler.stats.inc_value("rawfetch/pages")

    return RawFetchSpider


def extraction_rates(count: int, repeats: int) -> dict[str, float]:
    """Median pages/s of extract_article and plain trafilatura.extract in a plain loop."""
    import trafilatura

    from pipelines.extraction import NoArticle, extract_article

    templates = load_templates()
    pages = [
        (article_page(templates[i % len(templates)], i), f"http://127.0.0.1{article_path(i)}")
        for i in range(count)
    ]

    def ours(body: bytes, url: str) -> None:
        with contextlib.suppress(NoArticle):
            extract_article(body, url)

    def plain(body: bytes, url: str) -> None:
        trafilatura.extract(body, url=url)

    rates: dict[str, float] = {}
    for name, fn in (("ours", ours), ("plain", plain)):
        rates[name], rates[f"{name}_cpu_ms"] = _median_rate(fn, pages, repeats)
    rates["hashing"], rates["hashing_cpu_ms"] = _median_rate(_worker_hashing, pages, repeats)
    return rates


def _worker_hashing(body: bytes, url: str) -> None:
    """What a worker adds to extraction for dedup: line hashes, content hash, signature
    (pipelines.analysis.analyse_page minus extract_article; extraction is memoised)."""
    from pipelines.boilerplate import TextLines
    from pipelines.minhash import NearDupConfig, signature_and_prose_lines
    from pipelines.texthash import content_hash

    text = _extracted_text(body, url)
    TextLines.of(text)
    content_hash(text)
    signature_and_prose_lines(text, NearDupConfig())


@functools.cache
def _extracted_text(body: bytes, url: str) -> str:
    """extract_article's text of one page ('' when it has none), computed once."""
    from pipelines.extraction import NoArticle, extract_article

    try:
        return extract_article(body, url).text
    except NoArticle:
        return ""


def _median_rate(
    fn: Callable[[bytes, str], None], pages: list[tuple[bytes, str]], n: int
) -> tuple[float, float]:
    """Median pages/s (wall) and CPU ms/page of FN over PAGES in N loops, after a warm-up."""
    fn(*pages[0])
    rates, cpu = [], []
    for _ in range(n):
        started, cpu_started = time.perf_counter(), time.process_time()
        for body, url in pages:
            fn(body, url)
        rates.append(len(pages) / (time.perf_counter() - started))
        cpu.append(1000 * (time.process_time() - cpu_started) / len(pages))
    return statistics.median(rates), statistics.median(cpu)


def profile_crawl(feeds: list[str], workers: int) -> ProfiledCrawl:
    """CPU seconds (cProfile, process_time) by module group in the crawl's main process, and
    the /proc CPU of its main process and workers (its wall time is not used: cProfile slows
    the main process)."""
    with tempfile.TemporaryDirectory(prefix="bench-prof-") as tmp:
        args = crawl_command(feeds, Path(tmp), workers)[3:]
        command = [sys.executable, __file__, "--profile-child", str(PROFILE_OUT), "--", *args]
        PROFILE_OUT.unlink(missing_ok=True)
        _, stderr, _, sampler = run_sampled(command)
    if not PROFILE_OUT.exists():
        raise SystemExit(f"profiled crawl failed:\n{stderr[-3000:]}")
    _progress(f"profiled crawl: CPU main {sampler.main_cpu:.1f}s workers {sampler.worker_cpu:.1f}s")
    return ProfiledCrawl(module_cpu(PROFILE_OUT), sampler.main_cpu, sampler.worker_cpu)


def profile_child(out: str, args: list[str]) -> None:
    """Child: run the CLI with ARGS under cProfile measuring CPU time, dump stats to OUT."""
    import cProfile

    from crawler.cli import cli

    profiler = cProfile.Profile(time.process_time)
    try:
        profiler.runcall(cli.main, args=args, prog_name="newsdedup")
    except SystemExit:
        pass
    finally:
        profiler.dump_stats(out)


def module_cpu(path: Path) -> dict[str, float]:
    """Inclusive CPU seconds entering each module group from outside it, plus the total."""
    import pstats

    stats: dict[Any, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]  # documented dict
    total = sum(tt for _, _, tt, _, _ in stats.values())
    groups = {"dedup+state": DEDUP_MODULES, **{m: (m,) for m in OTHER_MODULES}}
    result = {"total": total}
    for name, modules in groups.items():
        inside = [f for f in stats if any(m in f[0] for m in modules)]
        result[name] = sum(
            row[3]
            for func in inside
            for caller, row in stats[func][4].items()
            if not any(m in caller[0] for m in modules)
        )
    return result


def big_crawl(pages: int, workers: int) -> CrawlRun:
    """One crawl of a PAGES-article site (its own server process)."""
    with serve_bench_site(pages) as site:
        return run_crawl(feeds_of(site.base_url, pages), workers, site.pid)


def _row(name: str, value: float, unit: str, note: str = "") -> str:
    """One table row."""
    return f"  {name:<46} {value:>9.1f} {unit:<7} {note}".rstrip()


def print_crawls(runs: list[CrawlRun], label: str) -> None:
    """Table rows for a set of crawl runs (medians), then each run's summary line."""
    med = statistics.median
    rows = (
        ("pages/s (pages / summary elapsed)", med(r.pages / r.elapsed for r in runs), "pages/s"),
        ("articles/s (articles / elapsed)", med(r.articles / r.elapsed for r in runs), "art/s"),
        ("articles/s (articles / process wall)", med(r.articles / r.wall for r in runs), "art/s"),
        ("peak RSS, crawl + workers (sum)", med(r.peak_rss_mb for r in runs), "MB"),
        ("peak PSS, crawl + workers (sum)", med(r.peak_pss_mb for r in runs), "MB"),
        ("main-process CPU / process wall", 100 * med(r.main_cpu / r.wall for r in runs), "%"),
        ("main-process CPU per page", 1000 * med(r.main_cpu / r.pages for r in runs), "ms"),
        ("worker CPU per page (sum)", 1000 * med(r.worker_cpu / r.pages for r in runs), "ms"),
        ("site server CPU per page", 1000 * med(r.server_cpu / r.pages for r in runs), "ms"),
    )  # fmt: skip
    for name, value, unit in rows:
        print(_row(f"{label} {name}", value, unit))
    for run in runs:
        print(f"    {run.summary}")


def _progress(message: str) -> None:
    """A progress line on stderr (the table goes to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Results:
    """Everything one bench run measured."""

    raw: list[tuple[int, float]]
    e2e: list[CrawlRun]
    extract: dict[str, float]
    profile: ProfiledCrawl | None
    big: CrawlRun | None
    load: tuple[float, float]  # 1-minute load average at start and end


def measure(args: argparse.Namespace) -> Results:
    """Run every measurement; the site is served only while crawls run."""
    load_start = os.getloadavg()[0]
    with serve_bench_site(args.pages) as site:
        feeds = feeds_of(site.base_url, args.pages)
        _progress(f"site of {args.pages} pages at {site.base_url}; raw fetch x{args.repeats}")
        raw = [run_raw_fetch(feeds) for _ in range(args.repeats)]
        _progress(f"end-to-end crawl x{args.repeats} --workers {args.workers}")
        e2e = [run_crawl(feeds, args.workers, site.pid) for _ in range(args.repeats)]
        profile = None
        if args.profile:
            _progress(f"profiled crawl of the first feed ({FEED_ITEMS} pages) --workers 2")
            profile = profile_crawl(feeds[:1], 2)
    _progress(f"single-process extraction of {args.extract_pages} pages x{args.repeats}")
    extract = extraction_rates(args.extract_pages, args.repeats)
    big = None
    if args.big_pages:
        _progress(f"one crawl of {args.big_pages} pages")
        big = big_crawl(args.big_pages, args.workers)
    return Results(raw, e2e, extract, profile, big, (load_start, os.getloadavg()[0]))


def report(args: argparse.Namespace, res: Results) -> None:
    """Print the results table, ratios and target checks."""
    med = statistics.median
    fetch = med(pages / secs for pages, secs in res.raw)
    e2e = med(r.pages / r.elapsed for r in res.e2e)
    print(f"throughput: {args.pages} pages, medians of {args.repeats}, --workers {args.workers},"
          f" {os.cpu_count()} CPUs; crawls with -s AUTOTHROTTLE_ENABLED=False"
          " -s CONCURRENT_REQUESTS_PER_DOMAIN=16")  # fmt: skip
    print(_row("1. raw fetch (do-nothing spider)", fetch, "pages/s"))
    print(_row(f"2. extract_article, 1 process ({args.extract_pages} pages)",
               res.extract["ours"], "pages/s"))  # fmt: skip
    print(_row("   extract_article CPU per page", res.extract["ours_cpu_ms"], "ms"))
    print(_row("   trafilatura.extract, 1 process (reference)", res.extract["plain"], "pages/s"))
    print(_row("   trafilatura.extract CPU per page", res.extract["plain_cpu_ms"], "ms"))
    print(_row("   worker hashing + signing CPU per page", res.extract["hashing_cpu_ms"], "ms",
               "line hashes, content hash, MinHash (in analyse_page)"))  # fmt: skip
    print_crawls(res.e2e, "3. crawl")
    report_ratios(res, fetch, e2e)
    if res.profile:
        report_profile(res.profile, res.extract["hashing_cpu_ms"])
    if res.big:
        report_big(res.e2e, res.big)


def report_ratios(res: Results, fetch: float, e2e: float) -> None:
    """Wall-clock ratios, and CPU-time ratios that a loaded machine does not distort."""
    print(
        _row("ratio 3/1 (e2e / raw fetch)", 100 * e2e / fetch, "%", "target >= 90% if fetch-bound")
    )
    print(_row("ratio 3/2 (e2e / 1-process extraction)", e2e / res.extract["ours"], "x",
               "target >= 1.7x"))  # fmt: skip
    report_cpu(res.e2e, res.extract["ours_cpu_ms"])
    print(f"  load average during the run: {res.load[0]:.1f} at start, {res.load[1]:.1f} at end"
          " (other jobs on the machine inflate wall times)")  # fmt: skip


def report_cpu(runs: list[CrawlRun], extract_ms: float) -> None:
    """CPU ms per page of the crawl, without and with the site server, and the rates that
    idle cores could reach at those costs, vs EXTRACT_MS per page in one process."""
    med = statistics.median
    crawl_ms = med(1000 * (r.main_cpu + r.worker_cpu) / r.pages for r in runs)
    total_ms = med(1000 * (r.main_cpu + r.worker_cpu + r.server_cpu) / r.pages for r in runs)
    print(_row("crawl CPU per page (main + workers)", crawl_ms, "ms",
               f"vs {extract_ms:.1f} ms in one process"))  # fmt: skip
    _ceiling_row("", crawl_ms, extract_ms)
    print(_row("crawl + server CPU per page", total_ms, "ms",
               "main + workers + site server (shares the cores)"))  # fmt: skip
    _ceiling_row(" incl. server", total_ms, extract_ms)


def _ceiling_row(suffix: str, ms: float, extract_ms: float) -> None:
    """The rate idle cores could reach at MS CPU per page, as a multiple of 1-process extraction."""
    cores = os.cpu_count() or 1
    gain = extract_ms * cores / ms
    print(_row(f"CPU-bound ceiling{suffix} on {cores} idle cores", 1000 * cores / ms, "pages/s",
               f"= {gain:.2f}x 1-process extraction (CPU time)"))  # fmt: skip


def report_profile(profile: ProfiledCrawl, hashing_ms: float) -> None:
    """CPU share of each module group in the profiled crawl's main process, and dedup+state's
    share of the whole crawl's CPU (main + workers), counting the workers' hashing+signing."""
    total = profile.groups["total"]
    print(f"  main-process CPU under cProfile ({FEED_ITEMS} pages, --workers 2): {total:.1f} s;"
          f" inclusive shares (stats: {PROFILE_OUT}):")  # fmt: skip
    for name, secs in profile.groups.items():
        if name != "total":
            print(_row(f"  {name}", 100 * secs / total, "%", f"{secs:.1f} s"))
    main, workers = profile.main_cpu, profile.worker_cpu
    signing = hashing_ms * FEED_ITEMS / 1000
    dedup = profile.groups["dedup+state"] + signing
    print(_row("  dedup+state share of end-to-end CPU", 100 * dedup / (main + workers), "%",
               f"({profile.groups['dedup+state']:.1f} s main + {signing:.1f} s worker signing)"
               f" / ({main:.1f} s main + {workers:.1f} s workers); target < 10%"))  # fmt: skip


def report_big(runs: list[CrawlRun], big: CrawlRun) -> None:
    """Peak memory flatness between the main page count and the big crawl."""
    small_rss = statistics.median(r.peak_rss_mb for r in runs)
    small_pss = statistics.median(r.peak_pss_mb for r in runs)
    print_crawls([big], f"{big.pages}p")
    print(_row("peak RSS growth vs the small crawl", 100 * (big.peak_rss_mb / small_rss - 1), "%",
               "target within 10%"))  # fmt: skip
    print(_row("peak PSS growth vs the small crawl", 100 * (big.peak_pss_mb / small_pss - 1), "%"))


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="articles on the site")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement")
    parser.add_argument("--workers", type=int, default=2, help="crawl --workers")
    parser.add_argument("--extract-pages", type=int, default=362, help="pages for rate 2")
    parser.add_argument("--big-pages", type=int, default=10000, help="flatness crawl (0: skip)")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the cProfile crawl")  # fmt: skip
    return parser.parse_args()


def main() -> None:
    """Dispatch to a child mode or run the whole benchmark."""
    single_blas_thread()  # before numpy loads: extraction here runs as in the crawl's workers
    if sys.argv[1:2] == ["--raw-fetch-child"]:
        raw_fetch_child(sys.argv[2:])
    elif sys.argv[1:2] == ["--profile-child"]:
        profile_child(sys.argv[2], sys.argv[4:])
    else:
        args = parse_args()
        report(args, measure(args))


if __name__ == "__main__":
    main()
