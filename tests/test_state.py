"""SQLite state: what is committed survives, what is not is rolled back, foreign files refused."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from pipelines.neardup import NearDupConfig
from pipelines.state import KeptArticle, SqliteState, StateError


def _store(path: Path) -> SqliteState:
    return SqliteState(path, NearDupConfig())


def _remember(store: SqliteState, article_id: str) -> None:
    kept = KeptArticle(article_id, f"https://ex.com/{article_id}", "feed", article_id)
    store.remember(kept, [f"ex.com/{article_id}"], f"hash-{article_id}")


def test_committed_articles_survive_a_reopen(tmp_path: Path) -> None:
    store = _store(tmp_path / "s.sqlite")
    _remember(store, "a1")
    store.commit()
    store.close()
    again = _store(tmp_path / "s.sqlite")
    assert again.article_for_url_keys(["ex.com/a1"]) == "a1"
    assert again.article_for_hash("hash-a1") == "a1"
    assert again.kept_article("a1") == KeptArticle("a1", "https://ex.com/a1", "feed", "a1")
    again.close()


def test_uncommitted_work_is_rolled_back(tmp_path: Path) -> None:
    store = _store(tmp_path / "s.sqlite")
    _remember(store, "a1")
    store.close()
    again = _store(tmp_path / "s.sqlite")
    assert again.article_for_url_keys(["ex.com/a1"]) is None
    again.close()


def test_evict_forgets_old_entries_only(tmp_path: Path) -> None:
    store = _store(tmp_path / "s.sqlite")
    _remember(store, "old")
    cutoff = time.time() + 0.001
    time.sleep(0.01)
    _remember(store, "new")
    counts = store.evict(cutoff)
    assert counts["url_keys"] == 1 and counts["articles"] == 1
    assert store.article_for_url_keys(["ex.com/old"]) is None
    assert store.article_for_url_keys(["ex.com/new"]) == "new"
    assert store.sizes()["articles"] == 1
    store.close()


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="another program"):
        _store(path)


def test_damaged_file_is_refused_not_reset(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StateError, match="damaged"):
        _store(path)
    assert path.read_bytes().startswith(b"this is not a database")
