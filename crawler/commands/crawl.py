"""`newsdedup crawl`: fetch sources, write new articles as JSONL."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crawler.commands.common import GlobalOptions, fail, output_option, run_or_fail

if TYPE_CHECKING:
    from crawler.params import CrawlParams


@click.command()
@click.argument("sources", nargs=-1)
@output_option
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A sources file (TOML) with per-source options; see sources.example.toml.",
)
@click.option(
    "--state",
    envvar="NEWSDEDUP_STATE_URL",
    help="State file (default OUTPUT/.state.sqlite) or redis:// URL.",
)
@click.option(
    "--namespace",
    envvar="NEWSDEDUP_NAMESPACE",
    help="Redis state: key prefix of this project [default: newsdedup].",
)
@click.option(
    "--worker",
    envvar="NEWSDEDUP_WORKER",
    help="Redis state: this process's name, unique per process [default: host name].",
)
@click.option(
    "--kind",
    type=click.Choice(["auto", "feed", "sitemap", "site", "urls"]),
    default="auto",
    show_default=True,
    help="Force how every source is read.",
)
@click.option("--since", help="Skip entries older than this: 2d, 12h, 1w or 2026-11-01.")
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
    "--stdout",
    "to_stdout",
    is_flag=True,
    help="Write the new articles to standard output instead of an articles file.",
)
@click.option("--gzip", "gzip_output", is_flag=True, help="Write .jsonl.gz files.")
@click.option(
    "--partition",
    type=click.Choice(["none", "daily"]),
    default="none",
    show_default=True,
    help="daily: OUTPUT/YYYY-MM-DD/articles-<stamp>.jsonl.",
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
    /,
    sources: tuple[str, ...],
    config_file: Path | None,
    setting_pairs: tuple[str, ...],
    **options: Any,
) -> None:
    """Fetch SOURCES (feeds, sitemaps, homepages, @url-files, - for stdin); write new articles.

    \b
    Examples:
      newsdedup crawl https://example.com/feed.xml https://other.org/rss -o output/
      newsdedup crawl --config sources.toml --since 2d
      newsdedup crawl @urls.txt --kind urls
    """
    result = run_or_fail(_params(sources, config_file, setting_pairs, options), opts)
    click.echo(result.summary(), err=True)
    sys.exit(result.exit_code)


def _params(
    sources: tuple[str, ...],
    config_file: Path | None,
    setting_pairs: tuple[str, ...],
    options: dict[str, Any],
) -> CrawlParams:
    """Validate everything before Scrapy starts; bad input is a UsageError (exit 2)."""
    from pydantic import ValidationError

    from crawler.config import ConfigError, load_sources
    from crawler.params import CrawlParams, expand_sources, parse_setting_pairs

    try:
        urls, articles, list_name = expand_sources(sources)
        source_options = {}
        if config_file:
            source_options = load_sources(config_file).resolved()
            urls += [url for url in source_options if url not in urls]
        params = CrawlParams(
            sources=urls,
            article_urls=articles,
            url_list_name=list_name,
            source_options=source_options,
            settings=parse_setting_pairs(setting_pairs),
            **options,
        )
    except ConfigError as exc:
        fail(str(exc))
    except (ValueError, ValidationError) as exc:
        raise click.UsageError(_first_error(exc)) from exc
    if not params.sources and not params.article_urls:
        raise click.UsageError("no sources: give SOURCE arguments, @files or --config")
    return params


def _first_error(exc: Exception) -> str:
    """A one-line message from a validation error."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return f"{where}: {error['msg']}"
    return str(exc)
