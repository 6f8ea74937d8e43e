"""Server-rendered SVG charts for the report page: events per month against the year's target,
and attendance per fair. Pure functions: numbers in, SVG text out (labels already translated)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 680, 280, 48, 16, 16, 36


def nice_max(value: float) -> int:
    """A round axis top at or above `value`: 1, 2, 5 times a power of ten."""
    value = max(value, 1)
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def _grid(parts: list[str], top: int, y) -> None:
    for i in range(5):
        v = top * i / 4
        parts.append(f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(v)}" '
                     f'y2="{y(v)}"/>')
        label = int(v) if v == int(v) else round(v, 1)
        parts.append(f'<text class="tick" x="{PAD_L - 6}" y="{y(v) + 4}" '
                     f'text-anchor="end">{label}</text>')


def _frame(top: int, summary: str) -> tuple[list[str], Callable[[float], float]]:
    """A chart's opening: the <svg> with its accessible name, the grid, and the y scale (0 to
    `top`) for the bars and lines to come."""

    def y(v: float) -> float:
        return round(PAD_T + (H - PAD_T - PAD_B) * (1 - v / top), 1)

    parts = [f'<svg class="report-chart" viewBox="0 0 {W} {H}" role="img" '
             f'aria-label="{escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(summary)}</title>"]
    _grid(parts, top, y)
    return parts, y


def events_per_month(year: int, per_month: dict[int, int], target: int, *, summary: str,
                     labels: dict[str, str]) -> str:
    """Bars: fairs held in each month of `year`; a line: held so far (cumulative); a dashed
    line: the year's target; a dotted line: the even pace to it."""
    cumulative, running = [], 0
    for m in range(1, 13):
        running += per_month.get(m, 0)
        cumulative.append(running)
    top = nice_max(max(target, running, max(per_month.values(), default=0)))
    slot = (W - PAD_L - PAD_R) / 12
    parts, y = _frame(top, summary)
    for m in range(1, 13):
        n = per_month.get(m, 0)
        x = PAD_L + slot * (m - 1)
        if n:
            parts.append(f'<rect class="bar" x="{round(x + slot * .2, 1)}" y="{y(n)}" '
                         f'width="{round(slot * .6, 1)}" height="{round(y(0) - y(n), 1)}">'
                         f'<title>{year}-{m:02d}: {n}</title></rect>')
        parts.append(f'<text class="tick" x="{round(x + slot / 2, 1)}" y="{H - PAD_B + 16}" '
                     f'text-anchor="middle">{m}</text>')
    pace = f"{PAD_L},{y(0)} {W - PAD_R},{y(target)}"
    parts.append(f'<polyline class="pace" points="{pace}">'
                 f'<title>{escape(labels["pace"])}</title></polyline>')
    parts.append(f'<line class="target" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(target)}" '
                 f'y2="{y(target)}"><title>{escape(labels["target"])}: {target}</title></line>')
    parts.append(f'<text class="tick target-label" x="{W - PAD_R - 4}" y="{y(target) - 5}" '
                 f'text-anchor="end">{escape(labels["target"])} {target}</text>')
    points = " ".join(f"{round(PAD_L + slot * m, 1)},{y(v)}"
                      for m, v in enumerate(cumulative, start=1))
    parts.append(f'<polyline class="cumulative" points="{PAD_L},{y(0)} {points}">'
                 f'<title>{escape(labels["cumulative"])}: {running}</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)


def attendance_per_fair(fairs: list[dict], *, summary: str, value: str = "admissions") -> str:
    """One bar per held fair, in date order: its admissions (the title names the fair)."""
    n = len(fairs)
    top = nice_max(max((f[value] for f in fairs), default=0))
    slot = (W - PAD_L - PAD_R) / max(n, 1)
    parts, y = _frame(top, summary)
    gap = .15 if slot > 6 else 0
    for i, f in enumerate(fairs):
        v = f[value]
        x = PAD_L + slot * i
        cls = "bar online" if f.get("kind") == "online" else "bar"
        parts.append(f'<rect class="{cls}" x="{round(x + slot * gap, 2)}" y="{y(v)}" '
                     f'width="{max(round(slot * (1 - 2 * gap), 2), .5)}" '
                     f'height="{round(y(0) - y(v), 1)}"><title>{escape(f["title"])} '
                     f'({f["date"]}): {v}</title></rect>')
    step = max(1, n // 8)
    for i in range(0, n, step):
        x = PAD_L + slot * i + slot / 2
        parts.append(f'<text class="tick" x="{round(x, 1)}" y="{H - PAD_B + 16}" '
                     f'text-anchor="middle">{escape(fairs[i]["date"][5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def funnel_bars(steps: list[tuple[str, int, str]], *, summary: str) -> str:
    """Horizontal bars, one per step of the funnel (label, count, rate text), the widest the
    first step's: how many job seekers are left at each step."""
    row, gap, left, width = 34, 8, 170, W - 170 - PAD_R - 90
    height = PAD_T + len(steps) * (row + gap)
    top = max((n for _label, n, _rate in steps), default=0) or 1
    parts = [f'<svg class="report-chart funnel-chart" viewBox="0 0 {W} {height}" role="img" '
             f'aria-label="{escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(summary)}</title>"]
    for i, (label, n, rate_text) in enumerate(steps):
        y = PAD_T + i * (row + gap)
        w = max(round(width * n / top, 1), 1 if n else 0)
        x = left + (width - w) / 2
        parts.append(f'<text class="tick" x="{left - 8}" y="{y + row / 2 + 4}" '
                     f'text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="bar" x="{round(x, 1)}" y="{y}" width="{w}" height="{row}">'
                     f'<title>{escape(label)}: {n}</title></rect>')
        parts.append(f'<text class="tick" x="{left + width + 8}" y="{y + row / 2 + 4}">'
                     f'{n}{(" · " + escape(rate_text)) if rate_text else ""}</text>')
    parts.append("</svg>")
    return "".join(parts)
