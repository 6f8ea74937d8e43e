"""/api/v1: hiring intentions and the official measures; the measures as xlsx and CSV.

`POST /api/v1/fairs/{id}/intentions` (an employer with a confirmed booth or guest slot at that
fair) `{"code": ticket code, "position": position id}` -> 201, or 200 when that pair was already
recorded. Intentions are taken from an hour before the fair starts to a day after it ends (409
otherwise); an unknown ticket, a ticket of another fair or a position that is not the employer's
at this fair is a 422 naming `code` or `position`.

`GET /api/v1/reports/measures` (organiser: their subtree; admin: all) with `from`, `to` (dates,
inclusive, China time, on the fair's start), `org` (a code: its subtree), `kind`, `industry`,
`audience` -> the measures (the eight of API.md and `hires`: intentions whose follow-up says
hired); `GET /reports/measures.xlsx` and `/reports/measures.csv` take the same filters (the
workbook has a sheet of the funnel, the CSV its rows).

`GET /api/v1/reports/funnel` (organiser) with the same filters and `by` (total, month,
industry, audience, fair) -> {"by", "steps", "items": [{"key", "name_zh", "name_en",
"registered", "admitted", "interested", "intentions", "hires", "rates": {step: {"of_previous",
"of_registered"}}}], "totals"}; audience rows suppress small counts as the report does ("<5").
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from fairs import clock
from fairs.accounts.auth import employer_guard, organiser_guard, require
from fairs.errors import Invalid
from fairs.events.api import parse_bound
from fairs.events.services import iso
from fairs.i18n import N_

from . import exports, services
from . import funnel as funnels
from .schemas import FunnelOut, FunnelRate, FunnelRow, IntentionIn, IntentionOut, MeasuresOut
from .services import MEASURES, MeasureFilter

Param = Annotated[str | None, QueryParameter(max_length=200)]
RawFilter = dict[str, str | None]
From = Annotated[str | None, QueryParameter(name="from", max_length=40)]


async def filter_query(from_: From = None,
                       to: Param = None, org: Param = None, kind: Param = None,
                       industry: Param = None, audience: Param = None) -> RawFilter:
    """The measures' filter as given in the query (`from`, `to`, `org`, `kind`, `industry`,
    `audience`): one dependency for the API, the exports and the report page."""
    return {"from": from_, "to": to, "org": org, "kind": kind, "industry": industry,
            "audience": audience}


FILTER_QUERY = {"raw": Provide(filter_query)}


def measure_filter(from_: str | None, to: str | None, org: str | None, kind: str | None,
                   industry: str | None, audience: str | None) -> MeasureFilter:
    return MeasureFilter(start=parse_bound(from_, "from", False), end=parse_bound(to, "to", True),
                         org=org or None, kind=kind or None, industry=industry or None,
                         audience=audience or None)


def min_cell(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None)
    return int(getattr(settings, "report_min_cell", 5) or 5)


def export_meta(report: dict, flt: MeasureFilter, raw: dict[str, str | None]) -> list[tuple]:
    """The summary sheet's description of what was counted (Chinese, as filed)."""
    org = report["org"]
    span = f"{raw.get('from') or '不限'} 至 {raw.get('to') or '不限'}"
    meta = [("统计范围", org.get("name_zh") or org.get("code", "")),
            ("举办时间", span),
            ("统计口径", "已举办的招聘会（已发布、已结束、未取消），按开始时间计"),
            ("服务企业口径", "同一企业同一天同一类服务计一次：招聘会到场，以及实地走访、电话联系、"
                       "集中座谈、政策帮办等服务记录（按服务日期、记录单位计；按类型、行业、"
                       "服务对象筛选时只计招聘会到场）"),
            ("生成时间", clock.now_local().strftime("%Y-%m-%d %H:%M"))]
    for key, name in (("kind", "类型"), ("industry", "行业"), ("audience", "服务对象")):
        if raw.get(key):
            meta.append((name, str(raw[key])))
    return meta


class IntentionController(Controller):
    path = "/api/v1/fairs/{fair_id:int}"
    tags = ["reports"]

    @post("/intentions", guards=[employer_guard],
          summary="Record a hiring intention: a ticket and one of your positions (once per pair)",
          status_code=201)
    async def record(self, request: Request, fair_id: FromPath[int],
                     data: JSONBody[IntentionIn]) -> Response[IntentionOut]:
        row, created = await services.record_intention(require(request), fair_id, data.code,
                                                       data.position)
        out = IntentionOut(id=row["id"], fair=row["fair"], position=row["position"],
                           position_title=row["position_title"], employer=row["employer"],
                           created_at=iso(row["created_at"]) or "", created=created)
        return Response(out, status_code=201 if created else 200)


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]
    guards = [organiser_guard]

    @get("/measures", summary="The official measures over the held fairs in the filter",
         dependencies=FILTER_QUERY)
    async def measures(self, request: Request, raw: NamedDependency[RawFilter]) -> MeasuresOut:
        flt = measure_filter(raw["from"], raw["to"], raw["org"], raw["kind"], raw["industry"],
                             raw["audience"])
        values = await services.measures(require(request), flt)
        return MeasuresOut(**{m: values[m] for m in MEASURES})


def funnel_row(row: dict) -> FunnelRow:
    return FunnelRow(key=row["key"], name_zh=row["name_zh"], name_en=row["name_en"],
                     **row["values"], rates={k: FunnelRate(**v) for k, v in row["rates"].items()})


class FunnelController(Controller):
    path = "/api/v1/reports/funnel"
    tags = ["reports"]
    guards = [organiser_guard]

    @get("/", summary="The job seekers' funnel: registered, admitted, interested, intentions, "
                      "hires, with rates; by total, month, industry, audience or fair",
         dependencies=FILTER_QUERY)
    async def funnel(self, request: Request, raw: NamedDependency[RawFilter],
                     by: Annotated[str, QueryParameter(max_length=16)] = "total") -> FunnelOut:
        if by not in funnels.BY:
            raise Invalid("by", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": funnels.BY})
        flt = measure_filter(raw["from"], raw["to"], raw["org"], raw["kind"], raw["industry"],
                             raw["audience"])
        scope = await services.resolve(require(request), flt)
        found = await funnels.funnel(scope, () if by == "total" else (by,),
                                     min_cell=min_cell(request))
        rows = [found["totals"]] if by == "total" else found["sections"][by][:-1]
        return FunnelOut(by=by, steps=list(found["steps"]), items=[funnel_row(r) for r in rows],
                         totals=funnel_row(found["totals"]))


class ExportController(Controller):
    path = "/reports"
    tags = ["reports"]
    guards = [organiser_guard]
    dependencies = FILTER_QUERY

    async def _report(self, request: Request, raw: RawFilter) -> tuple[dict, list]:
        flt = measure_filter(raw["from"], raw["to"], raw["org"], raw["kind"], raw["industry"],
                             raw["audience"])
        report = await services.report(require(request), flt, min_cell=min_cell(request))
        report["funnel"] = await funnels.funnel(report["scope"], min_cell=min_cell(request))
        return report, export_meta(report, flt, raw)

    @get("/measures.xlsx", summary="The measures as an Excel workbook (summary + breakdowns)")
    async def xlsx(self, request: Request, raw: NamedDependency[RawFilter]) -> Response[bytes]:
        report, meta = await self._report(request, raw)
        body = exports.to_xlsx(report, meta)
        return Response(body, media_type="application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet", headers=_download("xlsx", raw))

    @get("/measures.csv", summary="The measures as CSV (UTF-8 with a BOM)")
    async def csv(self, request: Request, raw: NamedDependency[RawFilter]) -> Response[bytes]:
        report, meta = await self._report(request, raw)
        return Response(exports.to_csv(report, meta), media_type="text/csv; charset=utf-8",
                        headers=_download("csv", raw))


def _download(ext: str, raw: dict[str, str | None]) -> dict[str, str]:
    span = "_".join(v for v in (raw.get("from"), raw.get("to")) if v) or "all"
    safe = "".join(c for c in span if c.isalnum() or c in "-_")
    return {"Content-Disposition": f'attachment; filename="measures-{safe}.{ext}"',
            "Cache-Control": "private, no-store"}


ROUTES = [IntentionController, ReportController, FunnelController, ExportController]
