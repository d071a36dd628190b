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
from datetime import datetime
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
    return {**data, "duplicate_of": keeper, "cluster_id": keeper, "similarity": similarity,
            "reason": reason}  # fmt: skip


def _rank(data: dict[str, Any], keep: str) -> float:
    """Lower is better: -length for longest, publication time for earliest-published."""
    if keep == "longest":
        return -float(len(data["text"]))
    value = data.get("published")
    if not isinstance(value, str):
        return _NEVER
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError):
        return _NEVER
    except TypeError:  # naive vs aware never happens for one value; be safe
        return _NEVER


def _first_pass(
    inputs: Sequence[Path], index: NearDupIndex, counts: DedupCounts, advance: Any
) -> Iterator[tuple[_Record, Match | None]]:
    """Match every record against the records kept before it (keep=first semantics)."""
    for n, rec in enumerate(_records(inputs, counts), 1):
        sig = text_signature(rec.data["text"], index.config)
        match = index.find(sig)
        # duplicates are stored too (pointing at their keeper): later copies that drifted
        # further from the keeper still match through them, like a transitive closure
        index.add(rec.key, sig, 0.0, keeper=match.doc_id if match else None)
        yield rec, match
        advance(rec.size)
        if n % _COMMIT_EVERY == 0:
            index.conn.commit()


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
    with (
        _scratch_index(config, output.parent if output.parent.exists() else Path(".")) as index,
        _progress(total * (1 if keep == "first" else 2), progress) as advance,
        _atomic_writer(output) as out,
        _atomic_writer(duplicates) as dup,
    ):
        if keep == "first":
            for rec, match in _first_pass(inputs, index, counts, advance):
                _emit(rec, match, out, dup, counts)
        else:
            _two_pass(inputs, index, counts, keep, advance, (out, dup))
    log.info("dedup: %s", counts.summary())
    return counts


def _emit(
    rec: _Record, match: Match | None, out: IO[str] | None, dup: IO[str] | None, c: DedupCounts
) -> None:
    """Write one record as kept or duplicate (keep=first)."""
    if match is None:
        c.kept += 1
        _write(out, {**rec.data, "cluster_id": rec.key})
    else:
        c.duplicates += 1
        c.reasons[match.reason] += 1
        _write(dup, _duplicate(rec.data, match.doc_id, match.similarity, match.reason))


def _two_pass(
    inputs: Sequence[Path],
    index: NearDupIndex,
    counts: DedupCounts,
    keep: str,
    advance: Any,
    files: tuple[IO[str] | None, IO[str] | None],
) -> None:
    """Cluster in pass 1 (small per-record arrays only), write the best of each in pass 2."""
    cluster_of: dict[str, int] = {}  # key of each cluster's first record -> cluster number
    cluster, sims = array("q"), array("d")
    reasons: list[str] = []
    best: dict[int, tuple[float, int, str]] = {}  # cluster -> (rank, record number, key)
    for n, (rec, match) in enumerate(_first_pass(inputs, index, counts, advance)):
        c = cluster_of.setdefault(rec.key, len(cluster_of)) if match is None else cluster_of[match.doc_id]
        cluster.append(c)
        sims.append(match.similarity if match else 1.0)
        reasons.append(match.reason if match else "")
        rank = _rank(rec.data, keep)
        if c not in best or rank < best[c][0]:
            best[c] = (rank, n, rec.key)
    out, dup = files
    for n, rec in enumerate(_records(inputs, DedupCounts())):
        _, keeper_n, keeper_key = best[cluster[n]]
        advance(rec.size)
        if n == keeper_n:
            counts.kept += 1
            _write(out, {**rec.data, "cluster_id": keeper_key})
            continue
        counts.duplicates += 1
        sim, reason = (sims[keeper_n], reasons[keeper_n]) if not reasons[n] else (sims[n], reasons[n])
        counts.reasons[reason] += 1
        _write(dup, _duplicate(rec.data, keeper_key, sim, reason))
