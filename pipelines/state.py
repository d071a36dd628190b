"""Persistent crawl state: seen URL keys, content hashes, kept articles, published files.

SQLite in WAL mode. One write transaction is open for the whole run (or until the next
publish): the export stage publishes a file *then* calls ``commit()``, so a killed run leaves
either nothing committed or a published file that ``recovery`` re-ingests at start-up.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pipelines.boilerplate import LineCountStore
    from pipelines.neardup import NearDupConfig, NearDupIndex, Signature

logger = logging.getLogger(__name__)

APPLICATION_ID = 0x4E44_4450  # "NDDP": marks a file as newsdedup state
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS url_keys (
    key TEXT PRIMARY KEY, article_id TEXT NOT NULL, added REAL NOT NULL);
CREATE INDEX IF NOT EXISTS url_keys_added ON url_keys (added);
CREATE TABLE IF NOT EXISTS content_hashes (
    hash TEXT PRIMARY KEY, article_id TEXT NOT NULL, added REAL NOT NULL);
CREATE INDEX IF NOT EXISTS content_hashes_added ON content_hashes (added);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, source TEXT NOT NULL,
    cluster_id TEXT NOT NULL, added REAL NOT NULL);
CREATE INDEX IF NOT EXISTS articles_added ON articles (added);
CREATE TABLE IF NOT EXISTS published_files (name TEXT PRIMARY KEY, added REAL NOT NULL);
"""


class StateError(Exception):
    """The state file cannot be used (damaged, foreign, newer schema)."""


@dataclass(frozen=True)
class KeptArticle:
    """What the state remembers of a kept article (the representative of its cluster)."""

    id: str
    url: str
    source: str
    cluster_id: str


class StateStore(Protocol):
    """What the crawl needs from a state backend (SQLite here, Redis in state_redis)."""

    @property
    def near_dup(self) -> NearDupIndex: ...
    @property
    def near_dup_config(self) -> NearDupConfig: ...
    @property
    def line_counts(self) -> LineCountStore: ...

    def article_for_url_keys(self, keys: list[str]) -> str | None: ...
    def article_for_hash(self, content_hash: str) -> str | None: ...
    def kept_article(self, article_id: str) -> KeptArticle | None: ...
    def remember(self, article: KeptArticle, url_keys: list[str], content_hash: str) -> None: ...
    def remember_urls(self, url_keys: list[str], article_id: str) -> None: ...
    def claim(
        self, article: KeptArticle, url_keys: list[str], content_hash: str, sig: Signature
    ) -> tuple[str, str, float] | None: ...
    def prepare_publish(self, name: str) -> None: ...
    def record_published(self, name: str) -> None: ...
    def is_published(self, name: str) -> bool: ...
    def evict(self, older_than: float) -> dict[str, int]: ...
    def sizes(self) -> dict[str, int]: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...


class SqliteState:
    """The embedded default state store (one SQLite file)."""

    def __init__(self, path: Path, near_dup_config: NearDupConfig) -> None:
        from pipelines.boilerplate import SqliteLineCounts
        from pipelines.neardup import NearDupIndex

        self.path = path
        self.conn = _connect(path)
        NearDupIndex.create_schema(self.conn)
        self.near_dup_config = near_dup_config
        try:
            self.near_dup = NearDupIndex(self.conn, near_dup_config)
        except ValueError as exc:
            self.conn.close()
            raise StateError(f"state file {path}: {exc}") from exc
        self.line_counts = SqliteLineCounts(self.conn)
        self._begin()

    def article_for_url_keys(self, keys: list[str]) -> str | None:
        """The id of a kept article known under any of KEYS."""
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        row = self.conn.execute(
            f"SELECT article_id FROM url_keys WHERE key IN ({marks}) LIMIT 1", keys
        ).fetchone()
        return row[0] if row else None

    def article_for_hash(self, content_hash: str) -> str | None:
        """The id of a kept article with exactly this normalised text."""
        row = self.conn.execute(
            "SELECT article_id FROM content_hashes WHERE hash = ?", (content_hash,)
        ).fetchone()
        return row[0] if row else None

    def kept_article(self, article_id: str) -> KeptArticle | None:
        """The stored representative with ARTICLE_ID."""
        row = self.conn.execute(
            "SELECT id, url, source, cluster_id FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return KeptArticle(*row) if row else None

    def remember(self, article: KeptArticle, url_keys: list[str], content_hash: str) -> None:
        """Record a kept article with its URL keys and text hash (uncommitted)."""
        now = time.time()
        self.conn.execute(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?)",
            (article.id, article.url, article.source, article.cluster_id, now),
        )
        self.remember_urls(url_keys, article.id)
        self.conn.execute(
            "INSERT OR IGNORE INTO content_hashes VALUES (?, ?, ?)",
            (content_hash, article.id, now),
        )

    def remember_urls(self, url_keys: list[str], article_id: str) -> None:
        """Map more URL keys (a duplicate's) to a kept article, so they are never fetched again."""
        now = time.time()
        self.conn.executemany(
            "INSERT OR IGNORE INTO url_keys VALUES (?, ?, ?)",
            [(key, article_id, now) for key in url_keys],
        )

    def claim(
        self, article: KeptArticle, url_keys: list[str], content_hash: str, sig: Signature
    ) -> tuple[str, str, float] | None:
        """Keep ARTICLE (this process holds the file lock: nobody can race it); None = kept."""
        self.remember(article, url_keys, content_hash)
        self.near_dup.add(article.id, sig, time.time())
        return None

    def prepare_publish(self, name: str) -> None:
        """Nothing to do: the SQLite transaction is still open until commit()."""

    def record_published(self, name: str) -> None:
        """Note that output file NAME was renamed into place (uncommitted)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO published_files VALUES (?, ?)", (name, time.time())
        )

    def is_published(self, name: str) -> bool:
        """Tell whether output file NAME is already accounted for in the state."""
        row = self.conn.execute("SELECT 1 FROM published_files WHERE name = ?", (name,))
        return row.fetchone() is not None

    def evict(self, older_than: float) -> dict[str, int]:
        """Forget URL keys, hashes, articles and signatures added before OLDER_THAN."""
        counts = {}
        for table in ("url_keys", "content_hashes", "articles"):
            cursor = self.conn.execute(f"DELETE FROM {table} WHERE added < ?", (older_than,))
            counts[table] = cursor.rowcount
        counts["signatures"] = self.near_dup.evict(older_than)
        return counts

    def sizes(self) -> dict[str, int]:
        """Row counts of the main tables, for the run summary."""
        tables = ("url_keys", "content_hashes", "articles")
        sizes = {t: self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
        sizes["signatures"] = self.near_dup.size()
        return sizes

    def commit(self) -> None:
        """Commit everything recorded since the last commit, and open the next transaction."""
        self.conn.execute("COMMIT")
        self._begin()

    def close(self) -> None:
        """Roll back anything uncommitted and close the file."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()

    def _begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")


def _connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the state file and check it is ours."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        _check_identity(conn, path)
    except sqlite3.DatabaseError as exc:
        raise StateError(f"state file {path} is damaged or not SQLite: {exc}") from exc
    conn.executescript(_SCHEMA)
    return conn


def _check_identity(conn: sqlite3.Connection, path: Path) -> None:
    """Stamp a new file; refuse a foreign or newer one instead of silently resetting it."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    if app_id == 0 and tables == 0:
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    elif app_id != APPLICATION_ID:
        raise StateError(f"{path} is an SQLite file of another program, not newsdedup state")
    elif version > SCHEMA_VERSION:
        raise StateError(f"{path} was written by a newer newsdedup (schema {version})")
