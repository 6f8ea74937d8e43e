"""The report as the bureau files it: an Excel workbook (a summary sheet and one sheet per
breakdown, Chinese headings) and a CSV (UTF-8 with a BOM, so that Excel opens the Chinese).

Pure: takes the dict `fairs.reports.services.report` returns, gives bytes.

Names come from people (an organisation, a fair, a filter): a text cell that begins with = + - @
(or a tab or a carriage return) would be a formula to a spreadsheet (OWASP "CSV injection").
The CSV prefixes such a text with a single quote; numbers stay numbers (a negative count is
written as it is). The workbook writes every text with write_string, and the workbook is made
with strings_to_formulas and strings_to_urls off, so nothing given as text becomes a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from fairs.measures import FUNNEL

from .services import MEASURES, PERSON_MEASURES

HEADINGS = {
    "events_held": "场次",
    "employers_present": "到场企业（家）",
    "positions": "提供岗位（个）",
    "admissions": "进场求职人数",
    "walk_ins": "其中现场登记（人）",
    "intentions": "达成初步就业意向（人次）",
    "online_views": "直播观看人次",
    "employer_visits": "服务企业（家次）",
    "hires": "实现就业（人）",
}
SECTIONS = (
    ("month", "按月份"),
    ("org", "按组织"),
    ("kind", "按类型"),
    ("industry", "按行业"),
    ("audience", "按服务对象"),
)
SECTION_ITEM = {"month": "月份", "org": "组织", "kind": "类型", "industry": "行业",
                "audience": "求职者申报的服务对象"}
NOTES = {
    "industry": "一场招聘会服务多个行业时，在每个行业中各计一次；合计按场次计一次。",
    "audience": "按求职者自愿申报的服务对象汇总，一人申报多类时各计一次；"
                "为保护个人信息，少于{n}人的格显示为“<{n}”。",
    "org": "小计含下级组织；“本级”为该组织自办的招聘会。",
}


# The funnel (fairs.reports.funnel): counts, then rates (of the step before; of registered).
FUNNEL_STEPS = FUNNEL
FUNNEL_HEADINGS = {"registered": "报名人数", "admitted": "进场人数",
                   "interested": "岗位意向（人次）", "intentions": "达成初步就业意向（人次）",
                   "hires": "实现就业（人）"}
_SHORT = {"registered": "报名", "admitted": "进场", "interested": "岗位意向",
          "intentions": "就业意向", "hires": "实现就业"}
FUNNEL_RATES = tuple(
    [(step, "of_previous", f"{_SHORT[step]}/{_SHORT[before]}")
     for before, step in zip(FUNNEL_STEPS, FUNNEL_STEPS[1:], strict=False)]
    + [(step, "of_registered", f"{_SHORT[step]}/报名") for step in FUNNEL_STEPS[2:]])
FUNNEL_SECTIONS = (("month", "漏斗·按月份"), ("industry", "漏斗·按行业"),
                   ("audience", "漏斗·按服务对象"), ("fair", "漏斗·按招聘会"))
FUNNEL_NOTE = ("报名、进场、实现就业按人计；岗位意向、就业意向按（求职者，岗位）计，一人可有多个。"
               "转化率为该环节÷上一环节、该环节÷报名人数。按服务对象：少于{n}人的格显示为“<{n}”。")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell: a text that a spreadsheet would take as a formula gets a leading quote;
    anything else (numbers included) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def columns(section: str) -> tuple[str, ...]:
    return PERSON_MEASURES if section == "audience" else MEASURES


def _indent(row: dict) -> str:
    return "　" * row["depth"]


def to_csv(report: dict[str, Any], meta: list[tuple[str, str]]) -> bytes:
    """One table: the summary (合计) first, then every breakdown's rows. Columns: 分组, 项目,
    and the eight measures (the audience rows fill only theirs)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def write(row: list) -> None:
        writer.writerow([cell(v) for v in row])

    write(["分组", "项目", *(HEADINGS[m] for m in MEASURES)])
    write(["汇总", "合计", *(report["totals"][m] for m in MEASURES)])
    for section, title in SECTIONS:
        cols = columns(section)
        for row in report["sections"][section]:
            write([title, row["name_zh"],
                   *(row["values"].get(m, "") if m in cols else "" for m in MEASURES)])
    funnel = report.get("funnel")
    if funnel:
        write(["转化漏斗", "项目", *(FUNNEL_HEADINGS[m] for m in FUNNEL_STEPS),
               *(name for _s, _k, name in FUNNEL_RATES)])
        for title, row in _funnel_rows(funnel):
            write([title, row["name_zh"], *(row["values"][m] for m in FUNNEL_STEPS),
                   *(_pct(row["rates"][step][kind]) for step, kind, _n in FUNNEL_RATES)])
    for key, value in meta:
        write(["说明", f"{key}：{value}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _funnel_rows(funnel: dict[str, Any]) -> list[tuple[str, dict]]:
    """(section title, row): the total first, then each breakdown's rows (without its
    repeated total)."""
    rows = [("漏斗·汇总", funnel["totals"])]
    for section, title in FUNNEL_SECTIONS:
        rows += [(title, r) for r in funnel["sections"].get(section, []) if r["kind"] != "total"]
    return rows


def _funnel_sheet(book, funnel: dict[str, Any], formats: dict[str, Any]) -> None:
    sheet = book.add_worksheet("转化漏斗")
    headings = ["分组", "项目", *(FUNNEL_HEADINGS[m] for m in FUNNEL_STEPS),
                *(name for _s, _k, name in FUNNEL_RATES)]
    for c, heading in enumerate(headings):
        sheet.write_string(0, c, heading, formats["head"])
    sheet.set_row(0, 32)
    rows = _funnel_rows(funnel)
    for r, (title, row) in enumerate(rows, start=1):
        bold = row["kind"] == "total"
        sheet.write_string(r, 0, title, formats["label"])
        sheet.write_string(r, 1, row["name_zh"], formats["total_label" if bold else "label"])
        for c, m in enumerate(FUNNEL_STEPS, start=2):
            value = row["values"][m]
            if isinstance(value, str):  # a suppressed cell: "<5"
                sheet.write_string(r, c, value, formats["right"])
            else:
                sheet.write_number(r, c, value, formats["total_number" if bold else "number"])
        for c, (step, kind, _n) in enumerate(FUNNEL_RATES, start=2 + len(FUNNEL_STEPS)):
            value = row["rates"][step][kind]
            if value is None:
                sheet.write_string(r, c, "—", formats["right"])
            else:
                sheet.write_number(r, c, value, formats["percent"])
    sheet.merge_range(len(rows) + 2, 0, len(rows) + 2, len(headings) - 1,
                      FUNNEL_NOTE.format(n=funnel["min_cell"]), formats["note"])
    sheet.set_row(len(rows) + 2, 36)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, len(headings) - 1, 13)
    sheet.freeze_panes(1, 2)


def to_xlsx(report: dict[str, Any], meta: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": "招聘会统计报表", "author": "公共就业服务"})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1,
                            "text_wrap": True, "valign": "vcenter", "align": "center"})
    label = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "#,##0"})
    sub_label = book.add_format({"border": 1, "bold": True, "bg_color": "#F4F6F8"})
    sub_number = book.add_format({"border": 1, "bold": True, "bg_color": "#F4F6F8",
                                  "num_format": "#,##0"})
    total_label = book.add_format({"border": 1, "bold": True, "top": 2})
    total_number = book.add_format({"border": 1, "bold": True, "top": 2, "num_format": "#,##0"})
    note = book.add_format({"italic": True, "font_color": "#555555", "text_wrap": True})
    right = book.add_format({"border": 1, "align": "right"})

    summary = book.add_worksheet("汇总")
    summary.write_string(0, 0, "招聘会统计报表", title)
    line = 1
    for key, value in meta:
        summary.write_string(line, 0, str(key))
        summary.write_string(line, 1, str(value))
        line += 1
    line += 1
    summary.write_string(line, 0, "指标", head)
    summary.write_string(line, 1, "数值", head)
    for i, m in enumerate(MEASURES, start=1):
        summary.write_string(line + i, 0, HEADINGS[m], label)
        summary.write_number(line + i, 1, report["totals"][m], number)
    summary.set_column(0, 0, 26)
    summary.set_column(1, 1, 22)

    for section, sheet_title in SECTIONS:
        sheet = book.add_worksheet(sheet_title)
        cols = columns(section)
        for c, heading in enumerate([SECTION_ITEM[section], *(HEADINGS[m] for m in cols)]):
            sheet.write_string(0, c, heading, head)
        sheet.set_row(0, 32)
        for r, row in enumerate(report["sections"][section], start=1):
            kind = row["kind"]
            lf, nf = ((sub_label, sub_number) if kind == "subtotal" else
                      (total_label, total_number) if kind == "total" else (label, number))
            sheet.write_string(r, 0, _indent(row) + row["name_zh"], lf)
            for c, m in enumerate(cols, start=1):
                value = row["values"].get(m, 0)
                if isinstance(value, str):  # a suppressed cell: "<5"
                    sheet.write_string(r, c, value, right)
                else:
                    sheet.write_number(r, c, value, nf)
        rows = len(report["sections"][section])
        if section in NOTES:
            sheet.merge_range(rows + 2, 0, rows + 2, len(cols),
                              NOTES[section].format(n=report["min_cell"]), note)
            sheet.set_row(rows + 2, 36)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, len(cols), 14)
        sheet.freeze_panes(1, 1)
    if report.get("funnel"):
        _funnel_sheet(book, report["funnel"], {
            "head": head, "label": label, "number": number, "total_label": total_label,
            "total_number": total_number, "note": note, "right": right,
            "percent": book.add_format({"border": 1, "num_format": "0.0%"})})
    book.close()
    return buffer.getvalue()


# --- any table as a workbook ------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One sheet of `workbook()`: headings, rows of cells (text, numbers or None for blank) and
    an optional note under the table."""

    name: str
    headings: list[str]
    rows: list[list[Any]]
    note: str = ""
    widths: tuple[int, ...] = ()


def workbook(title: str, meta: list[tuple[str, str]], sheets: list[Sheet]) -> bytes:
    """A workbook of tables with Chinese headings, written like the report's: every text with
    write_string (nothing given as text becomes a formula or a link), numbers as numbers. The
    first sheet begins with `title` and `meta` (what was counted) above its table."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": title, "author": "公共就业服务"})
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1,
                            "text_wrap": True, "valign": "vcenter", "align": "center"})
    text = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "#,##0"})
    decimal = book.add_format({"border": 1, "num_format": "0.0%"})
    note = book.add_format({"italic": True, "font_color": "#555555", "text_wrap": True})
    for n, sheet in enumerate(sheets):
        ws = book.add_worksheet(sheet.name[:31])
        line = 0
        if n == 0:
            ws.write_string(0, 0, title, bold)
            line = 1
            for key, value in meta:
                ws.write_string(line, 0, str(key))
                ws.write_string(line, 1, str(value))
                line += 1
            line += 1
        for c, heading in enumerate(sheet.headings):
            ws.write_string(line, c, heading, head)
        top = line
        for row in sheet.rows:
            line += 1
            for c, value in enumerate(row):
                if value is None:
                    ws.write_blank(line, c, None, text)
                elif isinstance(value, bool):
                    ws.write_string(line, c, "是" if value else "否", text)
                elif isinstance(value, int):
                    ws.write_number(line, c, value, number)
                elif isinstance(value, float):
                    ws.write_number(line, c, value, decimal)
                else:
                    ws.write_string(line, c, str(value), text)
        if sheet.note:
            ws.merge_range(line + 2, 0, line + 2, max(len(sheet.headings) - 1, 1), sheet.note,
                           note)
            ws.set_row(line + 2, 36)
        for c, width in enumerate(sheet.widths or (16,) * len(sheet.headings)):
            ws.set_column(c, c, width)
        ws.freeze_panes(top + 1, 0)
    book.close()
    return buffer.getvalue()


# --- any table (other slices' ledgers: fairs.outreach) -----------------------------------------


def table_csv(headings: list[str], rows: list[list[Any]],
              meta: list[tuple[str, str]] = ()) -> bytes:
    """One table as CSV (UTF-8 with a BOM), each text cell neutralised (`cell`), then the
    description lines (说明) as the report's CSV writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in headings])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    for key, value in meta:
        writer.writerow([cell(f"说明：{key}：{value}")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(title: str, sheet_title: str, headings: list[str], rows: list[list[Any]],
               meta: list[tuple[str, str]] = (), widths: list[int] | None = None) -> bytes:
    """One table as a workbook: a sheet with the title, the description lines, the headings
    and the rows; texts written as text (never formulas), numbers as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": title, "author": "公共就业服务"})
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1,
                            "text_wrap": True, "valign": "vcenter", "align": "center"})
    text = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number = book.add_format({"border": 1, "num_format": "#,##0", "valign": "top"})
    sheet = book.add_worksheet(sheet_title[:31])
    sheet.write_string(0, 0, title, bold)
    line = 1
    for key, value in meta:
        sheet.write_string(line, 0, str(key))
        sheet.write_string(line, 1, str(value))
        line += 1
    line += 1
    for c, heading in enumerate(headings):
        sheet.write_string(line, c, heading, head)
    for r, row in enumerate(rows, start=line + 1):
        for c, value in enumerate(row):
            if isinstance(value, bool) or value is None:
                sheet.write_string(r, c, "" if value is None else str(value), text)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value, number)
            else:
                sheet.write_string(r, c, str(value), text)
    for c, width in enumerate(widths or [16] * len(headings)):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(line + 1, 0)
    book.close()
    return buffer.getvalue()
