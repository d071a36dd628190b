"""Start-up recovery: finish what a killed run left, so nothing is lost or emitted twice.

A run publishes a file (fsync + rename) and only then commits the state. If it was killed
in between, the file is visible but the state does not know its articles: re-ingest them.
Hidden temp files of a killed run were never committed: delete them (their pages are
re-fetched, since the state never recorded them as seen).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from crawler.urls import url_key

if TYPE_CHECKING:
    from pathlib import Path

    from pipelines.runtime import Runtime

logger = logging.getLogger(__name__)


def recover(runtime: Runtime) -> int:
    """Clean up after a killed run; return how many articles were re-ingested."""
    output_dir = runtime.config.output_dir
    if not output_dir.is_dir():
        return 0
    for temp in output_dir.glob("**/.*.tmp"):
        logger.warning("removing unpublished file of a killed run: %s", temp.name)
        temp.unlink(missing_ok=True)
    ingested = 0
    for path in sorted(output_dir.glob("**/articles-*.jsonl*")):
        if not runtime.store.is_published(path.name):
            ingested += _ingest(runtime, path)
    runtime.store.commit()
    return ingested


def _ingest(runtime: Runtime, path: Path) -> int:
    """Record every article of a published-but-uncommitted file as kept."""
    from crawler.items import ArticleItem
    from pipelines.dedup import Deduplicator
    from pipelines.minhash import text_signature

    dedup = Deduplicator(runtime.store)
    config = runtime.store.near_dup_config
    count = 0
    for line in _read_lines(path):
        record = json.loads(line)
        item = ArticleItem(url=record["url"], source=record["source"])
        item.id, item.text = record["id"], record["text"]
        item.content_hash, item.cluster_id = record["content_hash"], record.get("cluster_id", "")
        item.url_keys = sorted({url_key(record["url"]), url_key(record["canonical_url"])})
        item.signature = text_signature(item.text, config)
        if runtime.store.kept_article(item.id) is None:
            dedup.keep(item)
        count += 1
    runtime.store.record_published(path.name)
    logger.warning("recovered %d articles of %s published by a killed run", count, path.name)
    return count


def _read_lines(path: Path) -> list[str]:
    """The complete lines of a published file (gzip-aware)."""
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [line for line in handle if line.endswith("\n") and line.strip()]
