"""What every command shares: global options and the one-line error exit."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click

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
