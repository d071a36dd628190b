"""`newsdedup demo`: serve the bundled demo news site on 127.0.0.1 and crawl its feeds."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.commands.common import GlobalOptions, fail, output_option, run_or_fail

if TYPE_CHECKING:
    from crawler.runner import CrawlResult

DEMO_FEEDS = ("/herald/feed.xml", "/tribune/atom.xml")
DEMO_PORT = 8642  # fixed, so a second run sees the same URLs and skips them


@click.command()
@output_option
@click.option(
    "--workers",
    type=int,
    default=0,
    show_default=True,
    help="Extraction processes (0 = one per CPU).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEMO_PORT,
    show_default=True,
    help="Port of the demo site on 127.0.0.1 (URLs, hence ids, include it).",
)
@click.pass_obj
def demo(opts: GlobalOptions, output: Path, workers: int, port: int) -> None:
    """Crawl the bundled demo site (two publications, RSS + Atom) into OUTPUT.

    Run it twice: the second run finds 0 new articles.
    """
    from crawler.demo.server import serve_site
    from crawler.demo.site import build_demo_site

    with ExitStack() as stack:
        try:
            server = stack.enter_context(serve_site(build_demo_site, port=port))
        except OSError as exc:
            fail(f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror}); try --port")
        feeds = [server.url(path) for path in DEMO_FEEDS]
        click.echo(
            f"newsdedup: demo site at {server.base_url}/ ; crawling {len(feeds)} feeds", err=True
        )
        result = _crawl(opts, feeds, output, workers)
    click.echo(result.summary(), err=True)
    written = sorted(output.glob("articles-*.jsonl"))
    if written:
        click.echo(f"newsdedup: latest output: {written[-1]}", err=True)
    sys.exit(result.exit_code)


def _crawl(opts: GlobalOptions, feeds: list[str], output: Path, workers: int) -> CrawlResult:
    """Crawl the demo feeds into OUTPUT."""
    from crawler.params import CrawlParams

    return run_or_fail(CrawlParams(sources=feeds, output=output, workers=workers), opts)
