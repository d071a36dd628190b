"""Persistent near-duplicate index: MinHash LSH candidates, exact verification on shingles."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from pipelines.minhash import NearDupConfig, Signature, band_keys, text_signature

__all__ = ["Match", "NearDupConfig", "NearDupIndex", "Signature", "text_signature"]

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS neardup_doc (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,"
    " added REAL NOT NULL, keeper TEXT, content INTEGER NOT NULL, minhash BLOB NOT NULL,"
    " lead BLOB NOT NULL, shingles BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS neardup_doc_added ON neardup_doc (added)",
    "CREATE TABLE IF NOT EXISTS neardup_band (key INTEGER NOT NULL, doc INTEGER NOT NULL,"
    " PRIMARY KEY (key, doc)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS neardup_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_SKETCH_BITS = 24
_RAW_JACCARD = 0.9  # near-identical raw shingle sets match even when all shingles are furniture


def _intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Values in both sorted unique arrays (binary search; no concatenate + sort)."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0 or len(b) == 0:
        return a[:0]
    pos = np.searchsorted(b, a)
    pos[pos == len(b)] = 0
    out: np.ndarray = a[b[pos] == a]
    return out


def _not_in(values: np.ndarray, q: np.ndarray, q_mask: np.ndarray) -> int:
    """How many of values (a sorted subset of sorted q) are not flagged in q_mask."""
    return len(values) - int(np.count_nonzero(q_mask[np.searchsorted(q, values)]))


@dataclass(frozen=True)
class Match:
    """A verified near-duplicate: the stored document, its similarity and why it matched."""

    doc_id: str
    similarity: float
    reason: str  # "near" (Jaccard), "contained" (containment) or "lead" (found via lead LSH)


class _CommonShingles:
    """Count-min sketch of shingle document frequency over recently stored docs (furniture)."""

    def __init__(self) -> None:
        self.counts = np.zeros((2, 1 << _SKETCH_BITS), dtype=np.uint8)
        self.mult = np.array([0x9E3779B1, 0x85EBCA77], dtype=np.uint32)
        self.version = 0  # bumped on every change: lets callers reuse a frequency() result

    def _slots(self, shingles: np.ndarray) -> np.ndarray:
        """Sketch slots of each shingle, one row per hash."""
        return (shingles[None, :] * self.mult[:, None]) >> np.uint32(32 - _SKETCH_BITS)

    def add(self, shingles: np.ndarray) -> None:
        """Count one document's shingles (saturating at 255)."""
        self.version += 1
        for row, slots in enumerate(self._slots(shingles)):
            self.counts[row, slots] = np.minimum(self.counts[row, slots], 254) + 1

    def frequency(self, shingles: np.ndarray) -> np.ndarray:
        """Estimated number of stored docs containing each shingle."""
        slots = self._slots(shingles)
        out: np.ndarray = np.minimum(self.counts[0, slots[0]], self.counts[1, slots[1]])
        return out

    def clear(self) -> None:
        """Forget every count."""
        self.version += 1
        self.counts.fill(0)


class NearDupIndex:
    """Near-duplicate index in SQLite tables neardup_*; the caller owns transactions."""

    _last_keys: tuple[Signature, tuple[list[int], list[int]]] | None = None  # _keys() memo
    _common_memo: tuple[Signature, int, np.ndarray] | None = None  # _query_common() memo

    def __init__(self, conn: sqlite3.Connection | None, config: NearDupConfig) -> None:
        if conn is None:
            conn = sqlite3.connect(":memory:")
            self.create_schema(conn)
        self.conn = conn
        self.config = config
        self.num_perm = config.num_perm
        self._common = _CommonShingles()
        self._added_since_rebuild = 0
        self._check_meta()
        self._rebuild_common()

    @staticmethod
    def create_schema(conn: sqlite3.Connection) -> None:
        """Create the neardup_* tables if missing (no commit)."""
        for statement in _SCHEMA:
            conn.execute(statement)

    def _check_meta(self) -> None:
        """Record the signature parameters; refuse a DB built with different ones."""
        c = self.config
        params = f"{c.num_perm}/{c.shingle}/{c.seed}/{c.min_line_words}/{c.lead_words}/"
        params += f"{c.lsh_bands}x{c.lsh_rows}"
        row = self.conn.execute("SELECT value FROM neardup_meta WHERE name='signature'").fetchone()
        if row is None:
            self.conn.execute("INSERT INTO neardup_meta VALUES ('signature', ?)", (params,))
        elif row[0] != params:
            raise ValueError(f"near-dup state was built with {row[0]}, config wants {params}")

    def _rebuild_common(self) -> None:
        """Recount furniture statistics from the most recently stored docs."""
        self._common.clear()
        self._added_since_rebuild = 0
        rows = self.conn.execute(
            "SELECT shingles FROM neardup_doc WHERE keeper IS NULL ORDER BY id DESC LIMIT ?",
            (self.config.common_window,),
        )
        for (blob,) in rows:
            self._common.add(np.frombuffer(blob, dtype=np.uint32))

    def _keys(self, sig: Signature) -> tuple[list[int], list[int]]:
        """LSH band keys of the whole-text and the lead signature (memo: find, then add)."""
        if self._last_keys is not None and self._last_keys[0] is sig:
            return self._last_keys[1]
        c = self.config
        n = c.lsh_bands * c.lsh_rows  # lead bands continue the numbering: salt 1, as one call
        both = band_keys(
            np.concatenate([sig.minhash[:n], sig.lead[:n]]), 2 * c.lsh_bands, c.lsh_rows, 0
        )
        keys = (both[: c.lsh_bands], both[c.lsh_bands :])
        self._last_keys = (sig, keys)
        return keys

    def _candidate_rows(self, sig: Signature) -> list[tuple[int, str, int, bytes, bool]]:
        """(rowid, reported id, content size, shingles, any whole-text band?) of candidates.

        Candidates are the stored docs sharing a band with sig, at most max_candidates (most
        band hits first), in rowid order. Counting in SQL (GROUP BY) measured no faster.
        """
        whole, lead = self._keys(sig)
        keys = whole + lead
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(f"SELECT key, doc FROM neardup_band WHERE key IN ({marks})", keys)
        whole_set = set(whole)
        hits: dict[int, int] = {}
        via_whole: dict[int, bool] = {}
        for key, doc in rows:
            hits[doc] = hits.get(doc, 0) + 1
            via_whole[doc] = via_whole.get(doc, False) or key in whole_set
        if not hits:
            return []
        best = sorted(hits, key=hits.__getitem__, reverse=True)[: self.config.max_candidates]
        rows = self.conn.execute(
            f"SELECT id, COALESCE(keeper, doc_id), content, shingles FROM neardup_doc"
            f" WHERE id IN ({','.join('?' * len(best))}) ORDER BY id",
            best,
        )
        return [(*row, via_whole[row[0]]) for row in rows]

    def find(self, sig: Signature) -> Match | None:
        """Best verified match among stored docs, or None."""
        matches = self.find_all(sig)
        return matches[0] if matches else None

    def find_all(self, sig: Signature) -> list[Match]:
        """Every verified match (one per reported doc id), best first."""
        rows = self._candidate_rows(sig)
        if not rows:
            return []
        best: dict[str, Match] = {}
        for (_, doc_id, _, _, whole), verdict in zip(rows, self._verdicts(sig, rows), strict=True):
            if verdict is None:
                continue
            reason = verdict[1] if whole or verdict[1] == "near" else "lead"
            if doc_id not in best or verdict[0] > best[doc_id].similarity:
                best[doc_id] = Match(doc_id, round(verdict[0], 4), reason)
        return sorted(best.values(), key=lambda m: (m.reason != "near", -m.similarity))

    def _verdicts(self, sig: Signature, rows: list[Any]) -> list[tuple[float, str] | None]:
        """_verify of each candidate row (furniture counted only if some overlap is enough)."""
        q, c = sig.shingles, self.config
        stored = [np.frombuffer(row[3], dtype=np.uint32) for row in rows]
        boths = [_intersect_sorted(q, d) for d in stored]
        if max(map(len, boths)) < min(c.min_shingles // 2, c.threshold * c.min_shingles):
            return [None] * len(rows)  # what _decide rejects first: no furniture counts needed
        q_common = self._query_common(sig)
        q_size = int(len(q) - np.count_nonzero(q_common))
        return [
            self._decide(len(q), q_size, d, row[2], len(both), partial(_not_in, both, q, q_common))
            for row, d, both in zip(rows, stored, boths, strict=True)
        ]

    def _query_common(self, sig: Signature) -> np.ndarray:
        """Furniture mask of sig's shingles (memo until the statistics change: find, then add)."""
        memo = self._common_memo
        if memo is not None and memo[0] is sig and memo[1] == self._common.version:
            return memo[2]
        common: np.ndarray = self._common.frequency(sig.shingles) >= self.config.common_docs
        self._common_memo = (sig, self._common.version, common)
        return common

    def _shared(self, both: np.ndarray) -> int:
        """Number of shingles in both that are not furniture."""
        return len(both) - int(
            np.count_nonzero(self._common.frequency(both) >= self.config.common_docs)
        )

    def _content_size(self, shingles: np.ndarray) -> int:
        """Number of shingles that are not furniture."""
        common = self._common.frequency(shingles) >= self.config.common_docs
        return int(len(shingles) - common.sum())

    def _verify(
        self, q: np.ndarray, q_size: int, d: np.ndarray, d_size: int
    ) -> tuple[float, str] | None:
        """Exact check of one candidate on content (non-furniture) shingles."""
        both = _intersect_sorted(q, d)
        return self._decide(len(q), q_size, d, d_size, len(both), partial(self._shared, both))

    def _decide(
        self,
        q_len: int,
        q_size: int,
        d: np.ndarray,
        d_size: int,
        inter: int,
        shared_count: Callable[[], int],
    ) -> tuple[float, str] | None:
        """Verdict for a candidate sharing inter shingles (shared_count(): non-furniture ones).

        d_size is the candidate's content size when stored; it is recounted only when the
        furniture learnt since then could change the verdict.
        """
        c = self.config
        if inter < min(c.min_shingles // 2, c.threshold * c.min_shingles):
            return None  # too little overlap for any rule below
        raw = inter / (q_len + len(d) - inter)
        if raw >= max(_RAW_JACCARD, c.jaccard):
            return raw, "near"
        union = q_size + d_size - inter
        if inter < c.threshold * min(q_size, d_size) and inter < c.jaccard * union:
            if inter < c.threshold / 2 * min(q_len, len(d)):
                return None  # furniture discounting only lowers the overlap: cannot pass
            d_size = self._content_size(d)  # furniture learnt since d was stored may matter
        shared = shared_count()
        smaller = min(q_size, d_size)
        jaccard = shared / max(1, q_size + d_size - shared)
        if jaccard >= c.jaccard and shared >= c.min_shingles // 2:
            return jaccard, "near"
        if smaller >= c.min_shingles and shared / smaller >= c.threshold:
            return shared / smaller, "contained"
        return None

    def add(self, doc_id: str, sig: Signature, now: float, keeper: str | None = None) -> None:
        """Store a document's signature (replacing one with the same id).

        A duplicate stored with `keeper` makes later matches against it report the keeper;
        it is not counted in the furniture statistics.
        """
        self._delete(self.conn.execute("SELECT id FROM neardup_doc WHERE doc_id=?", (doc_id,)))
        cur = self.conn.execute(
            "INSERT INTO neardup_doc (doc_id, added, keeper, content, minhash, lead, shingles)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                doc_id,
                now,
                keeper,
                int(len(sig.shingles) - np.count_nonzero(self._query_common(sig))),
                sig.minhash.tobytes(),
                sig.lead.tobytes(),
                sig.shingles.tobytes(),
            ),
        )
        rowid = cur.lastrowid
        whole, lead = self._keys(sig)
        self.conn.executemany(
            "INSERT OR IGNORE INTO neardup_band (key, doc) VALUES (?, ?)",
            [(key, rowid) for key in whole + lead],
        )
        if keeper is not None:
            return
        self._common.add(sig.shingles)
        self._added_since_rebuild += 1
        if self._added_since_rebuild >= self.config.common_window:
            self._rebuild_common()

    def _delete(self, rows: sqlite3.Cursor) -> int:
        """Delete the docs (id, ...) in rows and their band keys; return how many."""
        ids = [row[0] for row in rows.fetchall()]
        for rowid in ids:
            mh, lead = self.conn.execute(
                "SELECT minhash, lead FROM neardup_doc WHERE id=?", (rowid,)
            ).fetchone()
            sig = Signature(
                np.zeros(0, np.uint32),
                np.frombuffer(mh, dtype=np.uint32),
                np.frombuffer(lead, dtype=np.uint32),
            )
            whole, lead_keys = self._keys(sig)
            self.conn.executemany(
                "DELETE FROM neardup_band WHERE key=? AND doc=?",
                [(key, rowid) for key in whole + lead_keys],
            )
            self.conn.execute("DELETE FROM neardup_doc WHERE id=?", (rowid,))
        return len(ids)

    def evict(self, older_than: float) -> int:
        """Drop entries added before older_than; return how many were dropped."""
        count = self._delete(
            self.conn.execute("SELECT id FROM neardup_doc WHERE added < ?", (older_than,))
        )
        if count:
            log.info("evicted %d near-dup signatures", count)
        return count

    def size(self) -> int:
        """Number of stored documents."""
        return int(self.conn.execute("SELECT COUNT(*) FROM neardup_doc").fetchone()[0])
