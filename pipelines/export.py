"""JSONL output that readers can trust: temp file, fsync, os.replace, then a state commit."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from gzip import GzipFile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self, cast

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from crawler.items import ArticleItem
    from pipelines.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutputOptions:
    """How files are written: gzip, daily partitions, articles to stdout."""

    gzip: bool = False
    partition: str = "none"
    stdout: bool = False

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> OutputOptions:
        """Read NEWSDEDUP_OUTPUT_*."""
        return cls(
            settings.getbool("NEWSDEDUP_OUTPUT_GZIP"),
            settings.get("NEWSDEDUP_OUTPUT_PARTITION") or "none",
            settings.getbool("NEWSDEDUP_OUTPUT_STDOUT"),
        )


class JsonlWriter:
    """Writes records to a hidden temp file and publishes it atomically under its final name."""

    def __init__(self, final_path: Path, gzip: bool = False) -> None:
        self.final_path = final_path.with_name(final_path.name + ".gz") if gzip else final_path
        self.temp_path = self.final_path.with_name(f".{self.final_path.name}.tmp")
        self.gzip = gzip
        self.count = 0
        self._raw: IO[bytes] | None = None
        self._handle: IO[str] | None = None

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as one line (the file is created on the first record)."""
        if self._handle is None:
            self.final_path.parent.mkdir(parents=True, exist_ok=True)
            self._raw = self.temp_path.open("wb")
            stream = cast(
                "IO[bytes]", GzipFile(fileobj=self._raw, mode="wb") if self.gzip else self._raw
            )
            self._handle = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def publish(self) -> bool:
        """fsync and rename the temp file into place; False when nothing was written."""
        if self._handle is None or self._raw is None:
            return False
        self._handle.flush()
        if self.gzip:
            self._handle.close()  # ends the gzip stream (its trailer); the file stays open
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        self._handle = self._raw = None
        self.final_path = _link_to_free_name(self.temp_path, self.final_path)
        self.temp_path.unlink()
        _fsync_dir(self.final_path.parent)
        return True

    def discard(self) -> None:
        """Drop an unpublished temp file (its records were never committed to state)."""
        if self._handle is not None and self._raw is not None:
            self._handle.close()
            self._raw.close()
            self._handle = self._raw = None
            self.temp_path.unlink(missing_ok=True)


class StdoutWriter:
    """Articles as JSON lines on standard output (--stdout), flushed at each publish."""

    def __init__(self) -> None:
        self.count = 0
        self.final_path = Path("<stdout>")

    def write(self, record: dict[str, Any]) -> None:
        """Print one record as one line."""
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def publish(self) -> bool:
        """Flush standard output."""
        sys.stdout.flush()
        return False

    def discard(self) -> None:
        """Nothing to throw away: lines already went out."""


class RunOutput:
    """The run's articles and duplicates files, published in parts of at most N articles."""

    def __init__(
        self, output_dir: Path, stamp: str, options: OutputOptions | None = None, suffix: str = ""
    ) -> None:
        self.output_dir = output_dir
        self.stamp = stamp
        self.options = options or OutputOptions()
        self.suffix = suffix
        self.part = 0
        self.published: list[Path] = []
        self._open_part()

    def _open_part(self) -> None:
        self.part += 1
        name = self.stamp + self.suffix + (f"-{self.part:03d}" if self.part > 1 else "")
        folder = self.output_dir
        if self.options.partition == "daily":
            folder = folder / datetime.now(UTC).strftime("%Y-%m-%d")
        gzip = self.options.gzip
        self.articles: JsonlWriter | StdoutWriter = (
            StdoutWriter()
            if self.options.stdout
            else JsonlWriter(folder / f"articles-{name}.jsonl", gzip)
        )
        self.duplicates = JsonlWriter(folder / f"duplicates-{name}.jsonl", gzip)

    def publish(self, runtime: Runtime) -> None:
        """Publish this part's files, record them in state, commit, and start a new part."""
        if self.articles.count:  # Redis: tells a restarted worker which file it was publishing
            runtime.store.prepare_publish(self.articles.final_path.name)
        if self.articles.publish():
            runtime.store.record_published(self.articles.final_path.name)
            self.published.append(self.articles.final_path)
        if self.duplicates.publish():
            self.published.append(self.duplicates.final_path)
        runtime.store.commit()
        self._open_part()

    def discard(self) -> None:
        """Throw away unpublished temp files."""
        self.articles.discard()
        self.duplicates.discard()


class JsonlExportPipeline:
    """Write each kept article as one JSON line; publish and commit every N and at the end."""

    def __init__(self, stats: StatsCollector, runtime: Runtime) -> None:
        self.stats = stats
        self.runtime = runtime

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Share the run's runtime."""
        from pipelines.runtime import open_runtime

        return cls(crawler.stats, open_runtime(crawler.settings))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Append the article; publish a part when it is full."""
        output = self.runtime.output
        output.articles.write(item.to_record())
        self.stats.inc_value("newsdedup/articles_written")
        health = self.runtime.health.source(item.source)
        health.new += 1
        health.text_lengths.append(len(item.text))
        if output.articles.count >= self.runtime.config.publish_every > 0:
            output.publish(self.runtime)
        return item

    def close_spider(self) -> None:
        """Publish what is left, commit, and report state sizes."""
        self.runtime.output.publish(self.runtime)
        for table, rows in self.runtime.store.sizes().items():
            self.stats.set_value(f"newsdedup/state/{table}", rows)
        for table, rows in self.runtime.evicted.items():
            self.stats.set_value(f"newsdedup/evicted/{table}", rows)
        self.runtime.close()


def _link_to_free_name(temp: Path, final: Path) -> Path:
    """Hard-link TEMP to FINAL, or to FINAL with a -2, -3... suffix: never replace a file."""
    stem, suffix = final.name.split(".", 1)
    for attempt in range(1, 1000):
        candidate = final if attempt == 1 else final.with_name(f"{stem}-{attempt}.{suffix}")
        try:
            os.link(temp, candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free name for {final}")


def _fsync_dir(path: Path) -> None:
    """Make a rename durable by syncing its directory."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
