"""Offline near-duplicate removal over JSONL files, through the same NearDupIndex as crawls."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pipelines.minhash import NearDupConfig, text_signature
from pipelines.neardup import Match, NearDupIndex

log = logging.getLogger(__name__)

KEEP_MODES = ("first", "longest", "earliest-published")
_COMMIT_EVERY = 2000
_NEVER = float("inf")


@dataclass
class DedupCounts:
    """What dedup_jsonl did: records read, kept, duplicates, and skipped lines by reason."""

    read: int = 0
    kept: int = 0
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line for the CLI."""
        skipped = ", ".join(f"{k}={v}" for k, v in sorted(self.skipped.items())) or "none"
        return f"read={self.read} kept={self.kept} duplicates={self.duplicates} skipped: {skipped}"


@dataclass(frozen=True)
class _Record:
    """One usable input record and where it came from."""

    key: str
    data: dict[str, Any]
    size: int  # bytes of the raw line, for progress


def _records(inputs: Sequence[Path], counts: DedupCounts) -> Iterator[_Record]:
    """Stream records with text; count (never raise on) bad lines."""
    for path in inputs:
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                counts.read += 1
                try:
                    data = json.loads(raw)
                except ValueError:
                    counts.skipped["bad_json"] += 1
                    continue
                if not isinstance(data, dict):
                    counts.skipped["not_an_object"] += 1
                elif not isinstance(data.get("text"), str) or not data["text"].strip():
                    counts.skipped["no_text"] += 1
                else:
                    rid = data.get("id")
                    key = str(rid) if rid not in (None, "") else f"{path.name}:{lineno}"
                    yield _Record(key, data, len(raw))


@contextlib.contextmanager
def _atomic_writer(path: Path | None) -> Iterator[IO[str] | None]:
    """Write to a temp file next to path; fsync and os.replace it on success."""
    if path is None:
        yield None
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _scratch_index(config: NearDupConfig, where: Path) -> Iterator[NearDupIndex]:
    """A NearDupIndex in a throw-away SQLite file (bounded memory), committed in batches."""
    with tempfile.TemporaryDirectory(prefix=".neardup-", dir=where) as tmp:
        conn = sqlite3.connect(Path(tmp) / "index.sqlite")
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            NearDupIndex.create_schema(conn)
            yield NearDupIndex(conn, config)
        finally:
            conn.close()


@contextlib.contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Any]:
    """A rich progress bar over input bytes on a terminal, else a no-op advance()."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("dedup", total=total)
        yield lambda n: bar.advance(task, n)


def _write(fh: IO[str] | None, data: dict[str, Any]) -> None:
    """Write one JSON line if fh is open."""
    if fh is not None:
        fh.write(json.dumps(data, ensure_ascii=False) + "\n")


def _duplicate(data: dict[str, Any], keeper: str, similarity: float, reason: str) -> dict[str, Any]:
    """The duplicate record: all input fields plus where it went."""
    extra = {"duplicate_of": keeper, "cluster_id": keeper, "similarity": similarity}
    return {**data, **extra, "reason": reason}


def _rank(n: int, data: dict[str, Any], keep: str) -> float:
    """Lower is better: input order, -length, or publication time (unknown = last)."""
    if keep == "first":
        return float(n)
    if keep == "longest":
        return -float(len(data["text"]))
    value = data.get("published")
    if not isinstance(value, str):
        return _NEVER
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _NEVER
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


class _Clusters:
    """Per-record union-find plus the small per-record facts pass 2 needs (ids, no texts)."""

    def __init__(self) -> None:
        self.parent = array("q")
        self.rank = array("d")
        self.similarity = array("d")
        self.reason: list[str] = []
        self.keys: list[str] = []

    def root(self, n: int) -> int:
        """Cluster representative of record n."""
        parent = self.parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def add(self, key: str, rank: float, matches: list[Match]) -> None:
        """Record one input; join it to its best match (to all if it is a near copy of one)."""
        n = len(self.parent)
        self.parent.append(n)
        self.rank.append(rank)
        self.keys.append(key)
        self.similarity.append(matches[0].similarity if matches else 1.0)
        self.reason.append(matches[0].reason if matches else "")
        joined = matches if matches and matches[0].reason == "near" else matches[:1]
        for match in joined:
            a, b = self.root(n), self.root(int(match.doc_id))
            if a != b:
                self.parent[a] = b

    def keepers(self) -> dict[int, int]:
        """Cluster root -> record number of the record to keep (lowest rank, then first)."""
        best: dict[int, int] = {}
        for n in range(len(self.parent)):
            r = self.root(n)
            if r not in best or self.rank[n] < self.rank[best[r]]:
                best[r] = n
        return best


def _cluster(
    inputs: Sequence[Path], index: NearDupIndex, counts: DedupCounts, keep: str, advance: Any
) -> _Clusters:
    """Pass 1: match every record against all records before it (index ids = record numbers)."""
    clusters = _Clusters()
    for n, rec in enumerate(_records(inputs, counts)):
        sig = text_signature(rec.data["text"], index.config)
        matches = index.find_all(sig)
        # duplicates are stored too (pointing at their keeper): later copies that drifted
        # further from the first one still match through them
        index.add(str(n), sig, 0.0, keeper=matches[0].doc_id if matches else None)
        clusters.add(rec.key, _rank(n, rec.data, keep), matches)
        advance(rec.size)
        if n % _COMMIT_EVERY == 0:
            index.conn.commit()
    return clusters


def _write_all(
    inputs: Sequence[Path],
    clusters: _Clusters,
    counts: DedupCounts,
    advance: Any,
    files: tuple[IO[str] | None, IO[str] | None],
) -> None:
    """Pass 2: re-read the inputs; write each cluster's keeper and its duplicates."""
    out, dup = files
    keepers = clusters.keepers()
    for n, rec in enumerate(_records(inputs, DedupCounts())):
        keeper = keepers[clusters.root(n)]
        keeper_key = clusters.keys[keeper]
        advance(rec.size)
        if n == keeper:
            counts.kept += 1
            _write(out, {**rec.data, "cluster_id": keeper_key})
            continue
        counts.duplicates += 1
        source = n if clusters.reason[n] else keeper  # the cluster's first record matched nothing
        reason = clusters.reason[source]
        counts.reasons[reason] += 1
        _write(dup, _duplicate(rec.data, keeper_key, clusters.similarity[source], reason))


def dedup_jsonl(
    inputs: Sequence[Path],
    output: Path,
    duplicates: Path | None,
    config: NearDupConfig,
    keep: str = "first",
    progress: bool = False,
) -> DedupCounts:
    """Write the records of INPUTS minus near-duplicates to OUTPUT; duplicates to DUPLICATES."""
    if keep not in KEEP_MODES:
        raise ValueError(f"keep must be one of {', '.join(KEEP_MODES)}, not {keep!r}")
    counts = DedupCounts()
    total = sum(p.stat().st_size for p in inputs)
    where = output.parent if output.parent.exists() else Path(".")
    with _scratch_index(config, where) as index, _progress(2 * total, progress) as advance:
        clusters = _cluster(inputs, index, counts, keep, advance)
    with _atomic_writer(output) as out, _atomic_writer(duplicates) as dup:
        _write_all(inputs, clusters, counts, advance, (out, dup))
    if counts.skipped:
        log.warning("dedup skipped input lines: %s", dict(counts.skipped))
    log.info("dedup: %s", counts.summary())
    return counts
