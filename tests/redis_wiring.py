"""Test-only wiring of the Redis state into the crawl, until the lead wires runtime.py.

``python -m tests.redis_wiring crawl ...`` is ``newsdedup crawl ...`` with these patches
(the integration the lead is asked to make in runtime.py, dedup.py and runner.py):
a redis:// state URL opens ``open_redis_state`` (no file lock: the worker lease is the
lock), output files get a ``-<worker>`` suffix, Scrapy uses the shared Redis frontier,
keep() is the atomic ``claim()``, and a crawl stopped by a Redis outage exits 1.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from crawler import runner
from crawler.items import ArticleItem
from pipelines import dedup, runtime
from pipelines.export import RunOutput
from pipelines.health import RunHealth
from pipelines.lock import RunLock
from pipelines.state import KeptArticle

_original_build_settings = runner.build_settings
_original_publish = RunOutput.publish
_original_exit_code = runner.CrawlResult.exit_code


def is_redis_url(url: str) -> bool:
    """True for redis://, rediss:// and unix:// state URLs."""
    return url.startswith(("redis://", "rediss://", "unix://"))


class _NoLock(RunLock):
    """The worker lease in Redis replaces the state file lock."""

    def __init__(self) -> None:
        super().__init__(Path("/nonexistent"))

    def acquire(self) -> None:
        """Nothing to take."""

    def release(self) -> None:
        """Nothing to give back."""


def runtime_init(self: runtime.Runtime, config: runtime.RuntimeConfig, settings: Any) -> None:
    """Runtime.__init__ with the redis:// branch."""
    from pipelines.export import OutputOptions, RunOutput
    from pipelines.state import SqliteState
    from pipelines.state_redis import default_worker, open_redis_state

    self.config = config
    suffix = ""
    if is_redis_url(config.state_url):
        worker = settings.get("NEWSDEDUP_WORKER") or default_worker()
        namespace = settings.get("NEWSDEDUP_NAMESPACE") or "newsdedup"
        self.lock = _NoLock()
        ndc = runtime.near_dup_config(settings)
        lease = settings.getfloat("NEWSDEDUP_REDIS_LEASE", 30.0)
        self.store = open_redis_state(config.state_url, namespace, ndc, worker, lease)
        suffix = f"-{worker}"
    else:
        self.lock = RunLock(Path(config.state_url + ".lock"))
        self.lock.acquire()
        try:
            self.store = SqliteState(Path(config.state_url), runtime.near_dup_config(settings))
        except Exception:
            self.lock.release()
            raise
    options = OutputOptions.from_settings(settings)
    self.output = RunOutput(config.output_dir, config.run_stamp, options, suffix)
    self.closed = False
    self.stopping = False
    self.evicted = {}
    self.health = RunHealth()
    days = settings.getfloat("NEWSDEDUP_RETENTION_DAYS")
    if days > 0:
        self.evicted = self.store.evict(time.time() - days * 86400)
        self.store.commit()


def keep(self: dedup.Deduplicator, item: ArticleItem) -> dedup.Verdict | None:
    """Deduplicator.keep: atomic claim when the store has one; a Verdict if another won."""
    item.cluster_id = item.cluster_id or item.id
    kept = KeptArticle(item.id, item.url, item.source, item.cluster_id)
    claim = getattr(self.store, "claim", None)
    if claim is not None:
        lost = claim(kept, item.url_keys, item.content_hash, item.signature)
        return dedup.Verdict(*lost) if lost else None
    self.store.remember(kept, item.url_keys, item.content_hash)
    self.store.near_dup.add(item.id, item.signature, time.time())
    return None


def process_item(self: dedup.DedupPipeline, item: ArticleItem) -> ArticleItem:
    """DedupPipeline.process_item with `check(item) or keep(item)`."""
    from scrapy.exceptions import DropItem

    from pipelines.minhash import text_signature

    if item.signature is None:
        item.signature = text_signature(item.text, self.dedup.store.near_dup_config)
    verdict = self.dedup.check(item) or self.dedup.keep(item)  # type: ignore[func-returns-value]  # patched keep
    if verdict is None:
        self.stats.inc_value("newsdedup/new")
        return item
    self.runtime.health.source(item.source).duplicates[verdict.reason] += 1
    self.dedup.store.remember_urls(item.url_keys, verdict.duplicate_of)
    self.stats.inc_value(f"newsdedup/duplicates/{verdict.reason}")
    self.runtime.output.duplicates.write(self.dedup.duplicate_record(item, verdict))
    raise DropItem(f"{verdict.reason} duplicate of {verdict.duplicate_of}: {item.url}")


def build_settings(params: Any, log_level: str, progress: bool = False) -> Any:
    """runner.build_settings plus the shared frontier for a redis:// state."""
    settings = _original_build_settings(params, log_level, progress)
    if is_redis_url(settings.get("NEWSDEDUP_STATE_URL") or ""):
        settings.set("SCHEDULER", "crawler.redis_frontier.RedisFrontierScheduler", "cmdline")
    return settings


def exit_code(self: runner.CrawlResult) -> int:
    """Exit 1 when the crawl was stopped because the Redis state was lost."""
    if self.stats.get("finish_reason") == "redis_unavailable":
        return runner.EXIT_SOURCE_FAILED
    return int(_original_exit_code.fget(self))  # type: ignore[attr-defined]  # a property


def publish(self: RunOutput, runtime_: runtime.Runtime) -> None:
    """RunOutput.publish telling the store which file is about to be renamed into place."""
    prepare = getattr(runtime_.store, "prepare_publish", None)
    if prepare is not None and self.articles.count:
        prepare(self.articles.final_path.name)
    _original_publish(self, runtime_)


def install() -> None:
    """Apply the patches."""
    RunOutput.publish = publish  # type: ignore[method-assign,assignment]  # test-only wiring
    runtime.Runtime.__init__ = runtime_init  # type: ignore[method-assign]  # test-only wiring
    dedup.Deduplicator.keep = keep  # type: ignore[method-assign,assignment]
    dedup.DedupPipeline.process_item = process_item  # type: ignore[method-assign]
    runner.build_settings = build_settings
    runner.CrawlResult.exit_code = property(exit_code)  # type: ignore[method-assign,assignment]


if __name__ == "__main__":
    install()
    from crawler.cli import main

    main()
