"""Persistent near-duplicate index: MinHash LSH candidates, exact verification on shingles."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

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

    def _slots(self, shingles: np.ndarray) -> np.ndarray:
        """Sketch slots of each shingle, one row per hash."""
        return (shingles[None, :] * self.mult[:, None]) >> np.uint32(32 - _SKETCH_BITS)

    def add(self, shingles: np.ndarray) -> None:
        """Count one document's shingles (saturating at 255)."""
        for row, slots in enumerate(self._slots(shingles)):
            self.counts[row, slots] = np.minimum(self.counts[row, slots], 254) + 1

    def frequency(self, shingles: np.ndarray) -> np.ndarray:
        """Estimated number of stored docs containing each shingle."""
        slots = self._slots(shingles)
        out: np.ndarray = np.minimum(self.counts[0, slots[0]], self.counts[1, slots[1]])
        return out

    def clear(self) -> None:
        """Forget every count."""
        self.counts.fill(0)


class NearDupIndex:
    """Near-duplicate index in SQLite tables neardup_*; the caller owns transactions."""

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
        """LSH band keys of the whole-text and the lead signature."""
        c = self.config
        return (
            band_keys(sig.minhash, c.lsh_bands, c.lsh_rows, 0),
            band_keys(sig.lead, c.lsh_bands, c.lsh_rows, 1),
        )

    def _candidates(self, sig: Signature) -> dict[int, bool]:
        """Stored doc rowids sharing a band with sig -> True if any whole-text band matched."""
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
        best = sorted(hits, key=hits.__getitem__, reverse=True)[: self.config.max_candidates]
        return {doc: via_whole[doc] for doc in best}

    def find(self, sig: Signature) -> Match | None:
        """Best verified match among stored docs, or None."""
        matches = self.find_all(sig)
        return matches[0] if matches else None

    def find_all(self, sig: Signature) -> list[Match]:
        """Every verified match (one per reported doc id), best first."""
        candidates = self._candidates(sig)
        if not candidates:
            return []
        marks = ",".join("?" * len(candidates))
        rows = self.conn.execute(
            f"SELECT id, COALESCE(keeper, doc_id), content, shingles FROM neardup_doc"
            f" WHERE id IN ({marks})",
            list(candidates),
        )
        q_size = self._content_size(sig.shingles)
        best: dict[str, Match] = {}
        for rowid, doc_id, d_size, blob in rows:
            d = np.frombuffer(blob, dtype=np.uint32)
            verdict = self._verify(sig.shingles, q_size, d, d_size)
            if verdict is None:
                continue
            reason = verdict[1] if candidates[rowid] or verdict[1] == "near" else "lead"
            if doc_id not in best or verdict[0] > best[doc_id].similarity:
                best[doc_id] = Match(doc_id, round(verdict[0], 4), reason)
        return sorted(best.values(), key=lambda m: (m.reason != "near", -m.similarity))

    def _content_size(self, shingles: np.ndarray) -> int:
        """Number of shingles that are not furniture."""
        common = self._common.frequency(shingles) >= self.config.common_docs
        return int(len(shingles) - common.sum())

    def _verify(
        self, q: np.ndarray, q_size: int, d: np.ndarray, d_size: int
    ) -> tuple[float, str] | None:
        """Exact check of one candidate on content (non-furniture) shingles.

        d_size is the candidate's content size when stored; it is recounted only when the
        furniture learnt since then could change the verdict.
        """
        c = self.config
        both = _intersect_sorted(q, d)
        inter = len(both)
        if inter < min(c.min_shingles // 2, c.threshold * c.min_shingles):
            return None  # too little overlap for any rule below
        raw = inter / (len(q) + len(d) - inter)
        if raw >= max(_RAW_JACCARD, c.jaccard):
            return raw, "near"
        union = q_size + d_size - inter
        if inter < c.threshold * min(q_size, d_size) and inter < c.jaccard * union:
            if inter < c.threshold / 2 * min(len(q), len(d)):
                return None  # furniture discounting only lowers the overlap: cannot pass
            d_size = self._content_size(d)  # furniture learnt since d was stored may matter
        common = self._common.frequency(both)
        shared = int(inter - (common >= c.common_docs).sum())
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
                self._content_size(sig.shingles),
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
