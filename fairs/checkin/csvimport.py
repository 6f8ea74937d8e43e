"""Read a livestream platform's CSV export of sessions. Pure: no database, no HTTP.

Columns are recognised by their header, Chinese or English; unknown columns are ignored.
A missing peak or total column, a number that is not a finite whole number in range (0 to
MAX_PEAK viewers, 0 to MAX_VIEWS views: `9e18`, `inf`, `1e400`, `inf万` and `nan` are refused),
or a start outside 2000..2100 is a 422 naming the row and the column. Every row is read and
checked before anything is written (the service writes them in one transaction).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal, InvalidOperation

from fairs import bounds
from fairs.errors import Invalid, Message
from fairs.i18n import N_, TZ

# The same limits as the API's OnlineSessionIn: a city's livestream, generously.
MAX_PEAK = 100_000_000
MAX_VIEWS = 1_000_000_000

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


def _number(value: str, row: int, column: str, most: int) -> int:
    """A count as a platform writes it ("12,345", "1.2万"): a finite number from 0 to `most`
    (fractions dropped), else a 422 naming the row and the column."""
    text = (value or "").strip().replace(",", "").replace("，", "")
    scale = 1
    if text.endswith("万"):
        text, scale = text[:-1].strip(), 10_000
    try:
        number = Decimal(text) * scale
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise Invalid("file", N_("row {row}, column {column}: «{value}» is not a number"),
                      code="not_a_number",
                      params={"row": str(row), "column": column, "value": value.strip()[:40]})
    if not 0 <= number <= most:
        raise Invalid("file", N_("row {row}, column {column}: «{value}» is not from 0 to {most}"),
                      code="out_of_range", params={"row": str(row), "column": column,
                                                   "value": value.strip()[:40], "most": most})
    return int(number)


def _time(value: str, row: int, column: str) -> datetime | None:
    text = (value or "").strip().replace("/", "-")
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not bounds.in_range(parsed):
        raise Invalid("file", N_("row {row}, column {column}: {reason}"), code="out_of_range",
                      params={"row": str(row), "column": column,
                              "reason": Message(bounds.DATE_MESSAGE)})
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


def parse_sessions(text: str) -> list[dict]:
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        raise Invalid("file", N_("the file is empty"), code="empty_file")
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:  # a stray line break inside a field, a NUL...
        raise Invalid("file", N_("not a readable CSV file"), code="malformed") from exc
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    label_i, start_i = _find(header, LABEL), _find(header, START)
    peak_i, total_i = _find(header, PEAK), _find(header, TOTAL)
    if peak_i is None and total_i is None:
        raise Invalid("file", N_("no column of peak viewers or total views (最高在线 / 观看人次)"),
                      code="no_counts")
    if len(body) > 1000:
        raise Invalid("file", N_("at most {n} sessions in one file"), code="too_many",
                      params={"n": 1000})
    sessions = []
    for n, row in enumerate(body, start=2):
        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i] if i is not None and i < len(row) else ""

        def name(i: int | None, fallback: str) -> str:
            return (header[i].strip()[:40] or fallback) if i is not None else fallback

        sessions.append({
            "label": cell(label_i).strip()[:200] or f"#{n - 1}",
            "starts_at": _time(cell(start_i), n, name(start_i, "start")),
            "peak_viewers": (_number(cell(peak_i), n, name(peak_i, "peak"), MAX_PEAK)
                             if peak_i is not None else 0),
            "total_views": (_number(cell(total_i), n, name(total_i, "total"), MAX_VIEWS)
                            if total_i is not None else 0),
        })
    return sessions
