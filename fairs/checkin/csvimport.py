"""Read a livestream platform's CSV export of sessions. Pure: no database, no HTTP.

Columns are recognised by their header, Chinese or English; unknown columns are ignored.
A missing peak or total column, or a number that is not a number, is a 422 naming the row.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from fairs.errors import Invalid
from fairs.i18n import TZ

LABEL = ("场次", "直播标题", "标题", "直播名称", "session", "title", "name")
START = ("开播时间", "开始时间", "直播时间", "start", "starts_at", "started_at", "time")
PEAK = ("最高在线", "峰值在线", "最高在线人数", "峰值在线人数", "在线峰值", "peak",
        "peak_viewers", "max_online")
TOTAL = ("观看人次", "累计观看", "累计观看人次", "观看次数", "总观看", "views", "total_views",
         "total", "pv")


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    cleaned = [h.strip().lower().replace(" ", "_") for h in header]
    for name in names:
        if name.lower() in cleaned:
            return cleaned.index(name.lower())
    for i, h in enumerate(cleaned):  # "最高在线人数(人)" and the like
        if any(n.lower() in h for n in names):
            return i
    return None


def _number(value: str, row: int, field: str) -> int:
    text = (value or "").strip().replace(",", "").replace("，", "")
    if text.endswith("万"):
        try:
            return int(float(text[:-1]) * 10_000)
        except ValueError:
            pass
    try:
        number = int(float(text))
    except ValueError as exc:
        raise Invalid("file", f"row {row}: {field} is not a number") from exc
    if number < 0:
        raise Invalid("file", f"row {row}: {field} is negative")
    return number


def _time(value: str) -> datetime | None:
    text = (value or "").strip().replace("/", "-")
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


def parse_sessions(text: str) -> list[dict]:
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        raise Invalid("file", "the file is empty")
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:  # a stray line break inside a field, a NUL...
        raise Invalid("file", f"not a readable CSV file ({exc})") from exc
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    label_i, start_i = _find(header, LABEL), _find(header, START)
    peak_i, total_i = _find(header, PEAK), _find(header, TOTAL)
    if peak_i is None and total_i is None:
        raise Invalid("file", "no column of peak viewers or total views (最高在线 / 观看人次)")
    if len(body) > 1000:
        raise Invalid("file", "at most 1000 sessions in one file")
    sessions = []
    for n, row in enumerate(body, start=2):
        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i] if i is not None and i < len(row) else ""

        sessions.append({
            "label": cell(label_i).strip()[:200] or f"#{n - 1}",
            "starts_at": _time(cell(start_i)),
            "peak_viewers": _number(cell(peak_i), n, "peak") if peak_i is not None else 0,
            "total_views": _number(cell(total_i), n, "total") if total_i is not None else 0,
        })
    return sessions
