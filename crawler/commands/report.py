"""`newsdedup report`: one self-contained HTML page about an output folder."""

from __future__ import annotations

import os
from pathlib import Path

import click

from crawler.commands.common import fail


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("output_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the page goes.  [default: OUTPUT_DIR/report.html]",
)
@click.option(
    "--top",
    type=click.IntRange(0, 1000),
    default=10,
    show_default=True,
    help="How many of the largest duplicate clusters to show.",
)
def report(output_dir: Path, target: Path | None, top: int) -> None:
    """Write an HTML report on OUTPUT_DIR: volumes, duplicate clusters, source health.

    \b
    Example:
      newsdedup report output/ -o /tmp/report.html --top 20
    """
    from crawler.report import ReportError, load_report
    from crawler.report_html import render

    if not output_dir.is_dir():
        fail(f"{output_dir} is not a folder")
    try:
        data = load_report(output_dir, top=top)
    except ReportError as exc:
        fail(str(exc))
    target = target or output_dir / "report.html"
    try:
        _write_atomically(target, render(data))
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")
    click.echo(f"newsdedup: report written to {target}", err=True)


def _write_atomically(path: Path, text: str) -> None:
    """Write TEXT to a hidden temp file beside PATH, then rename it into place."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
