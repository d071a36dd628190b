"""Score extract_article against plain trafilatura on the extraction benchmark sets.

Usage: .venv/bin/python bench/extraction.py [--data DIR] [--boilerplate DIR] [--limit N]

Metric (ScrapingHub article-extraction-benchmark): \\w+ tokens, 4-word shingles,
per-page TP/FP/FN normalised to sum 1, precision averaged over non-empty predictions,
recall over all pages, F1 of the two means.  docs/s counts extractor calls only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura

from pipelines.extraction import NoArticle, extract_article

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
TOKEN = re.compile(r"\w+")
NGRAM = 4
BOILERPLATE_MAIN = (
    "leave_a_reply",
    "comment_form",
    "back_to_top",
    "related_articles",
    "breadcrumb",
    "share_buttons",
    "cookie_banner",
    "user_comments",
)
Extractor = Callable[[str, str], str]
Page = tuple[str, str, str, str]  # id, html, url, truth


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Multiset of 4-word shingles (one shorter shingle for 1-3 tokens)."""
    tokens = TOKEN.findall(text or "")
    if len(tokens) < NGRAM:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + NGRAM]) for i in range(len(tokens) - NGRAM + 1))


def page_counts(truth: str, pred: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page."""
    t, p = shingles(truth), shingles(pred)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision_recall(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision (non-empty predictions), mean recall (all pages) and their F1."""
    precisions = [1.0 if fp == fn == 0 else tp / (tp + fp) for tp, fp, fn in counts if tp + fp]
    recalls = [1.0 if fp == fn == 0 else tp / (tp + fn) for tp, fp, fn in counts if tp + fn]
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_pages(folder: Path) -> list[Page]:
    """Pages of a benchmark folder: (id, html, url, ground-truth body)."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        path = folder / "html" / f"{page_id}.html"
        gz = path.with_name(path.name + ".gz")
        data = gzip.decompress(gz.read_bytes()) if gz.exists() else path.read_bytes()
        entry = truth[page_id]
        html = data.decode("utf-8", errors="replace")
        pages.append((page_id, html, entry.get("url") or "", entry.get("articleBody") or ""))
    return pages


def ours(html: str, url: str) -> str:
    """extract_article text ('' when it raises NoArticle)."""
    try:
        return extract_article(html, url or None).text
    except NoArticle:
        return ""


def baseline(html: str, url: str) -> str:
    """Plain trafilatura.extract with library defaults."""
    return trafilatura.extract(html, url=url or None) or ""


Timed = tuple[dict[str, str], float, float]  # predictions, wall seconds, CPU seconds


def run_all(pages: list[Page], extractors: list[tuple[str, Extractor]]) -> dict[str, Timed]:
    """Run the extractors page by page, interleaved so machine load hits them alike."""
    for _name, extractor in extractors:
        extractor(pages[0][1], pages[0][2])  # warm-up: imports, lazy models
    preds: dict[str, dict[str, str]] = {name: {} for name, _ in extractors}
    wall = dict.fromkeys(preds, 0.0)
    cpu = dict.fromkeys(preds, 0.0)
    for page_id, html, url, _truth in pages:
        for name, extractor in extractors:
            start, start_cpu = time.perf_counter(), time.process_time()
            preds[name][page_id] = extractor(html, url)
            wall[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu
    return {name: (preds[name], wall[name], cpu[name]) for name in preds}


def score_dev(pages: list[Page], extractors: list[tuple[str, Extractor]]) -> None:
    """Print P, R, F1, empty pages and docs/s of each extractor, then the time ratio."""
    results = run_all(pages, extractors)
    for name, (preds, wall, cpu) in results.items():
        counts = [page_counts(truth, preds[page_id]) for page_id, _h, _u, truth in pages]
        p, r, f1 = precision_recall(counts)
        empty = sum(1 for text in preds.values() if not TOKEN.search(text))
        print(
            f"{name:<22} n={len(pages):<4} P={p:.3f}  R={r:.3f}  F1={f1:.3f}  empty={empty}  "
            f"docs/s={len(pages) / wall:.1f}  cpu_docs/s={len(pages) / cpu:.1f}",
            flush=True,
        )
    (base, (_, base_wall, base_cpu)), *others = results.items()
    for name, (_, wall, cpu) in others:
        print(f"time {name}/{base}: wall x{wall / base_wall:.2f}  cpu x{cpu / base_cpu:.2f}")


def _contains(hay: list[str], phrase: str) -> bool:
    """Phrase occurs in the token list (lower-cased \\w+ tokens)."""
    needle = [t.lower() for t in TOKEN.findall(phrase)]
    n = len(needle)
    return n > 0 and any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def score_boilerplate(folder: Path, extractors: list[tuple[str, Extractor]]) -> None:
    """Print furniture left in and body sentences lost on the WordPress pages."""
    markers = json.loads((folder / "markers.json").read_text(encoding="utf-8"))
    pages = load_pages(folder)
    for name, (preds, _wall, _cpu) in run_all(pages, extractors).items():
        _report_markers(name, pages, preds, markers)


def _report_markers(
    name: str, pages: list[Page], preds: dict[str, str], markers: dict[str, dict[str, list[str]]]
) -> None:
    """Print one extractor's leaked furniture categories and lost body sentences."""
    leaked_main: list[str] = []
    leaked_other: list[str] = []
    lost: list[str] = []
    for page_id, text in preds.items():
        hay = [t.lower() for t in TOKEN.findall(text)]
        for category, phrases in markers[page_id].items():
            hit = any(_contains(hay, phrase) for phrase in phrases)
            if category.startswith("article_"):
                lost += [] if hit else [f"{page_id}:{category}"]
            elif hit:
                target = leaked_main if category in BOILERPLATE_MAIN else leaked_other
                target.append(f"{page_id}:{category}")
    counts = [page_counts(truth, preds[page_id]) for page_id, _h, _u, truth in pages]
    p, r, f1 = precision_recall(counts)
    print(
        f"{name:<22} pages={len(pages)}  furniture leaked={len(leaked_main)}  "
        f"other leaked={len(leaked_other)}  body lost={len(lost)}  "
        f"P={p:.3f} R={r:.3f} F1={f1:.3f}",
        flush=True,
    )
    for label, items in (("leaked", leaked_main), ("other", leaked_other), ("lost", lost)):
        if items:
            print(f"    {label}: {', '.join(items)}")


def main() -> int:
    """Run both benchmark sets for extract_article and the trafilatura baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED / "extraction-dev")
    parser.add_argument("--boilerplate", type=Path, default=SHARED / "extraction-boilerplate")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args()
    extractors: list[tuple[str, Extractor]] = [
        ("trafilatura-default", baseline),
        ("newsdedup", ours),
    ]
    if (args.data / "ground-truth.json").exists():
        pages = load_pages(args.data)[: args.limit or None]
        print(f"== {args.data.name} ({len(pages)} pages)")
        score_dev(pages, extractors)
    if (args.boilerplate / "markers.json").exists():
        print(f"== {args.boilerplate.name}")
        score_boilerplate(args.boilerplate, extractors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
