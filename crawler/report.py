"""Read an output folder (articles, duplicates, run files) into what the HTML report shows."""

from __future__ import annotations

import difflib
import gzip
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_DIFF_WORDS = 1500  # per side: longer texts are cut so the page stays light


class ReportError(Exception):
    """The folder holds nothing a report can be made of."""


@dataclass
class Member:
    """One article of a duplicate cluster: its metadata and, when known, its text."""

    id: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    reason: str | None = None
    similarity: float | None = None
    text: str | None = None


@dataclass
class Cluster:
    """A kept article and the duplicates dropped in its favour."""

    kept: Member
    members: list[Member] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything the page needs, aggregated while streaming the files."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    articles: int = 0
    per_source: Counter[str] = field(default_factory=Counter)
    per_day: Counter[str] = field(default_factory=Counter)
    per_source_day: Counter[tuple[str, str]] = field(default_factory=Counter)
    lengths: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    duplicates: Counter[str] = field(default_factory=Counter)
    dup_per_source: Counter[str] = field(default_factory=Counter)
    cluster_count: int = 0
    clusters: list[Cluster] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    bad_lines: int = 0

    @property
    def latest_run(self) -> dict[str, Any] | None:
        """The newest run file's content, or None when there is none."""
        return self.runs[-1] if self.runs else None

    @property
    def latest_sources(self) -> dict[str, dict[str, Any]]:
        """The latest run's per-source records (cleaned by _clean_run)."""
        return dict((self.latest_run or {}).get("sources") or {})

    @property
    def sources(self) -> list[str]:
        """Every source named by an article, a duplicate or the latest run."""
        named = set(self.per_source) | set(self.dup_per_source) | set(self.latest_sources)
        return sorted(named)


def find_files(folder: Path, prefix: str, suffix: str) -> list[Path]:
    """Published PREFIX-*SUFFIX(.gz) files in FOLDER and its sub-folders, oldest name first."""
    found = [
        path
        for pattern in (f"{prefix}-*{suffix}", f"{prefix}-*{suffix}.gz")
        for path in folder.rglob(pattern)
        if not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    return sorted(found, key=lambda path: (path.name, str(path)))


def _open(path: Path) -> IO[str]:
    """Open a plain or gzip-compressed text file."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_jsonl(path: Path, data: ReportData) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of PATH one at a time; count (and log once) unreadable lines."""
    bad = 0
    try:
        with _open(path) as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict):
                    yield record
                elif line.strip():
                    bad += 1
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        logger.warning("stopped reading %s: %s", path, exc)
        bad += 1
    if bad:
        logger.warning("skipped %d unreadable line(s) in %s", bad, path)
        data.bad_lines += bad


def _counts(value: Any) -> dict[str, int]:
    """A {name: count} mapping keeping integer counts only."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}


def _clean_source(record: Any) -> dict[str, Any]:
    """A run file's per-source record with well-typed counts, flags and previous figures."""
    if not isinstance(record, dict):
        return {}
    flags, previous = record.get("flags"), record.get("previous")
    return record | {
        **{name: _counts(record.get(name)) for name in ("duplicates", "dropped", "http_errors")},
        "flags": [str(flag) for flag in flags] if isinstance(flags, list) else [],
        "previous": _clean_source(previous) if isinstance(previous, dict) else None,
    }


def _clean_run(run: dict[str, Any]) -> dict[str, Any]:
    """A run file whose sources and totals the page can read without type checks."""
    sources, totals = run.get("sources"), run.get("totals")
    totals = totals if isinstance(totals, dict) else {}
    return run | {
        "sources": {str(k): _clean_source(v) for k, v in sources.items()}
        if isinstance(sources, dict)
        else {},
        "totals": totals | {n: _counts(totals.get(n)) for n in ("duplicates", "errors")},
    }


def _load_run(path: Path) -> dict[str, Any] | str:
    """A run file's JSON object, or why it cannot be read."""
    try:
        with _open(path) as handle:
            run = json.load(handle)
    except (OSError, EOFError, ValueError) as exc:
        return str(exc)
    return run if isinstance(run, dict) else "not a JSON object"


def _read_runs(paths: list[Path], data: ReportData) -> None:
    """Load every readable run file, in file-name (hence run stamp) order."""
    for path in paths:
        run = _load_run(path)
        if isinstance(run, str):
            logger.warning("ignoring run file %s: %s", path, run)
            data.bad_lines += 1
            continue
        run.setdefault("run", path.name.split("-", 1)[1].split(".")[0])
        data.runs.append(_clean_run(run))


def _cluster_key(record: dict[str, Any]) -> str | None:
    """The kept article a duplicate record points at."""
    key = record.get("duplicate_of") or record.get("cluster_id")
    return str(key) if key else None


def _count_duplicates(paths: list[Path], data: ReportData) -> Counter[str]:
    """First pass: totals by reason and source, and the size of every cluster."""
    sizes: Counter[str] = Counter()
    for path in paths:
        for record in read_jsonl(path, data):
            data.duplicates[str(record.get("reason") or "unknown")] += 1
            data.dup_per_source[str(record.get("source") or "unknown")] += 1
            if key := _cluster_key(record):
                sizes[key] += 1
    data.cluster_count = len(sizes)
    return sizes


def _str(value: Any) -> str | None:
    """VALUE as a string, None kept."""
    return None if value is None else str(value)


def _member(record: dict[str, Any]) -> Member:
    """A Member from a JSONL record (only the fields the page shows)."""
    similarity, text = record.get("similarity"), record.get("text")
    return Member(
        id=str(record.get("id")),
        title=_str(record.get("title")),
        url=_str(record.get("url")),
        source=_str(record.get("source")),
        reason=_str(record.get("reason")),
        similarity=float(similarity) if isinstance(similarity, int | float) else None,
        text=text if isinstance(text, str) else None,
    )


def _collect_clusters(paths: list[Path], data: ReportData, top: list[str]) -> None:
    """Second pass: the members of the TOP clusters, kept articles as placeholders."""
    clusters = {key: Cluster(kept=Member(id=key)) for key in top}
    for path in paths:
        for record in read_jsonl(path, data):
            key = _cluster_key(record)
            if key not in clusters:
                continue
            cluster = clusters[key]
            cluster.kept.url = cluster.kept.url or _str(record.get("duplicate_of_url"))
            cluster.kept.source = cluster.kept.source or _str(record.get("duplicate_of_source"))
            cluster.members.append(_member(record))
    data.clusters = [clusters[key] for key in top]


def _day(record: dict[str, Any]) -> str:
    """YYYY-MM-DD of publication, else of download, else 'unknown'."""
    for name in ("published", "fetched_at"):
        value = record.get(name)
        if isinstance(value, str) and _DAY.match(value):
            return value[:10]
    return "unknown"


def _read_articles(paths: list[Path], data: ReportData, wanted: set[str]) -> dict[str, Member]:
    """Aggregate the articles; keep metadata and text only for the WANTED ids."""
    kept: dict[str, Member] = {}
    for path in paths:
        for record in read_jsonl(path, data):
            source, day = str(record.get("source") or "unknown"), _day(record)
            text = record.get("text")
            data.articles += 1
            data.per_source[source] += 1
            data.per_day[day] += 1
            data.per_source_day[(source, day)] += 1
            data.lengths[source].append(len(text) if isinstance(text, str) else 0)
            if (article_id := str(record.get("id"))) in wanted:
                kept[article_id] = _member(record)
    return kept


def _fill_texts(data: ReportData, articles: dict[str, Member]) -> None:
    """Complete kept articles from the articles files; give members their text if found."""
    for cluster in data.clusters:
        if found := articles.get(cluster.kept.id):
            found.url, found.source = (
                found.url or cluster.kept.url,
                found.source or cluster.kept.source,
            )
            cluster.kept = found
        for member in cluster.members:
            same_page = member.id == cluster.kept.id
            if member.text is None and not same_page and member.id in articles:
                member.text = articles[member.id].text


def load_report(folder: Path, top: int = 10) -> ReportData:
    """Stream FOLDER's output files into a ReportData with the TOP largest clusters."""
    data = ReportData(folder=folder)
    articles = find_files(folder, "articles", ".jsonl")
    duplicates = find_files(folder, "duplicates", ".jsonl")
    runs = find_files(folder, "run", ".json")
    data.files = articles + duplicates + runs
    if not data.files:
        raise ReportError(f"no articles-*.jsonl, duplicates-*.jsonl or run-*.json in {folder}")
    _read_runs(runs, data)
    sizes = _count_duplicates(duplicates, data)
    ranked = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[: max(top, 0)]
    _collect_clusters(duplicates, data, [key for key, _ in ranked])
    wanted = {m.id for c in data.clusters for m in [c.kept, *c.members] if m.text is None}
    _fill_texts(data, _read_articles(articles, data, wanted))
    return data


def word_diff(old: str, new: str) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
    """Word-level diff: (changed, words) runs of OLD and of NEW."""
    old_words, new_words = old.split()[:MAX_DIFF_WORDS], new.split()[:MAX_DIFF_WORDS]
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    left: list[tuple[bool, str]] = []
    right: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            left.append((changed, " ".join(old_words[i1:i2])))
        if j2 > j1:
            right.append((changed, " ".join(new_words[j1:j2])))
    return left, right


def median(values: list[int]) -> int | None:
    """The median of VALUES rounded to an int, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else round((ordered[mid - 1] + ordered[mid]) / 2)
