"""`newsdedup dedup`: near-duplicate removal over existing JSONL corpora."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from crawler.commands.common import GlobalOptions


@click.command()
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Kept records (all their fields, plus cluster_id).",
)
@click.option(
    "--duplicates",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Dropped records with duplicate_of, similarity and reason.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    help="Similarity needed to call two texts duplicates (default: measured).",
)
@click.option(
    "--keep",
    type=click.Choice(["first", "longest", "earliest-published"]),
    default="first",
    show_default=True,
    help="Which member of a cluster is kept.",
)
@click.pass_obj
def dedup(
    opts: GlobalOptions,
    inputs: tuple[Path, ...],
    output: Path,
    duplicates: Path | None,
    threshold: float | None,
    keep: str,
) -> None:
    """Drop near-duplicates among the records of INPUTS (JSONL with a `text` field).

    \b
    Example:
      newsdedup dedup month/*.jsonl -o unique.jsonl --duplicates dups.jsonl
    """
    from pipelines.neardup import NearDupConfig
    from pipelines.offline import dedup_jsonl

    config = NearDupConfig()
    if threshold is not None:
        config = replace(config, threshold=threshold)
    counts = dedup_jsonl(
        list(inputs),
        output,
        duplicates,
        config,
        keep=keep,
        progress=sys.stderr.isatty() and opts.log_level != "ERROR",
    )
    click.echo(f"newsdedup: {counts}", err=True)
