"""`newsdedup extract`: article text and metadata of local HTML files, as JSON lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from crawler.commands.common import GlobalOptions


@click.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=True, path_type=Path)
)
@click.option("--url", help="The URL the page came from (resolves links; sets id).")
@click.option("--explain", is_flag=True, help="Also print, on stderr, each line removed and why.")
@click.option(
    "--min-pages",
    type=int,
    default=3,
    show_default=True,
    help="Lines seen on this many of the given pages of one site are furniture.",
)
@click.pass_obj
def extract(
    opts: GlobalOptions, files: tuple[Path, ...], url: str | None, explain: bool, min_pages: int
) -> None:
    """Print one JSON record per HTML FILE (folders are read recursively).

    \b
    Example:
      newsdedup extract page.html --url https://example.com/2026/11/27/story/
    """
    from crawler.items import ArticleItem
    from pipelines.boilerplate import MemoryLineCounts, SiteBoilerplate, TextLines, remove_lines
    from pipelines.extract import fill_item
    from pipelines.extraction import NoArticle, extract_article
    from pipelines.texthash import content_hash

    sites = SiteBoilerplate(MemoryLineCounts(), min_pages)
    paths = _html_files(files)
    articles = []
    for path in paths:
        page_url = url or path.resolve().as_uri()
        try:
            article = extract_article(_read(path), page_url)
        except NoArticle as exc:
            click.echo(f"newsdedup: {path}: no article ({exc.reason})", err=True)
            continue
        lines = TextLines.of(article.text)  # hashed once: learnt now, stripped below
        articles.append((path, page_url, article, lines))
        sites.learn(_site(page_url, path), content_hash(article.text), article.text, lines)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for path, page_url, article, lines in articles:
        item = ArticleItem(url=page_url, source=str(path), fetched_at=now)
        dropped = sites.furniture(_site(page_url, path), lines)
        fill_item(item, article, *remove_lines(article.text, dropped))
        item.content_hash = content_hash(item.text)
        click.echo(json.dumps({**item.to_record(), "file": str(path)}, ensure_ascii=False))
        if explain:
            for line, why in item.removed:
                click.echo(f"{path}: removed ({why}): {line[:120]}", err=True)


def _html_files(paths: tuple[Path, ...]) -> list[Path]:
    """The given files, and the .html/.htm(.gz) files under given folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and ".htm" in p.name)
        else:
            found.append(path)
    return found


def _read(path: Path) -> bytes:
    """File bytes, gunzipped when the name ends in .gz."""
    import gzip

    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _site(page_url: str, path: Path) -> str:
    """The site key pages are grouped by: the URL's host, or the file's folder."""
    from urllib.parse import urlsplit

    return urlsplit(page_url).netloc or str(path.parent)
