"""The `newsdedup` command line: crawl, discover, extract, dedup, demo."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from crawler.commands.common import GlobalOptions
from pipelines.threads import single_blas_thread

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Errors only; still prints the summary.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the log to this file.",
)
@click.version_option(package_name="newsdedup")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, log_file: Path | None) -> None:
    """Turn news sites into clean, de-duplicated JSONL feeds."""
    level = "ERROR" if quiet else ("WARNING", "INFO", "DEBUG")[min(verbose, 2)]
    ctx.obj = GlobalOptions(level, log_file, progress=sys.stderr.isatty() and not quiet)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setLevel(level)  # Scrapy's loggers are at DEBUG: filter at the handler
    logging.basicConfig(
        level=level, handlers=handlers, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def main() -> None:
    """Console-script entry point."""
    single_blas_thread()
    cli(prog_name="newsdedup")


def _register() -> None:
    """Attach the commands (each in its own module, imported lazily where heavy)."""
    from crawler.commands import crawl, dedup, demo, discover, extract, report

    commands = (
        crawl.crawl,
        discover.discover,
        extract.extract,
        dedup.dedup,
        report.report,
        demo.demo,
    )
    for command in commands:
        cli.add_command(command)


_register()
