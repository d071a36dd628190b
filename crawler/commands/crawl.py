"""`newsdedup crawl`: fetch sources, write new articles as JSONL."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from pydantic import ValidationError

from crawler.commands.common import GlobalOptions, fail
from crawler.runner import EXIT_LOCKED


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Where JSONL files go.",
)
@click.option(
    "--state",
    help="State file (default OUTPUT/.state.sqlite) or redis:// URL.",
    envvar="NEWSDEDUP_STATE_URL",
)
@click.option(
    "--kind",
    type=click.Choice(["auto", "feed", "sitemap", "site", "urls"]),
    default="auto",
    show_default=True,
    help="Force how every source is read.",
)
@click.option(
    "--workers",
    type=int,
    default=0,
    show_default=True,
    help="Extraction processes (0 = one per CPU, 1 = in-process).",
)
@click.option(
    "--max-pages",
    type=int,
    default=0,
    show_default=True,
    help="Page budget per source for site crawls (0 = none).",
)
@click.option(
    "--retention",
    "retention_days",
    type=float,
    default=0.0,
    show_default=True,
    help="Forget URLs and signatures older than this many days (0 = never).",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let links from feeds and pages reach loopback/private addresses.",
)
@click.option(
    "-s",
    "--set",
    "setting_pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy or NEWSDEDUP_* setting (repeatable).",
)
@click.pass_obj
def crawl(
    opts: GlobalOptions,
    sources: tuple[str, ...],
    output: Path,
    state: str | None,
    kind: str,
    workers: int,
    max_pages: int,
    retention_days: float,
    allow_private: bool,
    setting_pairs: tuple[str, ...],
) -> None:
    """Fetch SOURCES (feeds, sitemaps, homepages, @url-files, - for stdin); write new articles.

    \b
    Examples:
      newsdedup crawl https://example.com/feed.xml https://other.org/rss -o output/
      newsdedup crawl @urls.txt --kind urls
    """
    from crawler.params import CrawlParams, expand_sources, parse_setting_pairs
    from crawler.runner import run_crawl
    from pipelines.lock import LockHeld
    from pipelines.state import StateError

    try:
        urls, articles, list_name = expand_sources(sources)
        params = CrawlParams(
            sources=urls,
            article_urls=articles,
            url_list_name=list_name,
            output=output,
            state=state,
            kind=kind,
            workers=workers,
            max_pages=max_pages,
            retention_days=retention_days,
            allow_private=allow_private,
            settings=parse_setting_pairs(setting_pairs),
        )
    except (ValueError, ValidationError) as exc:
        raise click.UsageError(_first_error(exc)) from exc
    if not params.sources and not params.article_urls:
        raise click.UsageError("no sources: the URL lists given were empty")
    try:
        result = run_crawl(params, log_level=opts.log_level)
    except LockHeld as exc:
        fail(str(exc), EXIT_LOCKED)
    except StateError as exc:
        fail(str(exc))
    click.echo(result.summary(), err=True)
    sys.exit(result.exit_code)


def _first_error(exc: Exception) -> str:
    """A one-line message from a validation error."""
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return f"{where}: {error['msg']}"
    return str(exc)
