"""Tests for pipelines.boilerplate: site-level learnt furniture."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from pipelines.boilerplate import (
    LineCountStore,
    MemoryLineCounts,
    SiteBoilerplate,
    SqliteLineCounts,
)

SITE = "gazette.example"
FURNITURE_TOP = ["Home News Sport Weather", "Subscribe to the Gazette"]
FURNITURE_END = ["Share this story", "Copyright 2024 Example Gazette. All rights reserved."]
TOPICS = ["bridge", "library", "ferry", "orchard", "stadium"]


def body(topic: str) -> list[str]:
    """Three body lines about one topic, unique to its page (one short, with a number)."""
    return [
        f"Councillors voted on Tuesday to fund the new {topic} after a long debate in the chamber.",
        f"Residents had campaigned for the {topic} for a decade, collecting thousands of names.",
        f"Work on the {topic} starts next spring and should be finished within two years.",
        f"Votes: {TOPICS.index(topic) + 4} to 3",
    ]


def page_text(n: int) -> str:
    """Page n of the generated site: shared furniture around its own body."""
    return "\n".join([*FURNITURE_TOP, *body(TOPICS[n]), *FURNITURE_END])


def sqlite_store() -> LineCountStore:
    """A SqliteLineCounts on a fresh in-memory connection."""
    return SqliteLineCounts(sqlite3.connect(":memory:"))


STORES: list[Callable[[], LineCountStore]] = [MemoryLineCounts, sqlite_store]


@pytest.mark.parametrize("make_store", STORES)
def test_learnt_site_furniture_is_stripped_from_every_page(
    make_store: Callable[[], LineCountStore],
) -> None:
    learner = SiteBoilerplate(make_store(), min_pages=3)
    for n in range(5):
        learner.learn(SITE, f"https://{SITE}/{n}", page_text(n))
    for n in range(5):
        text, removed = learner.strip(SITE, page_text(n))
        assert text.split("\n") == body(TOPICS[n])
        assert len(removed) == 4
        assert all(reason == "site_boilerplate" for _, reason in removed)


@pytest.mark.parametrize("make_store", STORES)
def test_pages_get_cleaner_as_the_site_is_crawled(
    make_store: Callable[[], LineCountStore],
) -> None:
    learner = SiteBoilerplate(make_store(), min_pages=3)
    stripped = []
    for n in range(5):
        text, removed = learner.strip(SITE, page_text(n))
        learner.learn(SITE, f"https://{SITE}/{n}", page_text(n))
        stripped.append(len(removed))
        assert set(body(TOPICS[n])) <= set(text.split("\n"))
    assert stripped[0] == 0
    assert stripped[1] == 4  # the second page is already cleaner than the first
    assert stripped[1:] == [4, 4, 4, 4]


def test_each_page_is_learnt_once_and_sites_are_separate() -> None:
    learner = SiteBoilerplate(MemoryLineCounts(), min_pages=3)
    for _ in range(5):
        learner.learn(SITE, "https://gazette.example/0", page_text(0))
    learner.learn(SITE, "https://gazette.example/1", page_text(1))
    learner.learn(SITE, "https://gazette.example/2", page_text(2))
    assert learner.strip(SITE, page_text(3))[1] != []
    assert learner.strip("other.example", page_text(3)) == (page_text(3), [])
    store = learner.store
    assert isinstance(store, MemoryLineCounts)
    assert store.page_count(SITE) == 3


def test_long_lines_shared_by_few_pages_are_kept() -> None:
    shared = "The same long wire paragraph about the regional budget appears word for word here."
    learner = SiteBoilerplate(MemoryLineCounts(), min_pages=3)
    for n in range(3):
        learner.learn(SITE, str(n), "\n".join([shared, *body(TOPICS[n])]))
    text, _removed = learner.strip(SITE, "\n".join([shared, *body(TOPICS[3])]))
    assert shared in text.split("\n")


def test_never_strips_most_of_a_page() -> None:
    learner = SiteBoilerplate(MemoryLineCounts(), min_pages=2)
    short_page = "\n".join(["Weather today", "Sunny spells", "Light winds"])
    for n in range(4):
        learner.learn(SITE, str(n), short_page)
    assert learner.strip(SITE, short_page) == (short_page, [])


@pytest.mark.parametrize("make_store", STORES)
def test_store_counts_a_page_once(make_store: Callable[[], LineCountStore]) -> None:
    store = make_store()
    for _ in range(3):
        store.add_page(SITE, "p1", {1, 2})
    store.add_page(SITE, "p2", {2, 3})
    assert store.page_count(SITE) == 2
    assert store.line_counts(SITE, [1, 2, 3, 4]) == {1: 1, 2: 2, 3: 1}
    assert store.page_count("other.example") == 0


def test_sqlite_store_never_commits() -> None:
    conn = sqlite3.connect(":memory:")
    store = SqliteLineCounts(conn)
    conn.commit()  # the caller owns transactions: the schema is the caller's to commit
    learner = SiteBoilerplate(store)
    learner.learn(SITE, "p1", page_text(0))
    assert conn.in_transaction
    conn.rollback()
    assert store.page_count(SITE) == 0
    assert conn.execute("SELECT COUNT(*) FROM boilerplate_lines").fetchone() == (0,)
