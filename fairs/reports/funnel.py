"""The job seekers' funnel (转化漏斗): registered -> admitted -> interested -> intentions -> hires
over the held fairs of a report's filter, with rates (each step of the previous one, and of
the registered), by fair, industry, audience (the job seekers' declared target groups) and
month.

The numbers are the read model's (fairs.measures.funnel and funnel_by_audience: each step by
its one definition); this module only names the rows, computes the rates and suppresses the
small cells of the audience rows as the report does ("<5": personal data in aggregate only).
Units: registered, admitted and hires count people (a registration, an admission, an
intention followed to a hire); interested and intentions count (ticket, position) pairs, so a
job seeker interested in three positions counts three times and the interested rate may pass
100%.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fairs import db
from fairs import measures as read_model
from fairs.catalog import services as catalog
from fairs.i18n import N_

from .services import TOTAL, Scope, suppress

STEPS = read_model.FUNNEL
DIMS = ("month", "industry", "audience", "fair")
BY = ("total", *DIMS)
STEP_NAMES = {
    "registered": N_("Registered"),
    "admitted": N_("Admitted"),
    "interested": N_("Interested in a position"),
    "intentions": N_("Hiring intentions"),
    "hires": N_("Hires"),
}
# The workbook's Chinese headings (as filed).
HEADINGS = {"registered": "报名人数", "admitted": "进场人数", "interested": "岗位意向（人次）",
            "intentions": "达成初步就业意向（人次）", "hires": "实现就业（人）"}
DIM_NAMES = {"total": N_("Total"), "month": N_("By month"), "industry": N_("By industry"),
             "audience": N_("By job seekers' target group"), "fair": N_("By fair")}
DIM_HEADINGS = {"month": "按月份", "industry": "按行业", "audience": "按服务对象",
                "fair": "按招聘会"}


def rate(part: Any, whole: Any) -> float | None:
    """part / whole rounded to 4 places; None where either is unknown (suppressed) or whole 0."""
    if not isinstance(part, int) or not isinstance(whole, int) or whole <= 0:
        return None
    return round(part / whole, 4)


def rates(values: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """For each step after the first: of the previous step, and of the registered."""
    out = {}
    for before, step in zip(STEPS, STEPS[1:], strict=False):
        out[step] = {"of_previous": rate(values[step], values[before]),
                     "of_registered": rate(values[step], values["registered"])}
    return out


def _row(key: str, names: tuple[str, str], values: dict[str, Any], kind: str = "row") -> dict:
    return {"key": key, "name_zh": names[0], "name_en": names[1], "values": values,
            "rates": rates(values), "kind": kind}


def _month_names(key: str) -> tuple[str, str]:
    month = date(int(key[:4]), int(key[5:7]), 1)
    return f"{month.year}年{month.month}月", month.strftime("%b %Y")


async def _fair_names(keys: list[str]) -> dict[str, tuple[str, str, Any]]:
    ids = [int(k) for k in keys]
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await db.fetch(f"SELECT id, title, starts_at FROM fair WHERE id IN ({marks})", *ids)
    return {str(r["id"]): (r["title"], r["title"], db.as_datetime(r["starts_at"]))
            for r in rows}


def _names(row: dict) -> tuple[str, str]:
    return row.get("name_zh") or row["code"], row.get("name_en") or row["code"]


async def funnel(scope: Scope, dims: tuple[str, ...] = DIMS, *, min_cell: int = 5) -> dict:
    """{"steps", "totals": row, "sections": {dim: [rows..., the total row]}} for the dims
    asked; a row is {"key", "name_zh", "name_en", "values": {step: n}, "rates": {step:
    {"of_previous", "of_registered"}}, "kind"}."""
    found = await read_model.funnel(scope.measures(), ("total", *dims))
    zero = dict.fromkeys(STEPS, 0)
    total_values = found.get("total", {}).get("", zero)
    totals = _row("", TOTAL, total_values, "total")
    sections: dict[str, list[dict]] = {}
    if "month" in dims:
        per = found.get("month", {})
        sections["month"] = [_row(k, _month_names(k), per[k]) for k in sorted(per)]
    if "industry" in dims:
        per = found.get("industry", {})
        sections["industry"] = [_row(i["code"], _names(i), per[i["code"]])
                                for i in await catalog.industries() if i["code"] in per]
    if "fair" in dims:
        per = found.get("fair", {})
        names = await _fair_names(list(per))
        ordered = sorted(per, key=lambda k: (names[k][2], int(k)))
        sections["fair"] = [_row(k, names[k][:2], per[k]) for k in ordered]
    if "audience" in dims:
        per = await read_model.funnel_by_audience(scope.measures())
        rows = []
        for a in await catalog.audiences():
            values = per.get(a["code"]) or zero
            rows.append(_row(a["code"], _names(a),
                             {k: suppress(v, min_cell) for k, v in values.items()}))
        if "" in per:
            rows.append(_row("-", ("未申报", "None declared"),
                             {k: suppress(v, min_cell) for k, v in per[""].items()}, "none"))
        sections["audience"] = rows
    for rows in sections.values():
        rows.append(totals)
    return {"steps": STEPS, "totals": totals, "sections": sections, "min_cell": min_cell}
