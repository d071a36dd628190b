"""`newsdedup discover`: the article URLs a feed or sitemap yields, without fetching articles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from crawler.commands.common import GlobalOptions, fail

if TYPE_CHECKING:
    from crawler.discovered import DiscoveredLink


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--base-url", help="For a local file: the URL it pretends to come from.")
@click.option(
    "--jsonl",
    "as_jsonl",
    is_flag=True,
    help="Print url, title, published and source as JSON lines.",
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds to wait for a source URL.",
)
@click.pass_obj
def discover(
    opts: GlobalOptions,
    sources: tuple[str, ...],
    base_url: str | None,
    as_jsonl: bool,
    timeout: float,
) -> None:
    """Print the article URLs SOURCES (URLs or local feed/sitemap files) yield, one per line.

    \b
    Examples:
      newsdedup discover https://example.com/sitemap.xml
      newsdedup discover feed.xml.gz --base-url https://example.com/feed.xml --jsonl
    """
    seen: set[str] = set()
    for source in sources:
        for link, kind in _links(source, base_url, timeout):
            if link.url in seen:
                continue
            seen.add(link.url)
            if not as_jsonl:
                click.echo(link.url)
                continue
            record = {
                "url": link.url,
                "title": link.title,
                "published": link.published or link.lastmod,
                "source": source,
                "kind": kind,
            }
            click.echo(json.dumps(record, ensure_ascii=False))


def _links(
    source: str, base_url: str | None, timeout: float
) -> Iterator[tuple[DiscoveredLink, str]]:
    """(link, kind) pairs a source yields; a fetched sitemap index or homepage is followed once."""
    from crawler.discovery import DiscoveredLink, feed_links_from_html, parse_source

    body, url, content_type = _load(source, base_url, timeout)
    result = parse_source(body, url, content_type)
    remote = urlsplit(source).scheme in ("http", "https")
    children = result.sitemaps
    if remote and result.kind == "html":
        children = feed_links_from_html(body, url)
    if result.error and not (result.links or children):
        click.echo(f"newsdedup: {source}: nothing found ({result.error})", err=True)
    yield from ((link, result.kind) for link in result.links)
    for child in children:
        if not remote:
            yield DiscoveredLink(child), result.kind
            continue
        child_body, child_url, child_type = _fetch(child, timeout)
        child_result = parse_source(child_body, child_url, child_type)
        yield from ((link, child_result.kind) for link in child_result.links)


def _load(source: str, base_url: str | None, timeout: float) -> tuple[bytes, str, str | None]:
    """The bytes of a local file or a fetched URL, with the URL links resolve against."""
    if urlsplit(source).scheme in ("http", "https"):
        return _fetch(source, timeout)
    path = Path(source)
    try:
        body = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {source}: {exc.strerror}")
    return body, base_url or path.resolve().as_uri(), None


def _fetch(url: str, timeout: float) -> tuple[bytes, str, str | None]:
    """GET one feed or sitemap (size-capped); fail with a clear message."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "newsdedup/0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(64 * 1024 * 1024)
            return body, response.geturl(), response.headers.get("Content-Type")
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        fail(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}", 1)
    raise AssertionError("unreachable")
