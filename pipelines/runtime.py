"""The per-run context shared by the crawl's components: lock, state store, output files."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.health import RunHealth
from pipelines.lock import RunLock

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from pipelines.export import RunOutput
    from pipelines.neardup import NearDupConfig
    from pipelines.state import StateStore

logger = logging.getLogger(__name__)

_OPEN: dict[str, Runtime] = {}


@dataclass(frozen=True)
class RuntimeConfig:
    """Where the run writes and keeps its state, read once from the settings."""

    output_dir: Path
    state_url: str
    publish_every: int
    run_stamp: str

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RuntimeConfig:
        """Build from NEWSDEDUP_* settings."""
        output = Path(settings.get("NEWSDEDUP_OUTPUT_DIR") or "output")
        state = settings.get("NEWSDEDUP_STATE_URL") or str(output / ".state.sqlite")
        stamp = settings.get("NEWSDEDUP_RUN_STAMP") or utc_stamp()
        return cls(output, str(state), settings.getint("NEWSDEDUP_PUBLISH_EVERY"), stamp)


def utc_stamp() -> str:
    """A UTC timestamp for file names: 20261127T221500Z."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def near_dup_config(settings: BaseSettings) -> NearDupConfig:
    """The near-duplicate config: measured defaults, overridden by settings."""
    from pipelines.neardup import NearDupConfig

    config = NearDupConfig()
    overrides: dict[str, Any] = {}
    if settings.get("NEWSDEDUP_NEARDUP_THRESHOLD") is not None:
        overrides["threshold"] = settings.getfloat("NEWSDEDUP_NEARDUP_THRESHOLD")
    if settings.get("NEWSDEDUP_NUM_PERM") is not None:
        overrides["num_perm"] = settings.getint("NEWSDEDUP_NUM_PERM")
    return replace(config, **overrides) if overrides else config


class Runtime:
    """Lock + state + output of one run; opened once, shared through ``open_runtime``."""

    def __init__(self, config: RuntimeConfig, settings: BaseSettings) -> None:
        from pipelines.export import OutputOptions, RunOutput

        self.config = config
        self.lock: RunLock | None = None
        suffix = ""
        if is_redis_url(config.state_url):
            self.store: StateStore = _open_redis(config.state_url, settings)
            suffix = f"-{self.store.worker}"  # type: ignore[attr-defined]  # RedisState
        else:
            self.store = self._open_sqlite(config, settings)
        options = OutputOptions.from_settings(settings)
        self.output: RunOutput = RunOutput(config.output_dir, config.run_stamp, options, suffix)
        self.closed = False
        self.stopping = False  # set on SIGINT/SIGTERM: finish in-flight work, start no more
        self.evicted: dict[str, int] = {}
        self.health = RunHealth()
        days = settings.getfloat("NEWSDEDUP_RETENTION_DAYS")
        if days > 0:
            self.evicted = self.store.evict(time.time() - days * 86400)
            self.store.commit()

    def _open_sqlite(self, config: RuntimeConfig, settings: BaseSettings) -> StateStore:
        """Take the file lock beside the SQLite state and open it."""
        from pipelines.state import SqliteState

        self.lock = RunLock(Path(config.state_url + ".lock"))
        self.lock.acquire()
        try:
            return SqliteState(Path(config.state_url), near_dup_config(settings))
        except Exception:
            self.lock.release()
            raise

    def close(self) -> None:
        """Close the store (rolling back anything unpublished) and release the lock."""
        if self.closed:
            return
        self.closed = True
        self.output.discard()
        self.store.close()
        if self.lock is not None:  # Redis: the worker lease is the lock (released by the store)
            self.lock.release()
        _OPEN.pop(self.config.state_url, None)


def is_redis_url(url: str) -> bool:
    """True for a redis://, rediss:// or unix:// state URL."""
    return url.startswith(("redis://", "rediss://", "unix://"))


def _open_redis(url: str, settings: BaseSettings) -> StateStore:
    """The shared Redis state, as worker NEWSDEDUP_WORKER of project NEWSDEDUP_NAMESPACE."""
    from pipelines.state_redis import default_worker, open_redis_state

    worker = settings.get("NEWSDEDUP_WORKER") or default_worker()
    namespace = settings.get("NEWSDEDUP_NAMESPACE") or "newsdedup"
    lease = settings.getfloat("NEWSDEDUP_REDIS_LEASE")
    return open_redis_state(url, namespace, near_dup_config(settings), worker, lease)


def open_runtime(settings: BaseSettings) -> Runtime:
    """The runtime for these settings: the already-open one, or a new one (lock taken)."""
    config = RuntimeConfig.from_settings(settings)
    runtime = _OPEN.get(config.state_url)
    if runtime is None:
        runtime = Runtime(config, settings)
        from pipelines.recovery import recover

        recover(runtime)
        _OPEN[config.state_url] = runtime
    return runtime
