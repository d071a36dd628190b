"""The report's inline CSS and its two inline SVG bar charts."""

from __future__ import annotations

import math
from collections import Counter
from html import escape

PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16"]
OTHER = "#9ca3af"
MAX_DAYS = 60  # the day chart shows the latest MAX_DAYS days; the table has them all

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1f2937;font:14px/1.45 system-ui,-apple-system,
 "Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 2px}h2{font-size:19px;margin:0 0 12px}
h3{font-size:15px;margin:0 0 8px}h4{font-size:13px;margin:0 0 6px;color:#374151}
a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}
.muted{color:#6b7280}.ok{color:#047857}
section,.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px}
section{padding:18px 20px;margin-top:18px}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:14px;margin-top:18px}
.card{padding:14px 16px}.card .k{color:#6b7280;font-size:12px;text-transform:uppercase;
 letter-spacing:.06em}.card .v{font-size:30px;font-weight:650;margin:2px 0}
.card .s{color:#6b7280;font-size:12.5px}.card.bad{border-color:#fca5a5;background:#fef2f2}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:28px}
table{border-collapse:collapse;width:100%;margin:10px 0;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f3;vertical-align:top}
th{background:#f9fafb;color:#4b5563;font-weight:600;position:sticky;top:0}
td:not(:first-child),th:not(:first-child){text-align:right}
table.health td:nth-child(2),table.health th:nth-child(2),
.cluster td:nth-child(2),.cluster td:nth-child(3),.cluster th:nth-child(2),
.cluster th:nth-child(3){text-align:left}td.src{white-space:nowrap}
td{word-break:break-word}table.days td{white-space:nowrap}
.prev{font-size:11px;color:#9ca3af}.prev.bad{color:#b91c1c;font-weight:600}
.tag{display:inline-block;padding:1px 7px;border-radius:9px;font-size:11.5px;
 background:#e5e7eb;white-space:nowrap}
.tag.ok{background:#d1fae5;color:#065f46}.tag.bad{background:#fee2e2;color:#991b1b}
.tag.warn{background:#fef3c7;color:#92400e}
ul.trouble{margin:0 0 8px;padding-left:18px}ul.trouble li{margin:4px 0}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.legend{font-size:12px;color:#4b5563}.legend span{margin-right:12px;white-space:nowrap}
.scroll{max-height:340px;overflow:auto}table.runs{width:auto;min-width:640px}
svg{width:100%;height:auto;display:block}svg text{font-size:12px;fill:#4b5563}
.cluster{border-top:1px solid #e5e7eb;padding-top:14px;margin-top:14px}
.cluster:first-of-type{border-top:0;margin-top:0;padding-top:0}
.diff{display:grid;grid-template-columns:1fr 1fr;gap:14px;margin:8px 0 12px}
.side{border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;max-height:300px;
 overflow:auto;background:#fcfcfd}.side p{margin:0;font-size:13px}
del{background:#fee2e2;color:#991b1b;text-decoration:line-through}
ins{background:#dcfce7;color:#166534;text-decoration:none}
blockquote{margin:6px 0 12px;padding:8px 12px;border-left:3px solid #d1d5db;color:#4b5563;
 background:#f9fafb;font-size:13px}
.note{margin:6px 0 2px;font-size:13px}
"""


def _e(value: object) -> str:
    """Escape text for SVG/HTML."""
    return escape(str(value), quote=True)


def _nice_step(top: int, ticks: int = 4) -> int:
    """A round axis step (1, 2, 5 x 10^k) so TICKS steps cover TOP."""
    raw = max(top / ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def bar_chart(bars: list[tuple[str, str, int, str]]) -> str:
    """Horizontal bars of (label, full name, value, colour), one row each."""
    width, label_w, row = 600, 240, 26
    top = max((value for *_, value, _ in bars), default=1) or 1
    scale = (width - label_w - 50) / top
    rows = []
    for i, (label, full, value, colour) in enumerate(bars):
        y = i * row
        rows.append(
            f"<g><title>{_e(full)}: {value:,}</title>"
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{max(value * scale, 1):.1f}" height="16"'
            f' rx="3" fill="{colour}"/>'
            f'<text x="{label_w + value * scale + 6:.1f}" y="{y + 17}">{value:,}</text></g>'
        )
    height = row * len(bars) + 6
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Articles per source">'
        f"{''.join(rows)}</svg>"
    )


def day_chart(counts: Counter[tuple[str, str]], days: list[str], colours: dict[str, str]) -> str:
    """Stacked columns: articles per day, one colour per source (grey for the rest)."""
    days = days[-MAX_DAYS:]
    width, height, left, bottom = 600, 230, 48, 28
    totals = {day: sum(n for (_, d), n in counts.items() if d == day) for day in days}
    step = _nice_step(max(totals.values(), default=1))
    y_top = step * max(math.ceil(max(totals.values(), default=1) / step), 1)
    plot_h, slot = height - bottom - 8, (width - left) / max(len(days), 1)
    scale = plot_h / y_top
    parts = [_grid(y_top, step, scale, width, height - bottom, left)]
    every = max(math.ceil(len(days) / 12), 1)
    for i, day in enumerate(days):
        bar_w = min(slot * 0.76, 40)
        x = left + i * slot + (slot - bar_w) / 2
        parts.append(_column(counts, day, colours, x, bar_w, height - bottom, scale))
        if i % every == 0:
            label = day[5:] if day[:4].isdigit() else day
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle">'
                f"{_e(label)}</text>"
            )
    legend = "".join(
        f'<span><i class="sw" style="background:{c}"></i>{_e(_host_path(s))}</span>'
        for s, c in colours.items()
    )
    if any(source not in colours for source, _ in counts):
        legend += f'<span><i class="sw" style="background:{OTHER}"></i>other</span>'
    svg = f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Articles per day">'
    return f'{svg}{"".join(parts)}</svg><div class="legend">{legend}</div>'


def _grid(y_top: int, step: int, scale: float, width: int, base: int, left: int) -> str:
    """Horizontal grid lines with their values."""
    lines = []
    for value in range(0, y_top + 1, step):
        y = base - value * scale
        lines.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>'
        )
    return "".join(lines)


def _column(
    counts: Counter[tuple[str, str]],
    day: str,
    colours: dict[str, str],
    x: float,
    bar_w: float,
    base: int,
    scale: float,
) -> str:
    """One day's stacked column, each segment titled with its source and count."""
    segments = [(s, counts[(s, day)], c) for s, c in colours.items() if counts[(s, day)]]
    other = sum(n for (s, d), n in counts.items() if d == day and s not in colours)
    if other:
        segments.append(("other sources", other, OTHER))
    parts, y = [], float(base)
    for source, value, colour in segments:
        h = value * scale
        y -= h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{_e(day)} · {_e(source)}: {value:,}</title></rect>"
        )
    return "".join(parts)


def _host_path(source: str) -> str:
    """The source without its scheme, for the legend."""
    return source.split("://", 1)[-1]
