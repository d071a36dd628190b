"""What every command shares: global options and the one-line error exit."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from crawler.params import CrawlParams
    from crawler.runner import CrawlResult

EXIT_USAGE = 2


@dataclass(frozen=True)
class GlobalOptions:
    """Options given before the command name."""

    log_level: str
    log_file: Path | None
    progress: bool = False


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a one-line error and exit with CODE."""
    click.echo(f"newsdedup: error: {message}", err=True)
    sys.exit(code)


#: `-o/--output DIR`, shared by the commands that write a run's files.
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Where JSONL files go.",
)


def run_or_fail(params: CrawlParams, opts: GlobalOptions) -> CrawlResult:
    """Run a crawl; a held lock (exit 75) or unusable state (exit 2) is a one-line error."""
    from crawler.runner import EXIT_LOCKED, run_crawl
    from pipelines.lock import LockHeld
    from pipelines.state import StateError

    try:
        return run_crawl(params, log_level=opts.log_level, progress=opts.progress)
    except LockHeld as exc:
        fail(str(exc), EXIT_LOCKED)
    except StateError as exc:
        fail(str(exc))
