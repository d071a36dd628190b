"""Build and serve a large benchmark site from the extraction-dev pages.

Each of the N article pages is a copy of one of the 181 real pages with a new title, a
distinct generated paragraph and ~40% of its prose words replaced by other words of the
same page, so that neither the exact nor the near-duplicate stage merges the copies.
The site is served from a separate process by a threaded http.server on 127.0.0.1;
`serve_bench_site` yields its base URL and that process's pid (for its CPU time).
"""

from __future__ import annotations

import gzip
import multiprocessing as mp
import os
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from multiprocessing.connection import Connection
from pathlib import Path
from xml.sax.saxutils import escape

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction-dev" / "html"
FEED_ITEMS = 500  # articles per RSS feed
REPLACE_SHARE = 0.4  # share of prose words replaced in each copy
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
Pages = dict[str, tuple[str, bytes]]  # URL path -> (Content-Type, body)

_PROTECTED = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->)", re.S | re.I)
_TEXT = re.compile(r">([^<>]+)<")
_LD_BODY = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"')
_WORD = re.compile(r"(?<![&#\w\\])[^\W\d_]{3,}(?![\w;])")
_TITLE = re.compile(r"(<title[^>]*>)(.*?)(</title>)", re.S | re.I)
_H1 = re.compile(r"(<h1[^>]*>)", re.I)
_PARA_END = re.compile(r"</p\s*>", re.I)


@dataclass(frozen=True)
class Template:
    """One real page split into protected HTML and prose text runs."""

    parts: list[str]  # even index: markup kept as is; odd index: prose run to vary
    vocabulary: list[str]  # the page's own words, the source of replacements


def load_templates(folder: Path = DATA) -> list[Template]:
    """Templates of every extraction-dev page, in file-name order."""
    files = sorted(folder.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"no pages in {folder} (see /work/shared/data/extraction-dev)")
    return [_template(gzip.decompress(f.read_bytes()).decode("utf-8", "replace")) for f in files]


def _template(html: str) -> Template:
    """Split a page into markup and prose runs: text nodes and JSON-LD article bodies."""
    parts: list[str] = [""]
    for i, chunk in enumerate(_PROTECTED.split(html)):
        pattern = _LD_BODY if i % 2 else _TEXT
        last = 0
        for match in pattern.finditer(chunk):
            if _is_prose(match.group(1)):
                parts[-1] += chunk[last : match.start(1)]
                parts += [match.group(1), ""]
                last = match.end(1)
        parts[-1] += chunk[last:]
    words = [w for run in parts[1::2] for w in _WORD.findall(run)]
    return Template(parts, words or ["lorem", "ipsum", "dolor", "sit", "amet"])


def _is_prose(text: str) -> bool:
    """Four or more words, or 20+ characters of a script written without spaces."""
    return len(text.split()) >= 4 or len(text.strip()) >= 20


def article_page(template: Template, index: int) -> bytes:
    """Copy INDEX of a template: varied prose, a distinct paragraph, a numbered title."""
    rng = random.Random(index)
    vocab = template.vocabulary

    def vary(match: re.Match[str]) -> str:
        return rng.choice(vocab) if rng.random() < REPLACE_SHARE else match.group(0)

    parts = list(template.parts)
    for i in range(1, len(parts), 2):
        parts[i] = _WORD.sub(vary, parts[i])
    html = "".join(parts)
    html = _TITLE.sub(lambda m: f"{m.group(1)}Copy {index}: {m.group(2)}{m.group(3)}", html, 1)
    html = _H1.sub(lambda m: f"{m.group(1)}Copy {index}: ", html, 1)
    return _insert_paragraph(html, _paragraph(rng, vocab, index)).encode("utf-8")


def _paragraph(rng: random.Random, vocab: list[str], index: int) -> str:
    """A paragraph of 60 generated words, unique to this copy."""
    words = " ".join(rng.choice(vocab) for _ in range(60))
    return f"<p>Bulletin {index}: {words}.</p>"


def _insert_paragraph(html: str, paragraph: str) -> str:
    """Insert PARAGRAPH after the first </p> of the page's middle third (or before </body>)."""
    match = _PARA_END.search(html, len(html) // 3)
    if match is None:
        return html.replace("</body>", paragraph + "</body>", 1)
    return html[: match.end()] + paragraph + html[match.end() :]


def article_path(index: int) -> str:
    """URL path of article INDEX."""
    return f"/news/{index // 1000:03d}/story-{index:05d}.html"


def feed_paths(pages: int) -> list[str]:
    """URL paths of the RSS feeds listing PAGES articles, FEED_ITEMS per feed."""
    return [f"/feeds/feed-{i}.xml" for i in range((pages + FEED_ITEMS - 1) // FEED_ITEMS)]


def _feed(base_url: str, indexes: range) -> bytes:
    """An RSS 2.0 feed listing the articles in INDEXES."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>Story {i}</title><link>{base_url}{article_path(i)}</link>"
        f"<guid>{base_url}{article_path(i)}</guid>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate></item>"
        for i in indexes
    )
    channel = f"<title>{escape('Bench news')}</title><link>{base_url}/</link>{items}"
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}</channel></rss>'.encode()


def build_site(base_url: str, pages: int, templates: list[Template] | None = None) -> Pages:
    """Every path of a site with PAGES articles, their feeds and a robots.txt."""
    templates = templates or load_templates()
    site: Pages = {"/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")}
    for i in range(pages):
        site[article_path(i)] = (HTML, article_page(templates[i % len(templates)], i))
    for n, path in enumerate(feed_paths(pages)):
        indexes = range(n * FEED_ITEMS, min(pages, (n + 1) * FEED_ITEMS))
        site[path] = (RSS, _feed(base_url, indexes))
    return site


def _serve(pages: int, conn: Connection) -> None:
    """Child process: build the site, serve it, report its base URL and pid, wait for 'stop'."""
    from crawler.demo.server import serve_site

    with serve_site(lambda base: build_site(base, pages)) as server:
        conn.send((server.base_url, os.getpid()))
        conn.recv()


@dataclass(frozen=True)
class BenchSite:
    """A served bench site: its base URL and the pid of the process serving it."""

    base_url: str
    pid: int  # for reading the server's CPU time from /proc


@contextmanager
def serve_bench_site(pages: int) -> Iterator[BenchSite]:
    """Serve a PAGES-article site from a separate process; yield its URL and server pid."""
    parent, child = mp.Pipe()
    process = mp.get_context("spawn").Process(target=_serve, args=(pages, child), daemon=True)
    process.start()
    try:
        base_url, pid = parent.recv()
        yield BenchSite(base_url, pid)
    finally:
        parent.send("stop")
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
