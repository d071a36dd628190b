"""Per-source health of one run: what each source yielded, lost and failed with."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

YIELD_COLLAPSE = 0.2  # flag a source finding < 20 % of the URLs of its previous run
LENGTH_COLLAPSE = 0.5  # flag a median text length < 50 % of the previous run's


@dataclass
class SourceHealth:
    """Counters of one source in one run."""

    kind: str = "unknown"
    status: str = "pending"
    urls_found: int = 0
    new: int = 0
    skipped_seen: int = 0
    blocked: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    http_errors: Counter[str] = field(default_factory=Counter)
    text_lengths: list[int] = field(default_factory=list)

    def http_error(self, reason: str) -> None:
        """Count a failed download (http_404 -> '404'; 403/429 also count as blocked)."""
        status = reason.removeprefix("http_")
        self.http_errors[status] += 1
        if status in ("403", "429"):
            self.blocked += 1

    def figures(self) -> dict[str, Any]:
        """The JSON figures of docs/RUNFILE.md (without previous/flags)."""
        median = statistics.median(self.text_lengths) if self.text_lengths else None
        return {
            "status": self.status,
            "kind": self.kind,
            "urls_found": self.urls_found,
            "new": self.new,
            "skipped_seen": self.skipped_seen,
            "duplicates": dict(self.duplicates),
            "dropped": dict(self.dropped),
            "http_errors": dict(self.http_errors),
            "blocked": self.blocked,
            "median_text_chars": int(median) if median is not None else None,
        }


@dataclass
class RunHealth:
    """All sources of a run, created on first mention."""

    sources: dict[str, SourceHealth] = field(default_factory=dict)

    def source(self, name: str | None) -> SourceHealth:
        """The counters of source NAME (an unnamed source is grouped under '?')."""
        return self.sources.setdefault(name or "?", SourceHealth())

    def report(self, previous: dict[str, Any] | None) -> dict[str, Any]:
        """Per-source figures with the previous run's and collapse flags."""
        before = (previous or {}).get("sources", {})
        report = {}
        for name, health in sorted(self.sources.items()):
            figures = health.figures()
            prior = before.get(name)
            if prior:
                prior = {k: v for k, v in prior.items() if k not in ("previous", "flags")}
            report[name] = {**figures, "previous": prior, "flags": flags(figures, prior)}
        return report


def flags(now: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    """'failed', 'yield_collapsed', 'text_length_collapsed' as they apply."""
    found = ["failed"] if str(now.get("status", "")).startswith("failed") else []
    if not before:
        return found
    old_found = before.get("urls_found") or 0
    if old_found >= 5 and now["urls_found"] < YIELD_COLLAPSE * old_found:
        found.append("yield_collapsed")
    old_median, new_median = before.get("median_text_chars"), now.get("median_text_chars")
    enough = min(before.get("new") or 0, now.get("new") or 0) >= 3
    if enough and old_median and new_median and new_median < LENGTH_COLLAPSE * old_median:
        found.append("text_length_collapsed")
    return found
