"""Site-level boilerplate: lines repeated across many article pages of one site."""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)

SHORT_WORDS = 12  # lines up to this long are stripped on little evidence
LONG_LINE_PAGES = 5  # longer lines need at least this many pages
MAX_LEARN_WORDS = 80  # longer lines are body paragraphs: never learned
MAX_STRIP_SHARE = 0.5  # never strip more than this share of a page's characters
_WORD = re.compile(r"\w+")
_CHUNK = 500  # SQLite host parameters per query


def line_hash(line: str) -> int | None:
    """Signed 64-bit hash of a line's lower-cased words; None if it has no word."""
    words = _WORD.findall(line.lower())
    if not words:
        return None
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True)
class TextLines:
    """Hash and word count of each line of a text (computed once, in an extraction worker)."""

    hashes: tuple[int | None, ...]
    words: tuple[int, ...]
    chars: tuple[int, ...]
    learnable: frozenset[int]  # distinct hashes of the lines short enough to be furniture

    @classmethod
    def of(cls, text: str) -> TextLines:
        """Hash every line of TEXT (split on newlines, like strip())."""
        lines = text.split("\n")
        hashes = tuple(map(line_hash, lines))
        words = tuple(len(_WORD.findall(line)) for line in lines)
        learnable = frozenset(
            h for h, n in zip(hashes, words, strict=True) if h is not None and n <= MAX_LEARN_WORDS
        )
        return cls(hashes, words, tuple(map(len, lines)), learnable)


def remove_lines(text: str, indexes: list[int]) -> tuple[str, list[tuple[str, str]]]:
    """TEXT without the lines at INDEXES, and those lines tagged as site boilerplate."""
    if not indexes:
        return text, []
    lines = text.split("\n")
    dropped = set(indexes)
    removed = [(lines[i], "site_boilerplate") for i in indexes]
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    return "\n".join(kept), removed


class LineCountStore(Protocol):
    """Per site: pages learned and, per line hash, on how many distinct pages it was seen."""

    def has_page(self, site: str, page_key: str) -> bool:
        """True if the page was learned."""
        ...

    def add_page(self, site: str, page_key: str, hashes: Set[int]) -> None:
        """Record a page and count each of its distinct line hashes once (a known page: no-op)."""
        ...

    def page_count(self, site: str) -> int:
        """Pages learned for the site."""
        ...

    def line_counts(self, site: str, hashes: Iterable[int]) -> dict[int, int]:
        """Distinct-page counts of the given hashes (absent ones omitted)."""
        ...


class MemoryLineCounts:
    """In-memory LineCountStore (tests, one-off runs)."""

    def __init__(self) -> None:
        self._pages: dict[str, set[str]] = {}
        self._lines: dict[str, Counter[int]] = {}

    def has_page(self, site: str, page_key: str) -> bool:
        """True if the page was learned."""
        return page_key in self._pages.get(site, set())

    def add_page(self, site: str, page_key: str, hashes: Set[int]) -> None:
        """Record a page and count each of its distinct line hashes once (a known page: no-op)."""
        if self.has_page(site, page_key):
            return
        self._pages.setdefault(site, set()).add(page_key)
        self._lines.setdefault(site, Counter()).update(hashes)

    def page_count(self, site: str) -> int:
        """Pages learned for the site."""
        return len(self._pages.get(site, ()))

    def line_counts(self, site: str, hashes: Iterable[int]) -> dict[int, int]:
        """Distinct-page counts of the given hashes (absent ones omitted)."""
        counts = self._lines.get(site, Counter())
        return {h: counts[h] for h in hashes if h in counts}


class SqliteLineCounts:
    """LineCountStore in the caller's SQLite connection; never commits (caller's transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.create_schema(conn)

    @staticmethod
    def create_schema(conn: sqlite3.Connection) -> None:
        """Create the boilerplate_ tables if missing (idempotent; no commit)."""
        conn.execute(
            "CREATE TABLE IF NOT EXISTS boilerplate_pages ("
            "site TEXT NOT NULL, page_key TEXT NOT NULL, PRIMARY KEY (site, page_key)"
            ") WITHOUT ROWID"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS boilerplate_sites ("
            "site TEXT PRIMARY KEY, pages INTEGER NOT NULL) WITHOUT ROWID"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS boilerplate_lines ("
            "site TEXT NOT NULL, hash INTEGER NOT NULL, pages INTEGER NOT NULL, "
            "PRIMARY KEY (site, hash)) WITHOUT ROWID"
        )

    def has_page(self, site: str, page_key: str) -> bool:
        """True if the page was learned."""
        row = self.conn.execute(
            "SELECT 1 FROM boilerplate_pages WHERE site = ? AND page_key = ?", (site, page_key)
        ).fetchone()
        return row is not None

    def add_page(self, site: str, page_key: str, hashes: Set[int]) -> None:
        """Record a page and count each of its distinct line hashes once (a known page: no-op)."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO boilerplate_pages (site, page_key) VALUES (?, ?)",
            (site, page_key),
        )
        if cursor.rowcount != 1:
            return
        self.conn.execute(
            "INSERT INTO boilerplate_sites (site, pages) VALUES (?, 1) "
            "ON CONFLICT (site) DO UPDATE SET pages = pages + 1",
            (site,),
        )
        self.conn.executemany(
            "INSERT INTO boilerplate_lines (site, hash, pages) VALUES (?, ?, 1) "
            "ON CONFLICT (site, hash) DO UPDATE SET pages = pages + 1",
            [(site, h) for h in sorted(hashes)],
        )

    def page_count(self, site: str) -> int:
        """Pages learned for the site."""
        row = self.conn.execute(
            "SELECT pages FROM boilerplate_sites WHERE site = ?", (site,)
        ).fetchone()
        return int(row[0]) if row else 0

    def line_counts(self, site: str, hashes: Iterable[int]) -> dict[int, int]:
        """Distinct-page counts of the given hashes (absent ones omitted)."""
        wanted = sorted(set(hashes))
        found: dict[int, int] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT hash, pages FROM boilerplate_lines WHERE site = ? AND hash IN ({marks})",
                (site, *chunk),
            )
            found.update((int(h), int(n)) for h, n in rows)
        return found


class SiteBoilerplate:
    """Strip lines that a site repeats on many of its article pages (call strip, then learn)."""

    def __init__(self, store: LineCountStore, min_pages: int = 3) -> None:
        self.store = store
        self.min_pages = min_pages
        self._last_learned: dict[str, frozenset[int]] = {}

    def learn(self, site: str, page_key: str, text: str, lines: TextLines | None = None) -> None:
        """Record the page's line hashes (once per page_key); LINES: TextLines.of(text)."""
        if self.store.has_page(site, page_key):
            return
        hashes = (lines or TextLines.of(text)).learnable
        self.store.add_page(site, page_key, hashes)
        self._last_learned[site] = hashes

    def strip(
        self, site: str, text: str, lines: TextLines | None = None
    ) -> tuple[str, list[tuple[str, str]]]:
        """Remove lines seen on enough other pages of the site; return text and removed lines.

        LINES, when given, must be TextLines.of(text) (the worker computed it).
        """
        return remove_lines(text, self.furniture(site, lines or TextLines.of(text)))

    def furniture(self, site: str, lines: TextLines) -> list[int]:
        """Indexes of the lines seen on enough other pages of the site (none if they would
        take most of the page)."""
        pages = self.store.page_count(site)
        counts = self.store.line_counts(site, [h for h in lines.hashes if h is not None])
        if lines.learnable == self._last_learned.get(site):
            pages -= 1  # this very page was just learned: do not count it as evidence
            counts = {h: n - 1 for h, n in counts.items()}
        drop = [
            i
            for i, (h, words) in enumerate(zip(lines.hashes, lines.words, strict=True))
            if h is not None and self._is_boilerplate(words, counts.get(h, 0), pages)
        ]
        text_chars = sum(lines.chars) + len(lines.chars) - 1
        if sum(lines.chars[i] for i in drop) > MAX_STRIP_SHARE * text_chars:
            logger.debug("site %s: learnt furniture would take most of a page; kept", site)
            return []
        return drop

    def _is_boilerplate(self, words: int, seen_on: int, pages: int) -> bool:
        """Short lines go once seen on min(min_pages, pages learned) pages; long need more."""
        if seen_on <= 0:
            return False
        if words <= SHORT_WORDS:
            return seen_on >= min(self.min_pages, max(pages, 1))
        return seen_on >= max(self.min_pages, LONG_LINE_PAGES)
