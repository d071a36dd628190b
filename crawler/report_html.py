"""Render a ReportData as one self-contained HTML page (inline CSS and SVG, no scripts)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.report import Cluster, Member, ReportData, median, word_diff
from crawler.report_style import CSS, MAX_DAYS, OTHER, PALETTE, bar_chart, day_chart

_REASONS = {"url": "same URL", "exact": "same text", "near": "near-duplicate", "lead": "same lead"}
MAX_DIFFS = 3  # diff panels per cluster; further members get a metadata row only
MAX_ROWS = 12  # member rows per cluster
DAY_COLUMNS = 4  # sources with their own column in the per-day table


def esc(value: object) -> str:
    """HTML-escape any value (titles, URLs and texts are untrusted)."""
    return html.escape("" if value is None else str(value), quote=True)


def short_source(source: str, limit: int = 44) -> str:
    """host/path of a source URL, shortened in the middle to LIMIT characters."""
    parts = urlsplit(source)
    label = f"{parts.netloc}{parts.path}" if parts.netloc else source
    if len(label) <= limit:
        return label
    half = (limit - 1) // 2
    return f"{label[:half]}…{label[-half:]}"


def link(url: str | None, label: str | None = None) -> str:
    """An escaped link for http(s) URLs; plain escaped text otherwise."""
    text = esc(label if label is not None else url)
    if url and urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{esc(url)}" rel="noreferrer noopener">{text}</a>'
    return text


def _num(value: Any) -> str:
    """A count with thousands separators; an em dash for None."""
    return "—" if value is None else f"{value:,}" if isinstance(value, int) else esc(value)


def source_problems(record: dict[str, Any]) -> list[str]:
    """Why a source of the latest run needs a look (empty when it is healthy)."""
    problems = []
    status = str(record.get("status") or "ok")
    if status != "ok":
        problems.append(f"status {status}")
    problems += [flag for flag in record.get("flags", []) if flag != "failed"]
    if blocked := record.get("blocked"):
        problems.append(f"blocked {blocked} times (403/429)")
    errors = {k: v for k, v in record.get("http_errors", {}).items() if v}
    if errors:
        problems.append("HTTP errors " + ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
    return problems


def _cards(data: ReportData) -> str:
    """The headline figures."""
    reasons = ", ".join(f"{_REASONS.get(k, k)} {v:,}" for k, v in data.duplicates.most_common())
    latest = data.latest_sources
    trouble = sum(1 for record in latest.values() if source_problems(record))
    cards = [
        ("Articles", f"{data.articles:,}", f"{len(data.per_day):,} days"),
        ("Duplicates", f"{data.duplicates.total():,}", reasons or "none dropped"),
        ("Clusters", f"{data.cluster_count:,}", "stories with duplicates"),
        ("Runs", f"{len(data.runs):,}", _run_label(data.latest_run)),
        ("Sources", f"{len(data.sources):,}", f"{trouble} in trouble" if latest else "no run file"),
    ]
    return "".join(
        f'<div class="card{" bad" if name == "Sources" and trouble else ""}">'
        f'<div class="k">{esc(name)}</div><div class="v">{value}</div>'
        f'<div class="s">{esc(sub)}</div></div>'
        for name, value, sub in cards
    )


def _run_label(run: dict[str, Any] | None) -> str:
    """'latest 20261127T221500Z' or a note that there is no run file."""
    return f"latest {run.get('run')}" if run else "no run file"


def _trouble(data: ReportData) -> str:
    """Sources of the latest run that failed, collapsed, were blocked or saw HTTP errors."""
    run = data.latest_run
    if run is None:
        return '<p class="muted">No run-*.json file in this folder: health is unknown.</p>'
    rows = [
        f"<li><b>{link(source, short_source(source))}</b> — "
        + "; ".join(f'<span class="tag bad">{esc(p)}</span>' for p in problems)
        + "</li>"
        for source, record in sorted(data.latest_sources.items())
        if (problems := source_problems(record))
    ]
    if not rows:
        return f'<p class="ok">All sources of run {esc(run.get("run"))} look healthy.</p>'
    return f'<ul class="trouble">{"".join(rows)}</ul>'


def _with_previous(now: Any, before: Any, drop_is_bad: bool = True) -> str:
    """A figure with the previous run's value beneath it when there is one."""
    cell = _num(now)
    if before is None:
        return cell
    worse = drop_is_bad and isinstance(now, int) and isinstance(before, int) and now < before / 2
    return f'{cell}<div class="prev{" bad" if worse else ""}">was {_num(before)}</div>'


def _health_row(source: str, record: dict[str, Any]) -> str:
    """One row of the per-source health table."""
    prev = record.get("previous") or {}
    dups = sum(record.get("duplicates", {}).values())
    dropped = sum(record.get("dropped", {}).values())
    errors = sum(record.get("http_errors", {}).values())
    status = str(record.get("status") or "ok")
    flags = " ".join(
        f'<span class="tag bad">{esc(f)}</span>' for f in record.get("flags") or [] if f != "failed"
    )
    cells = [
        f"{link(source, short_source(source))}<div class='prev'>{esc(record.get('kind'))}</div>",
        f'<span class="tag {"ok" if status == "ok" else "bad"}">{esc(status)}</span> {flags}',
        _with_previous(record.get("urls_found"), prev.get("urls_found")),
        _with_previous(record.get("new"), prev.get("new"), drop_is_bad=False),
        _num(record.get("skipped_seen")),
        _with_previous(dups, sum(prev.get("duplicates", {}).values()) if prev else None, False),
        _num(dropped),
        _num(record.get("blocked")),
        _num(errors),
        _with_previous(record.get("median_text_chars"), prev.get("median_text_chars")),
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _health(data: ReportData) -> str:
    """The per-source health table of the latest run."""
    sources = data.latest_sources
    if not sources:
        return ""
    head = ["Source", "Status", "Found", "New", "Seen", "Dups", "Dropped", "Blocked"]
    head += ["HTTP err.", "Median chars"]
    rows = "".join(_health_row(source, sources[source]) for source in sorted(sources))
    return _table(head, rows, "health")


def _runs(data: ReportData, limit: int = 8) -> str:
    """The latest runs, newest first: exit code, new articles, duplicates, errors."""
    rows = ""
    for run in reversed(data.runs[-limit:]):
        totals = run.get("totals") or {}
        code = run.get("exit_code")
        cells = [
            esc(run.get("run")),
            f'<span class="tag {"ok" if code == 0 else "bad"}">{esc(code)}</span>',
            _num(totals.get("pages")),
            _num(totals.get("new")),
            _num(sum(totals["duplicates"].values())),
            _num(sum(totals["errors"].values())),
            f"{run.get('elapsed_s', '—')} s",
        ]
        rows += "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    head = ["Run", "Exit", "Pages", "New", "Duplicates", "Errors", "Elapsed"]
    return f"<h3>Recent runs</h3>{_table(head, rows, 'runs')}" if rows else ""


def _table(head: list[str], rows: str, css: str = "") -> str:
    """A table with a header row and pre-rendered body rows."""
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f'<table class="{css}"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>'


def _volume(data: ReportData) -> str:
    """Articles per source and per day: two charts and two tables."""
    if not data.articles:
        return '<p class="muted">No articles-*.jsonl records in this folder.</p>'
    ranked = [source for source, _ in data.per_source.most_common()]
    colours = {source: PALETTE[i] for i, source in enumerate(ranked[: len(PALETTE)])}
    bars = [(short_source(s), s, data.per_source[s], colours.get(s, OTHER)) for s in ranked[:15]]
    source_rows = "".join(
        f'<tr><td class="src">{_swatch(colours.get(s, OTHER))}{link(s, short_source(s, 36))}</td>'
        f"<td>{data.per_source[s]:,}</td><td>{100 * data.per_source[s] / data.articles:.0f}%</td>"
        f"<td>{_num(median(data.lengths[s]))}</td><td>{data.dup_per_source[s]:,}</td></tr>"
        for s in ranked
    )
    head = ["Source", "Articles", "Share", "Median chars", "Dups dropped"]
    return (
        '<div class="grid2"><div><h3>Per source</h3>'
        + bar_chart(bars)
        + f'<div class="scroll">{_table(head, source_rows)}</div>'
        + f"</div><div><h3>Per day <span class='muted'>({_days_note(len(data.per_day))})</span>"
        + "</h3>"
        + day_chart(data.per_source_day, sorted(data.per_day), colours)
        + _day_table(data, ranked, colours)
        + "</div></div>"
    )


def _days_note(days: int) -> str:
    """What the day chart counts, and how much of it is drawn."""
    drawn = f"; chart: latest {MAX_DAYS} of {days:,} days" if days > MAX_DAYS else ""
    return f"published; fetched when unknown{drawn}"


def _swatch(colour: str) -> str:
    """A small colour square matching the charts."""
    return f'<i class="sw" style="background:{colour}"></i>'


def _day_table(data: ReportData, ranked: list[str], colours: dict[str, str]) -> str:
    """Articles per day, newest first, with a column per charted source."""
    shown = [s for s in ranked if s in colours][:DAY_COLUMNS]
    head = ["Day", "Total", *[short_source(s, 22) for s in shown]]
    if len(ranked) > len(shown):
        head.append("Other")
    rows = ""
    for day in sorted(data.per_day, reverse=True):
        cells = [esc(day), f"{data.per_day[day]:,}"]
        cells += [f"{data.per_source_day[(s, day)]:,}" for s in shown]
        if len(ranked) > len(shown):
            cells.append(
                f"{data.per_day[day] - sum(data.per_source_day[(s, day)] for s in shown):,}"
            )
        rows += "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    return f'<div class="scroll">{_table(head, rows, "days")}</div>'


def _member_row(member: Member, kept: bool) -> str:
    """One row of a cluster's member table."""
    reason = _REASONS.get(member.reason or "", member.reason)
    badge = (
        '<span class="tag ok">kept</span>'
        if kept
        else f'<span class="tag warn">{esc(reason)}</span>'
    )
    similarity = "" if member.similarity is None else f"{member.similarity:.2f}"
    title = link(member.url, member.title or member.url or member.id)
    cells = [badge, title, esc(short_source(member.source or "")), similarity, esc(member.id)]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _diff_panel(kept: Member, member: Member) -> str:
    """Kept text and duplicate text side by side, differing words highlighted."""
    name = f"<b>{esc(member.title or member.url or member.id)}</b>: "
    if member.id == kept.id:
        note = "same canonical URL as the kept article (another address of the same page)."
        return f'<p class="muted note">{name}{esc(note)}</p>'
    if not kept.text or not member.text:
        missing = "kept article" if not kept.text else "duplicate"
        note = f"no text for the {missing} in this folder (duplicate records carry metadata only)."
        words = (kept.text or "").split()
        excerpt = " ".join(words[:60]) + ("…" if len(words) > 60 else "")
        body = f"<blockquote>Kept: {esc(excerpt)}</blockquote>" if excerpt else ""
        return f'<p class="muted note">{name}{esc(note)}</p>{body}'
    left, right = word_diff(kept.text, member.text)
    sides = [("Kept", kept, left, "del"), ("Duplicate", member, right, "ins")]
    return '<div class="diff">' + "".join(_side(*side) for side in sides) + "</div>"


def _side(label: str, member: Member, runs: list[tuple[bool, str]], tag: str) -> str:
    """One column of a word diff."""
    words = " ".join(f"<{tag}>{esc(t)}</{tag}>" if changed else esc(t) for changed, t in runs)
    title = esc(member.title or member.id)
    return f'<div class="side"><h4>{esc(label)}: {title}</h4><p>{words}</p></div>'


def _cluster(cluster: Cluster, rank: int) -> str:
    """A cluster: member table, then up to MAX_DIFFS diff panels."""
    kept = cluster.kept
    rows = _member_row(kept, True) + "".join(
        _member_row(m, False) for m in cluster.members[:MAX_ROWS]
    )
    if (hidden := len(cluster.members) - MAX_ROWS) > 0:
        rows += f'<tr><td></td><td class="muted">and {hidden:,} more</td></tr>'
    panels = "".join(_diff_panel(kept, m) for m in cluster.members[:MAX_DIFFS])
    size = len(cluster.members) + 1
    heading = f"#{rank} · {size} copies · {esc(kept.title or kept.url or kept.id)}"
    head = ["", "Title", "Source", "Similarity", "Id"]
    return f'<article class="cluster"><h3>{heading}</h3>{_table(head, rows)}{panels}</article>'


def _clusters(data: ReportData) -> str:
    """The largest duplicate clusters."""
    if not data.clusters:
        return '<p class="muted">No duplicates in this folder.</p>'
    more = data.cluster_count - len(data.clusters)
    tail = f'<p class="muted">{more:,} smaller cluster(s) not shown.</p>' if more > 0 else ""
    return "".join(_cluster(c, i) for i, c in enumerate(data.clusters, 1)) + tail


def render(data: ReportData) -> str:
    """The whole page."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    bad = f" · {data.bad_lines:,} unreadable line(s) skipped" if data.bad_lines else ""
    sub = f"{esc(data.folder)} · {len(data.files):,} files read{bad} · generated {now}"
    sections = [
        ("Sources in trouble", _trouble(data) + _health(data) + _runs(data)),
        ("Articles per source and per day", _volume(data)),
        ("Largest duplicate clusters", _clusters(data)),
    ]
    body = "".join(f"<section><h2>{esc(t)}</h2>{content}</section>" for t, content in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>newsdedup report</title><style>{CSS}</style></head><body><main>"
        f'<header><h1>newsdedup report</h1><p class="muted">{sub}</p></header>'
        f'<div class="cards">{_cards(data)}</div>{body}</main></body></html>\n'
    )
