"""The permission matrix: every route of the app against every kind of caller.

Roles: `anonymous` (no login, and a forged code wherever a ticket or feed code is the
credential), `attendee` (no login; holds the real ticket), `employer` (employer A, the owner of
the booking, slot booking and positions used here), `other_employer` (employer B, another
approved company), `scanner` (door staff of xha), `organiser` (xha, the owner of every fair and
plan used here), `subarea` (the organiser of gzk, one of xha's sub-areas), `sibling` (the
organiser of Jiaozhou, a sibling district) and `admin`.

Scope: the tables run twice. In xha's world (a district owns everything) every role runs; the
sub-area gzk is refused what the sibling is (a child does not act on its parent's objects). In
gzk's world (the sub-area owns everything, built by gzk with its own venue and channel) the
scope roles run again: gzk is the owner (own organisation), xha's organiser acts over its
sub-area's objects (subtree: allowed), Jiaozhou is refused (sibling: 403, or 404 for drafts and
plans). `want()` derives each answer; `test_every_write_route_has_a_scope_decision` enumerates
the app's write routes and fails for one without a row, or whose rows never refuse the sibling
district and that NOT_ORG_SCOPED does not explain.

The objects are real (built through the API and the services in `build_world`): fairs of xha
(upcoming with booths and A's booking, happening now with tickets, a draft, online ones with
guest slots), A's booking, slot booking and positions, a plan, a no-show record, an online
session, the organiser's API token, A's private calendar feed.

The tables say what each role gets, by answer class: OK (2xx or 3xx), 401, 403, 404, 422 (a
forged ticket code in a body). Every route the app serves must have an entry: a new endpoint
without one fails `test_every_route_has_an_entry`. Each role runs on a fresh database, in the
order of the table (reads, then writes, then the destructive calls), so one role's deletions
never hide another's answers.

API routes (those in the OpenAPI schema) carry valid bodies, so a 403 there is the ownership
rule in the service, not a validation error. Page form posts are checked at the guard (anonymous:
401, wrong role: 403), and those about an organisation's object (or naming one) are checked
against the sibling too; the rest of what their services allow is the API's matrix, since they
call the same services. For them `ANY` means "not refused and no 5xx".
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest

from fairs import db
from fairs.i18n import TZ
from tests.conftest import DEMO_PASSWORDS, clean_database, make_client

ROLES = ("anonymous", "attendee", "employer", "other_employer", "scanner", "organiser",
         "subarea", "sibling", "admin")
# The roles whose answers depend on where the object sits in the organisation tree: the scope
# run (objects of the sub-area gzk) repeats the tables for them.
SCOPE_ROLES = ("organiser", "subarea", "sibling", "admin")
OK, ANY = "OK", "ANY"

# The rows name every role but "subarea": gzk answers as the sibling district in xha's world and
# as xha's organiser in its own (see `want`), unless a row names it.
ROWS_ROLES = tuple(r for r in ROLES if r != "subarea")
PUBLIC = dict.fromkeys(ROWS_ROLES, OK)
LOGGED = {**PUBLIC, "anonymous": 401, "attendee": 401}
STAFF = {**LOGGED, "employer": 403, "other_employer": 403}
# Organisers, each on its own subtree (a sibling district sees or makes its own things).
ORGANISERS = {**STAFF, "scanner": 403}
# The organiser of the object's district (and the admin); the sibling district is refused.
OWNER_ORG = {**ORGANISERS, "sibling": 403}
# Door staff: the scanner of xha and xha's organisers.
DOOR = {**OWNER_ORG, "scanner": OK}
EMPLOYERS = {**LOGGED, "scanner": 403, "organiser": 403, "sibling": 403, "admin": 403}
OWNER_EMPLOYER = {**EMPLOYERS, "other_employer": 403}
# The employer that owns the object, or an organiser of the fair's district.
EMPLOYER_OR_ORG = {**LOGGED, "other_employer": 403, "scanner": 403, "sibling": 403}
ADMIN = {**STAFF, "scanner": 403, "organiser": 403, "sibling": 403}
# Drafts and plans of xha: a sibling district is told they do not exist.
HIDDEN_ORG = {**OWNER_ORG, "sibling": 404}
# Capability URLs and bodies: whoever holds the code; a forged one is unknown.
HOLDER = {**PUBLIC, "anonymous": 404}


def x(base: dict, **changes) -> dict:
    return {**base, **changes}


def want(expected: dict, role: str, owner: str) -> object:
    """What `role` gets for a row, in the world whose objects belong to `owner`.

    In xha's world the sub-area gzk is refused what the sibling district is refused (a child
    does not act on its parent's objects), unless the row says otherwise ("subarea"). In gzk's
    world the answers are the same, except that gzk is now the owner (it gets what xha's
    organiser gets), and xha's organiser acts as the parent over its sub-area's objects (what
    the organiser gets: a subtree is managed). A row corrects either with "role@owner" keys.
    """
    if f"{role}@{owner}" in expected:
        return expected[f"{role}@{owner}"]
    if role == "subarea":
        if owner == "gzk":
            return expected["organiser"]
        return expected.get("subarea", expected["sibling"])
    return expected[role]


def when(days: float = 0, minutes: int = 0, hour: int | None = None) -> str:
    at = datetime.now(TZ) + timedelta(days=days, minutes=minutes)
    if hour is not None:
        at = at.replace(hour=hour, minute=0)
    return at.replace(second=0, microsecond=0).isoformat()


# (method, path, body, expected by role). Paths name objects of build_world in braces.
# Order matters: reads first, then writes, then what deletes or cancels.
API: list[tuple[str, str, object, dict]] = [
    ("GET", "/api/v1/health", None, PUBLIC),
    ("GET", "/api/v1/outbox", None, ADMIN),
    ("GET", "/api/v1/webhooks", None, ADMIN),
    ("GET", "/api/v1/webhooks/{webhook}", None, ADMIN),
    ("GET", "/api/v1/auth/me", None, LOGGED),
    ("GET", "/api/v1/auth/tokens", None, LOGGED),
    ("GET", "/api/v1/orgs", None, PUBLIC),
    ("GET", "/api/v1/catalog/industries", None, PUBLIC),
    ("GET", "/api/v1/catalog/audiences", None, PUBLIC),
    ("GET", "/api/v1/catalog/venues", None, PUBLIC),
    ("GET", "/api/v1/catalog/venues/{venue}", None, PUBLIC),
    ("GET", "/api/v1/catalog/channels", None, PUBLIC),
    ("GET", "/api/v1/catalog/channels/{channel}", None, PUBLIC),
    ("GET", "/api/v1/fairs", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_up}", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_draft}", None,
     x(OWNER_ORG, anonymous=404, attendee=404, employer=404, other_employer=404, scanner=404,
       sibling=404)),
    ("GET", "/api/v1/fairs/{fair_now}/attendance", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_draft}/attendance", None,
     x(OWNER_ORG, anonymous=404, attendee=404, employer=404, other_employer=404, scanner=404,
       sibling=404)),
    ("GET", "/api/v1/fairs/{fair_now}/attendance/stream", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_up}/booths", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_up}/positions", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_online}/slots", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_online}/online-sessions", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_up}/employers/{employer_a}", None, PUBLIC),
    ("GET", "/api/v1/fairs/{fair_up}/bookings", None, OWNER_ORG),
    ("GET", "/api/v1/fairs/{fair_now}/registrations", None, OWNER_ORG),
    ("GET", "/api/v1/fairs/{fair_now}/registrations/lookup?last4=0000", None, DOOR),
    ("GET", "/api/v1/fairs/{fair_now}/checkin-window", None, x(DOOR, sibling=OK)),
    ("GET", "/api/v1/fairs/{fair_now}/self-checkin-code", None, DOOR),
    ("GET", "/api/v1/fairs/{fair_now}/scans/stats", None, OWNER_ORG),
    ("GET", "/api/v1/bookings/{booking}", None, EMPLOYER_OR_ORG),
    ("GET", "/api/v1/bookings/{booking}/positions", None, EMPLOYER_OR_ORG),
    ("GET", "/api/v1/slot-bookings/{slot_booking}", None, EMPLOYER_OR_ORG),
    ("GET", "/api/v1/me/bookings", None, EMPLOYERS),
    ("GET", "/api/v1/me/interests", None, EMPLOYERS),
    ("GET", "/api/v1/me/calendar", None, EMPLOYERS),
    ("GET", "/api/v1/no-shows", None, x(LOGGED, scanner=403)),
    ("GET", "/api/v1/booking-rules", None, LOGGED),
    ("GET", "/api/v1/employers", None, ORGANISERS),
    ("GET", "/api/v1/employers/{employer_a}", None, x(EMPLOYER_OR_ORG, sibling=OK)),
    ("GET", "/api/v1/employers/{employer_a}/staff", None, x(EMPLOYER_OR_ORG, sibling=OK)),
    # Needs and staff counts: the employer, or the organisers over its district (the world's
    # owner surveyed A); a need nobody may see is unknown; the catalogue and wages are public.
    ("GET", "/api/v1/employers/{employer_a}/needs", None, EMPLOYER_OR_ORG),
    ("GET", "/api/v1/employers/{employer_a}/staff-count", None, EMPLOYER_OR_ORG),
    ("GET", "/api/v1/needs", None, ORGANISERS),
    ("GET", "/api/v1/needs/{need_pub}", None, PUBLIC),
    ("GET", "/api/v1/needs/{need}", None,
     x(EMPLOYER_OR_ORG, anonymous=404, attendee=404, other_employer=404, scanner=404,
       sibling=404)),
    ("GET", "/api/v1/demand", None, PUBLIC),
    ("GET", "/api/v1/reports/vacancy", None, ORGANISERS),
    ("GET", "/api/v1/reports/wages", None, PUBLIC),
    # Services to employers: the organisers serving the company (A booked at the world's fairs).
    ("GET", "/api/v1/employers/{employer_a}/services", None, OWNER_ORG),
    ("GET", "/api/v1/employers/{employer_a}/officers", None, OWNER_ORG),
    ("GET", "/api/v1/services", None, ORGANISERS),  # each organiser their own subtree
    ("GET", "/api/v1/services/{service}", None, OWNER_ORG),
    ("GET", "/api/v1/officers/me/employers", None, ORGANISERS),
    ("GET", "/api/v1/outreach/uncontacted", None, ORGANISERS),
    ("GET", "/api/v1/plans", None, ORGANISERS),
    ("GET", "/api/v1/plans/{plan}", None, HIDDEN_ORG),
    ("GET", "/api/v1/plans/{plan}/progress", None, HIDDEN_ORG),
    ("GET", "/api/v1/reports/measures", None, ORGANISERS),
    ("GET", "/api/v1/reports/funnel", None, ORGANISERS),
    # Follow-up: each organiser lists its own subtree's; one task is its fair's organisers'.
    ("GET", "/api/v1/followups", None, ORGANISERS),
    ("GET", "/api/v1/followups/{followup}", None, OWNER_ORG),
    ("GET", "/api/v1/me/intentions", None, EMPLOYERS),
    ("GET", "/reports/measures.csv", None, ORGANISERS),
    ("GET", "/reports/measures.xlsx", None, ORGANISERS),
    ("GET", "/api/v1/audit", None, ADMIN),
    ("GET", "/api/v1/tickets/{secret}", None, HOLDER),
    ("GET", "/api/v1/tickets/{secret}/interests", None, HOLDER),
    ("GET", "/api/v1/tickets/{secret}/matches", None, HOLDER),
    ("GET", "/api/v1/tickets/{secret}/profile", None, HOLDER),
    ("GET", "/api/v1/me/demand", None, EMPLOYERS),
    ("GET", "/api/v1/me/seekers", None, EMPLOYERS),
    ("GET", "/calendar/fairs.ics", None, PUBLIC),
    ("GET", "/calendar/fairs/{fair_up}.ics", None, PUBLIC),
    ("GET", "/calendar/fairs/{fair_draft}.ics", None, dict.fromkeys(ROWS_ROLES, 404)),
    ("GET", "/calendar/feeds/{feed}.ics", None, HOLDER),
    # --- writes ---
    ("POST", "/api/v1/auth/tokens", {"name": "matrix"}, LOGGED),
    ("POST", "/api/v1/orgs", {"code": "matrix-st", "name_zh": "矩阵街道", "parent": "{org}"},
     OWNER_ORG),
    # The tree below the owner's organisation: its organisers (and the admin) change it.
    ("PATCH", "/api/v1/orgs/{child}", {"name_zh": "改过名的街道", "parent": "{org}"}, OWNER_ORG),
    ("POST", "/api/v1/catalog/venues", {"name": "矩阵会场", "district": "{org}"}, OWNER_ORG),
    ("PATCH", "/api/v1/catalog/venues/{venue}", {"capacity": 900}, OWNER_ORG),
    ("POST", "/api/v1/catalog/channels", {"name": "矩阵频道", "district": "{org}"}, OWNER_ORG),
    ("PATCH", "/api/v1/catalog/channels/{channel}", {"url": "https://example.org/live"},
     OWNER_ORG),
    # A fair of the caller's own district; venues are the city's (a sibling may use xha's).
    ("POST", "/api/v1/fairs", {
        "kind": "offline", "title": "矩阵招聘会", "starts_at": when(30, hour=9),
        "ends_at": when(30, hour=12), "venue": "{venue}", "industries": ["software"],
        "audiences": ["general"]}, ORGANISERS),
    # ... and one of the world's owner: only the organisers over it.
    ("POST", "/api/v1/fairs", {
        "kind": "offline", "title": "矩阵招聘会", "starts_at": when(31, hour=9),
        "ends_at": when(31, hour=12), "venue": "{venue}", "industries": ["software"],
        "audiences": ["general"], "org": "{org}"}, OWNER_ORG),
    ("PATCH", "/api/v1/fairs/{fair_up}", {"title": "改过名的招聘会"}, OWNER_ORG),
    ("POST", "/api/v1/fairs/{fair_draft}/publish", None, HIDDEN_ORG),
    ("PUT", "/api/v1/fairs/{fair_draft2}/booths", {"booths": [{"code": "Z01", "zone": "Z"}]},
     HIDDEN_ORG),
    ("POST", "/api/v1/fairs/{fair_draft2}/booths/copy", {"from": "{fair_up}"}, HIDDEN_ORG),
    ("POST", "/api/v1/fairs/{fair_up2}/bookings", {"booth": None},
     x(EMPLOYERS, other_employer=OK)),
    ("POST", "/api/v1/fairs/{fair_online}/slots", {"slots": [
        {"starts_at": "{slot_free_start}", "ends_at": "{slot_free_end}", "label": "矩阵"}]},
     OWNER_ORG),
    ("POST", "/api/v1/slots/{slot_other}/bookings", {"topic": "直播带岗"}, EMPLOYERS),
    ("POST", "/api/v1/bookings/{booking}/positions", {"title": "焊工", "headcount": 2},
     OWNER_EMPLOYER),
    ("POST", "/api/v1/slot-bookings/{slot_booking}/positions", {"title": "主播", "headcount": 1},
     OWNER_EMPLOYER),
    ("PATCH", "/api/v1/positions/{position}", {"headcount": 7}, OWNER_EMPLOYER),
    ("POST", "/api/v1/employers/{employer_a}/needs",
     {"title": "装配工", "headcount": 2, "valid_until": "{need_until}"}, EMPLOYER_OR_ORG),
    ("PUT", "/api/v1/employers/{employer_a}/staff-count", {"staff": 120}, EMPLOYER_OR_ORG),
    ("PATCH", "/api/v1/needs/{need}", {"headcount": 4}, EMPLOYER_OR_ORG),
    ("POST", "/api/v1/needs/{need}/publish", None, OWNER_ORG),
    ("POST", "/api/v1/needs/{need2}/reject", {"reason": "信息不全"}, OWNER_ORG),
    ("POST", "/api/v1/bookings/{booking}/positions/from-needs", {"needs": ["{need_copy}"]},
     OWNER_EMPLOYER),
    ("POST", "/api/v1/slot-bookings/{slot_booking}/positions/from-needs",
     {"needs": ["{need_copy}"]}, OWNER_EMPLOYER),
    ("POST", "/api/v1/positions/{position_now}/interests", {"secret": "{secret}"},
     x(PUBLIC, anonymous=422)),
    ("POST", "/api/v1/fairs/{fair_now}/intentions", {"code": "{code}", "position":
                                                      "{position_now}"},
     x(OWNER_EMPLOYER, anonymous=401)),
    ("POST", "/api/v1/fairs/{fair_now}/registrations", {"name": "李四", "phone": "{phone}"},
     PUBLIC),
    ("PUT", "/api/v1/tickets/{secret}/profile", {"industries": ["software"],
                                                 "education": "bachelor", "job_types": []},
     HOLDER),
    ("POST", "/api/v1/followups/{followup}/phone", None, OWNER_ORG),
    ("POST", "/api/v1/followups/{followup}", {"outcome": "in_process"}, OWNER_ORG),
    # A hire is confirmed by the employer that recorded the intention (organisers record it
    # on the follow-up task).
    ("POST", "/api/v1/intentions/{intention}/hire", {"started_on": "{today}"}, OWNER_EMPLOYER),
    ("POST", "/api/v1/fairs/{fair_now}/checkins", {"code": "{code}"}, DOOR),
    ("POST", "/api/v1/fairs/{fair_now}/registrations/{registration}/admit",
     {"last4": "{last4}"}, DOOR),
    ("POST", "/api/v1/fairs/{fair_now}/checkins/batch", {"scans": [{"code": "{code}"}]}, DOOR),
    ("POST", "/api/v1/fairs/{fair_now}/walk-ins", {"name": "王五", "phone": "{phone2}"}, DOOR),
    ("POST", "/api/v1/fairs/{fair_now}/self-checkin", {"token": "{self_token}",
                                                       "code": "{code}"}, PUBLIC),
    ("PUT", "/api/v1/fairs/{fair_now}/checkin-window", {}, OWNER_ORG),
    ("POST", "/api/v1/fairs/{fair_online}/online-sessions", {"label": "第二场",
                                                             "total_views": 10}, OWNER_ORG),
    ("POST", "/api/v1/fairs/{fair_online}/online-sessions/import",
     {"csv": "场次,最高在线,观看人次\n第三场,5,50\n"}, OWNER_ORG),
    ("POST", "/api/v1/employers", {
        "name": "矩阵测试企业有限公司", "uscc": "{uscc}", "industry": "software",
        "contact_name": "王经理", "contact_phone": "13812340000", "username": "matrix-hr",
        "password": "employer-pass-1"}, PUBLIC),
    # A login for an employer: its staff, or the organisers over it (it booked at their fairs).
    ("POST", "/api/v1/employers/{employer_a}/staff",
     {"username": "matrix-staff", "password": "employer-pass-1"}, EMPLOYER_OR_ORG),
    ("POST", "/api/v1/employers/{employer_pending}/approve", None, ORGANISERS),
    ("POST", "/api/v1/employers/{employer_pending2}/reject", {"reason": "材料不全"}, ORGANISERS),
    ("POST", "/api/v1/employers/{employer_a}/services", {"kind": "phone", "on": "{today}"},
     OWNER_ORG),
    ("PATCH", "/api/v1/services/{service}", {"notes": "矩阵回访"}, OWNER_ORG),
    # An officer from the caller's own subtree (the world owner's organiser), for a company
    # the caller serves.
    ("POST", "/api/v1/employers/{employer_a}/officers", {"user": "{owner_user}"}, OWNER_ORG),
    # The no-show ledger is the city's (booking bans apply everywhere): any organiser.
    # Read city-wide, changed only by the organisers over the fair where it happened.
    ("PATCH", "/api/v1/no-shows/{no_show}", {"note": "交通管制"}, OWNER_ORG),
    ("POST", "/api/v1/no-shows/{no_show}/annul", {"note": "已核实"}, OWNER_ORG),
    # The city-wide booking rules: an admin's.
    ("PUT", "/api/v1/booking-rules", {"no_show_limit": 3}, ADMIN),
    ("POST", "/api/v1/outbox/test", {"channel": "sms", "to": "{phone}"}, ADMIN),
    ("POST", "/api/v1/outbox/{outbox_message}/retry", None, x(ADMIN, admin=ANY)),
    ("POST", "/api/v1/webhooks", {"url": "https://partner.example/hook",
                                  "events": ["fair.published"]}, ADMIN),
    ("POST", "/api/v1/fairs/{fair_up}/tickets/resend", {"phone": "{phone}"}, PUBLIC),
    ("POST", "/api/v1/plans", {"title": "矩阵计划", "starts_on": "{plan_start}",
                               "ends_on": "{plan_end}", "targets": {"offline": 1}},
     ORGANISERS),
    ("POST", "/api/v1/plans", {"title": "矩阵计划", "starts_on": "{plan_start}",
                               "ends_on": "{plan_end}", "targets": {"offline": 1},
                               "org": "{org}"}, OWNER_ORG),
    ("PATCH", "/api/v1/plans/{plan}", {"title": "改过名的计划"}, HIDDEN_ORG),
    ("POST", "/api/v1/plans/{plan}/proposals", {}, HIDDEN_ORG),
    ("POST", "/api/v1/plans/{plan}/proposals/accept", {"fairs": [{
        "kind": "offline", "title": "计划内招聘会", "starts_at": "{plan_fair_start}",
        "ends_at": "{plan_fair_end}", "venue": "{venue}", "industries": ["software"],
        "audiences": ["general"]}]}, HIDDEN_ORG),
    ("POST", "/api/v1/plans/{plan}/publish", None, HIDDEN_ORG),
    # --- deletions and cancellations ---
    ("POST", "/api/v1/needs/{need3}/withdraw", None, EMPLOYER_OR_ORG),
    ("DELETE", "/api/v1/positions/{position_now}/interests", {"secret": "{secret}"},
     x(PUBLIC, anonymous=422)),
    ("DELETE", "/api/v1/fairs/{fair_online}/online-sessions/{online_session}", None, OWNER_ORG),
    ("DELETE", "/api/v1/employers/{employer_a}/officers/{owner_user}", None, OWNER_ORG),
    ("DELETE", "/api/v1/services/{service}", None, OWNER_ORG),
    ("DELETE", "/api/v1/positions/{position2}", None, OWNER_EMPLOYER),
    ("DELETE", "/api/v1/slots/{slot_free}", None, OWNER_ORG),
    ("DELETE", "/api/v1/slot-bookings/{slot_booking}", None, EMPLOYER_OR_ORG),
    ("DELETE", "/api/v1/bookings/{booking}", None, EMPLOYER_OR_ORG),
    ("DELETE", "/api/v1/me/calendar", None, EMPLOYERS),
    ("DELETE", "/api/v1/tickets/{secret}/profile", None, HOLDER),
    ("DELETE", "/api/v1/tickets/{secret2}", None, HOLDER),
    # The organiser's own token: its owner, or an admin; to anyone else it does not exist.
    # (In gzk's world the token is gzk's: xha's organiser is as anyone else.)
    ("DELETE", "/api/v1/webhooks/{webhook}", None, x(ADMIN, admin=ANY)),
    ("DELETE", "/api/v1/auth/tokens/{token}", None, x(LOGGED, employer=404,
                                                      other_employer=404, scanner=404,
                                                      sibling=404, **{"organiser@gzk": 404})),
    ("DELETE", "/api/v1/plans/{plan}", None, HIDDEN_ORG),
    ("DELETE", "/api/v1/fairs/{fair_draft2}", None, HIDDEN_ORG),
    ("POST", "/api/v1/fairs/{fair_up}/cancel", {"reason": "天气原因"}, OWNER_ORG),
    # A pending employer is any organiser's to decide; a decided one (A books at the world's
    # fairs) is changed only by the organisers over it.
    ("POST", "/api/v1/employers/{employer_a}/reject", {"reason": "资料有误"}, OWNER_ORG),
    ("POST", "/api/v1/employers/{employer_a}/approve", None, OWNER_ORG),
]

ORG_PAGE = {**ORGANISERS}
EMPLOYER_PAGE = {**EMPLOYERS}
DOOR_PAGE = {**STAFF, "sibling": OK}
# Form posts: refused at the guard, or anything but a refusal.
ORG_FORM = {**ORGANISERS, "organiser": ANY, "sibling": ANY, "admin": ANY}
EMPLOYER_FORM = {**EMPLOYERS, "employer": ANY, "other_employer": ANY}
PUBLIC_FORM = dict.fromkeys(ROWS_ROLES, ANY)
# Forms about xha's objects or employer A's: the others are refused by the service.
OWN_ORG_FORM = {**ORG_FORM, "sibling": 403}
# ... and about drafts and plans, which another district is told do not exist.
HIDDEN_ORG_FORM = {**ORG_FORM, "sibling": 404}
OWN_EMPLOYER_FORM = {**EMPLOYER_FORM, "other_employer": 403}
DOOR_FORM = {**STAFF, "scanner": ANY, "organiser": ANY, "sibling": ANY, "admin": ANY}

PAGES: list[tuple[str, str, object, dict]] = [
    ("GET", "/", None, PUBLIC),
    ("GET", "/lang/{lang}", None, PUBLIC),
    ("GET", "/favicon.ico", None, PUBLIC),
    ("GET", "/login", None, PUBLIC),
    ("GET", "/fairs", None, PUBLIC),
    ("GET", "/fairs/calendar", None, PUBLIC),
    ("GET", "/fairs/{fair_up}", None, PUBLIC),
    ("GET", "/fairs/{fair_up}/jobs", None, PUBLIC),
    ("GET", "/fairs/{fair_now}/register", None, PUBLIC),
    ("GET", "/fairs/{fair_online}/running-order", None, PUBLIC),
    ("GET", "/employers/register", None, PUBLIC),
    ("GET", "/calendar", None, PUBLIC),
    ("GET", "/checkin/scan", None, PUBLIC),
    ("GET", "/checkin/{fair_now}/self", None, PUBLIC),
    ("GET", "/wall/{fair_now}", None, PUBLIC),
    ("GET", "/metrics", None, PUBLIC),
    ("GET", "/tickets/{secret}", None, HOLDER),
    ("GET", "/fairs/{fair_up}/tickets/resend", None, PUBLIC),
    ("GET", "/n/stop/{stop}", None, PUBLIC),
    ("GET", "/admin/outbox", None, ADMIN),
    ("GET", "/admin/webhooks", None, ADMIN),
    ("GET", "/tickets/{secret}/qr.png", None, HOLDER),
    ("GET", "/tickets/{secret}/qr.svg", None, HOLDER),
    ("GET", "/tickets/{secret}/ticket.ics", None, HOLDER),
    ("GET", "/tickets/{secret}/profile", None, HOLDER),
    ("GET", "/organiser", None, ORG_PAGE),
    ("GET", "/organiser/audit", None, ORG_PAGE),  # each organiser their own subtree
    ("GET", "/organiser/orgs", None, ORG_PAGE),
    ("GET", "/organiser/booths", None, ORG_PAGE),
    ("GET", "/organiser/catalog", None, ORG_PAGE),
    ("GET", "/organiser/employers", None, ORG_PAGE),
    # The register's entry is the city's; its services section only for those serving it.
    ("GET", "/organiser/employers/{employer_a}", None, ORG_PAGE),
    ("GET", "/organiser/services", None, ORG_PAGE),
    ("GET", "/organiser/services.csv", None, ORG_PAGE),
    ("GET", "/organiser/services.xlsx", None, ORG_PAGE),
    ("GET", "/organiser/services/{service}/edit", None, OWNER_ORG),
    ("GET", "/organiser/officers/me", None, ORG_PAGE),
    ("GET", "/organiser/outreach/uncontacted", None, ORG_PAGE),
    ("GET", "/organiser/fairs", None, ORG_PAGE),
    ("GET", "/organiser/fairs/new", None, ORG_PAGE),
    ("GET", "/organiser/fairs/{fair_up}", None, OWNER_ORG),
    ("GET", "/organiser/fairs/{fair_up}/booths", None, OWNER_ORG),
    ("GET", "/organiser/fairs/{fair_now}/summary", None, OWNER_ORG),
    ("GET", "/organiser/no-shows", None, ORG_PAGE),
    ("GET", "/organiser/plans", None, ORG_PAGE),
    ("GET", "/organiser/plans/{plan}", None, HIDDEN_ORG),
    ("GET", "/organiser/plans/{plan}/planner", None, HIDDEN_ORG),
    ("GET", "/organiser/fairs/{fair_up}/posters", None, OWNER_ORG),
    ("GET", "/fairs/{fair_up}/employers/{employer_a}", None, PUBLIC),
    ("GET", "/fairs/{fair_up}/employers/{employer_a}/qr.png", None, PUBLIC),
    ("GET", "/fairs/{fair_up}/employers/{employer_a}/qr.svg", None, PUBLIC),
    ("GET", "/organiser/reports", None, ORG_PAGE),
    ("GET", "/organiser/followups", None, ORG_PAGE),
    ("GET", "/organiser/followups/graduates", None, ORG_PAGE),
    ("GET", "/organiser/followups/{followup}", None, OWNER_ORG),
    ("GET", "/employer/hires", None, EMPLOYER_PAGE),
    ("GET", "/organiser/needs", None, ORG_PAGE),
    ("GET", "/organiser/needs/{need}/edit", None, OWNER_ORG),
    ("GET", "/organiser/employers/{employer_a}/needs", None, OWNER_ORG),
    ("GET", "/organiser/vacancy", None, ORG_PAGE),
    ("GET", "/organiser/vacancy.xlsx", None, ORG_PAGE),
    ("GET", "/demand", None, PUBLIC),
    ("GET", "/demand.xlsx", None, PUBLIC),
    ("GET", "/wages", None, PUBLIC),
    ("GET", "/wages.xlsx", None, PUBLIC),
    ("GET", "/employer/needs", None, EMPLOYER_PAGE),
    ("GET", "/employer/needs/{need}/edit", None, OWNER_EMPLOYER),
    ("GET", "/employer/bookings/{booking}/needs", None, OWNER_EMPLOYER),
    ("GET", "/employer/slot-bookings/{slot_booking}/needs", None, OWNER_EMPLOYER),
    ("GET", "/employer", None, EMPLOYER_PAGE),
    ("GET", "/employer/fairs/{fair_up}", None, EMPLOYER_PAGE),
    ("GET", "/employer/fairs/{fair_now}/intentions", None, x(OWNER_EMPLOYER)),
    ("GET", "/employer/bookings/{booking}/positions", None, OWNER_EMPLOYER),
    ("GET", "/employer/positions/{position2}/edit", None, OWNER_EMPLOYER),
    ("GET", "/employer/slot-bookings/{slot_booking}/positions", None, OWNER_EMPLOYER),
    ("GET", "/employer/bookings/{booking}/poster", None, OWNER_EMPLOYER),
    ("GET", "/employer/slot-bookings/{slot_booking}/poster", None, OWNER_EMPLOYER),
    ("GET", "/employer/interests", None, EMPLOYER_PAGE),
    ("GET", "/employer/fairs/{fair_now}/seekers", None, EMPLOYER_PAGE),
    ("GET", "/scan", None, DOOR_PAGE),
    ("GET", "/scan/{fair_now}", None, DOOR),
    ("GET", "/scan/{fair_now}/kiosk", None, DOOR),
    ("GET", "/scan/{fair_now}/manifest.webmanifest", None, DOOR),
    ("GET", "/sw.js", None, PUBLIC),  # the scanner's service worker: code, no data
    # --- form posts ---
    ("POST", "/organiser/booking-rules", {}, {**ORG_FORM, "organiser": 403, "sibling": 403}),
    ("POST", "/fairs/{fair_up}/tickets/resend", {"phone": "{phone}"}, PUBLIC_FORM),
    ("POST", "/n/stop/{stop}", {}, PUBLIC_FORM),
    ("POST", "/admin/outbox/test", {"channel": "sms", "to": "{phone}"}, x(ADMIN, admin=ANY)),
    ("POST", "/admin/outbox/{outbox_message}/retry", {}, x(ADMIN, admin=ANY)),
    ("POST", "/admin/webhooks", {"url": "https://partner.example/hook2",
                                 "events": "fair.published"}, x(ADMIN, admin=ANY)),
    ("POST", "/admin/webhooks/{webhook}/delete", {}, x(ADMIN, admin=ANY)),
    ("POST", "/organiser/channels", {}, ORG_FORM),
    ("POST", "/organiser/channels", {"name": "表单频道", "url": "https://example.org/live",
                                     "district": "{org}"}, OWN_ORG_FORM),
    ("POST", "/organiser/orgs", {}, ORG_FORM),
    ("POST", "/organiser/orgs", {"code": "form-st", "name_zh": "表单街道", "kind": "street",
                                 "parent": "{org}"}, OWN_ORG_FORM),
    ("POST", "/organiser/orgs/{child}", {"name_zh": "表单改名", "kind": "street"}, OWN_ORG_FORM),
    ("POST", "/organiser/orgs/{child}/move", {"parent": "{org}"}, OWN_ORG_FORM),
    ("POST", "/organiser/orgs/{child}/deactivate", {}, OWN_ORG_FORM),
    ("POST", "/organiser/orgs/{child}/activate", {}, OWN_ORG_FORM),
    ("POST", "/organiser/venues", {}, ORG_FORM),
    ("POST", "/organiser/venues", {"name": "表单会场", "district": "{org}"}, OWN_ORG_FORM),
    ("POST", "/organiser/venues/{venue}/layout", {"booth_rows": "2", "booths_per_row": "3"},
     OWN_ORG_FORM),
    ("POST", "/organiser/fairs", {}, ORG_FORM),
    ("POST", "/organiser/fairs", {
        "kind": "offline", "title": "表单招聘会", "starts_at": when(33, hour=9),
        "ends_at": when(33, hour=12), "venue": "{venue}", "industries": "software",
        "audiences": "general", "org": "{org}"}, OWN_ORG_FORM),
    ("POST", "/organiser/fairs/{fair_up}", {}, OWN_ORG_FORM),
    ("POST", "/organiser/fairs/{fair_draft2}/booths", {}, HIDDEN_ORG_FORM),
    ("POST", "/organiser/fairs/{fair_draft2}/booths/copy", {}, HIDDEN_ORG_FORM),
    ("POST", "/organiser/fairs/{fair_draft2}/booths/generate", {}, HIDDEN_ORG_FORM),
    ("POST", "/organiser/fairs/{fair_online}/slots", {}, OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_pending}/approve", {}, ORG_FORM),
    ("POST", "/organiser/employers/{employer_pending2}/reject", {}, ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/services", {}, OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/services", {"kind": "visit", "on": "{today}"},
     OWN_ORG_FORM),
    ("POST", "/organiser/services/{service}/edit", {}, OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/officers", {"user": "{owner_user}"},
     OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/officers/{owner_user}/delete", {},
     OWN_ORG_FORM),
    ("POST", "/organiser/no-shows/{no_show}/explain", {}, {**ORG_FORM, "sibling": 403}),
    ("POST", "/organiser/no-shows/{no_show}/annul", {}, {**ORG_FORM, "sibling": 403}),
    ("POST", "/organiser/plans", {}, ORG_FORM),
    ("POST", "/organiser/plans/{plan}/accept", {}, HIDDEN_ORG_FORM),
    ("POST", "/organiser/plans/{plan}/publish", {}, HIDDEN_ORG_FORM),
    ("POST", "/organiser/fairs/{fair_draft}/publish", {}, HIDDEN_ORG_FORM),
    ("POST", "/employer/fairs/{fair_up2}/book", {}, EMPLOYER_FORM),
    ("POST", "/employer/slots/{slot_other}/book", {}, EMPLOYER_FORM),
    ("POST", "/employer/bookings/{booking}/positions", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/slot-bookings/{slot_booking}/positions", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/fairs/{fair_now}/intentions", {}, OWN_EMPLOYER_FORM),
    ("POST", "/organiser/followups/{followup}/phone", {}, OWN_ORG_FORM),
    ("POST", "/organiser/followups/{followup}", {}, OWN_ORG_FORM),
    ("POST", "/employer/intentions/{intention}/hire", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/needs", {}, EMPLOYER_FORM),
    ("POST", "/employer/staff-count", {}, EMPLOYER_FORM),
    ("POST", "/employer/needs/{need}/edit", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/bookings/{booking}/needs", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/slot-bookings/{slot_booking}/needs", {}, OWN_EMPLOYER_FORM),
    ("POST", "/organiser/needs/{need}/edit", {}, OWN_ORG_FORM),
    ("POST", "/organiser/needs/{need}/publish", {}, OWN_ORG_FORM),
    ("POST", "/organiser/needs/{need2}/reject", {}, OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/needs", {}, OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/staff-count", {}, OWN_ORG_FORM),
    ("POST", "/calendar/private/renew", {}, EMPLOYER_FORM),
    ("POST", "/scan/{fair_now}/kiosk", {}, DOOR_FORM),
    ("POST", "/scan/{fair_now}/kiosk", {"name": "赵六", "phone": "{phone3}"},
     {**DOOR_FORM, "sibling": 403}),
    ("POST", "/fairs/{fair_now}/register", {}, PUBLIC_FORM),
    ("POST", "/employers/register", {}, PUBLIC_FORM),
    ("POST", "/employer/positions/{position2}/edit", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/positions/{position2}/delete", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/slot-bookings/{slot_booking}/cancel", {}, OWN_EMPLOYER_FORM),
    ("POST", "/employer/bookings/{booking}/cancel", {}, OWN_EMPLOYER_FORM),
    ("POST", "/organiser/slot-bookings/{slot_booking}/cancel", {}, OWN_ORG_FORM),
    ("POST", "/organiser/bookings/{booking}/cancel", {}, OWN_ORG_FORM),
    ("POST", "/organiser/slots/{slot_free}/delete", {}, OWN_ORG_FORM),
    ("POST", "/fairs/{fair_now}/employers/{employer_a}/interest", {"secret": "{secret}"},
     PUBLIC_FORM),
    ("POST", "/tickets/{secret}/interests/{position_now}/withdraw", {}, PUBLIC_FORM),
    ("POST", "/tickets/{secret}/profile", {}, PUBLIC_FORM),
    ("POST", "/tickets/{secret}/matches/{position_now}/interest", {}, PUBLIC_FORM),
    ("POST", "/tickets/{secret}/profile/delete", {}, PUBLIC_FORM),
    ("POST", "/tickets/{secret2}/cancel", {}, PUBLIC_FORM),
    ("POST", "/organiser/fairs/{fair_draft2}/delete", {}, HIDDEN_ORG_FORM),
    ("POST", "/employer/needs/{need3}/withdraw", {}, OWN_EMPLOYER_FORM),
    ("POST", "/organiser/services/{service}/delete", {}, OWN_ORG_FORM),
    ("POST", "/organiser/fairs/{fair_up}/cancel", {}, OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/reject", {"reason": "资料有误"}, OWN_ORG_FORM),
    ("POST", "/organiser/employers/{employer_a}/approve", {}, OWN_ORG_FORM),
]

# Last: the calls that end or change the caller's session.
SESSION: list[tuple[str, str, object, dict]] = [
    ("POST", "/api/v1/auth/logout", None, LOGGED),
    ("POST", "/logout", {}, PUBLIC_FORM),
    ("POST", "/login", {"username": "gzk", "password": DEMO_PASSWORDS["gzk"]}, PUBLIC),
    ("POST", "/api/v1/auth/login", {"username": "gzk", "password": DEMO_PASSWORDS["gzk"]},
     PUBLIC),
]

# Routes that are not endpoints of the service: documentation and static files, and the
# benchmark's floor endpoint (404 unless FAIRS_BENCH_ENDPOINTS=on).
NOT_IN_MATRIX = {
    "GET /schema", "GET /schema/{}", "GET /schema/openapi.json", "GET /schema/scalar",
    "GET /schema/swagger", "GET /schema/oauth2-redirect.html", "GET /static/{}",
    "POST /api/v1/bench/fairs/{}/insert",
}


def _shape(path: str) -> str:
    """A path with its parameters blanked: "/api/v1/fairs/{fair_id:int}" and
    "/api/v1/fairs/{fair_up}" both become "/api/v1/fairs/{}"."""
    path = path.split("?", 1)[0]
    path = re.sub(r"\{[^}]+\}\.ics$", "{}", path)
    return re.sub(r"\{[^}]+\}", "{}", path)


def app_routes(app) -> set[str]:
    found = set()
    for route in app.routes:
        for method in getattr(route, "route_handler_map", {}):
            if method not in ("HEAD", "OPTIONS"):
                found.add(f"{method} {_shape(route.path)}")
    return found


def test_every_route_has_an_entry(app):
    listed = [f"{m} {_shape(p)}" for m, p, _b, _e in API + PAGES + SESSION]
    served = app_routes(app)
    missing = sorted(served - set(listed) - NOT_IN_MATRIX)
    assert not missing, f"routes without a row in the permission matrix: {missing}"
    stale = sorted(set(listed) - served)
    assert not stale, f"rows for routes the app does not serve: {stale}"
    for _m, _p, _b, expected in API + PAGES + SESSION:
        roles = {k for k in expected if "@" not in k}
        assert roles | {"subarea"} == set(ROLES) | {"subarea"}, (_m, _p)
        assert {k.split("@")[0] for k in expected if "@" in k} <= set(ROLES)


# Write routes that a sibling district is not refused, each with the reason: they act on the
# caller's own things, on the city's shared register, or they are public.
PUBLIC_WRITE = "public: a job seeker's or a company's own act, no organisation's object"
HOLDER_WRITE = "the ticket's holder (its code or secret is the credential)"
NOT_ORG_SCOPED: dict[str, str] = {
    "POST /api/v1/auth/login": "a session", "POST /login": "a session",
    "POST /api/v1/auth/logout": "a session", "POST /logout": "a session",
    "POST /api/v1/auth/tokens": "the caller's own API token",
    "POST /api/v1/employers": PUBLIC_WRITE, "POST /employers/register": PUBLIC_WRITE,
    "POST /api/v1/fairs/{}/registrations": PUBLIC_WRITE, "POST /fairs/{}/register": PUBLIC_WRITE,
    "POST /api/v1/fairs/{}/self-checkin": "an attendee's own ticket, with the wall's signed "
                                          "token",
    "POST /api/v1/positions/{}/interests": HOLDER_WRITE,
    "DELETE /api/v1/positions/{}/interests": HOLDER_WRITE,
    "POST /fairs/{}/employers/{}/interest": HOLDER_WRITE,
    "POST /tickets/{}/interests/{}/withdraw": HOLDER_WRITE,
    "DELETE /api/v1/tickets/{}": HOLDER_WRITE, "POST /tickets/{}/cancel": HOLDER_WRITE,
    "PUT /api/v1/tickets/{}/profile": HOLDER_WRITE,
    "DELETE /api/v1/tickets/{}/profile": HOLDER_WRITE,
    "POST /tickets/{}/profile": HOLDER_WRITE, "POST /tickets/{}/profile/delete": HOLDER_WRITE,
    "POST /tickets/{}/matches/{}/interest": HOLDER_WRITE,
    "POST /organiser/plans": "a plan of the caller's own organisation (the form names none)",
    "POST /api/v1/fairs/{}/tickets/resend": "anyone: the ticket goes to the phone, never the "
                                            "caller",
    "POST /fairs/{}/tickets/resend": "anyone: the ticket goes to the phone, never the caller",
    "POST /n/stop/{}": "the holder of the SMS's signed link",
}


def test_every_write_route_has_a_scope_decision(app):
    """Every write route the app serves (enumerated from the app, not from this file) has a row,
    and where an organiser may call it, one of its rows shows another district refused (403 or
    404) on the world owner's objects, or NOT_ORG_SCOPED says why it is not organisation-scoped.
    A new write route therefore needs a scope decision before the suite passes."""
    writes = {r for r in app_routes(app) if not r.startswith("GET ")} - NOT_IN_MATRIX
    rows: dict[str, list[dict]] = {}
    for method, path, _body, expected in API + PAGES + SESSION:
        rows.setdefault(f"{method} {_shape(path)}", []).append(expected)
    assert not sorted(writes - set(rows)), "write routes without a row"
    undecided = []
    for route in sorted(writes):
        organiser_may = any(e["organiser"] in (OK, ANY) for e in rows[route])
        sibling_refused = any(e["sibling"] in (403, 404) for e in rows[route])
        if organiser_may and not sibling_refused and route not in NOT_ORG_SCOPED:
            undecided.append(route)
    assert not undecided, f"write routes without a scope decision: {undecided}"
    assert not sorted(set(NOT_ORG_SCOPED) - writes), "NOT_ORG_SCOPED names unserved routes"


def test_the_api_rows_are_the_openapi_schema(app):
    """Every operation of the OpenAPI schema has an API row (valid bodies, full checks)."""
    schema = app.openapi_schema.to_schema()
    documented = {f"{m.upper()} {_shape(p)}" for p, item in schema["paths"].items()
                  for m in item if m in ("get", "post", "put", "patch", "delete")}
    api_rows = {f"{m} {_shape(p)}" for m, p, _b, _e in API + SESSION}
    assert documented - api_rows == set()


# --- the world --------------------------------------------------------------------------------


OWNERS = {"xha": "organiser", "gzk": "gzk"}  # a world's owning organisation and its login


async def build_world(app, owner: str = "xha") -> dict:
    from fairs.checkin import selfcheckin as checkin
    from fairs.demo import DemoContext
    from fairs.employers.tables import NoShow
    from tests.employers.conftest import employers_with_tokens, make_uscc, registration
    from tests.tickets.helpers import phone

    ctx = DemoContext()
    for name in ("fairs.accounts.demo", "fairs.catalog.demo"):
        await __import__(name, fromlist=["load"]).load(ctx)
    ids = ctx.ids
    venue, channel = ids["venue:西海岸新区人力资源市场"], ids["channel:职海冲浪"]
    org = make_client(app)
    await org.login(OWNERS[owner])
    if owner != "xha":  # the owner's own venue and channel (the demo's are xha's)
        made = await org.post("/api/v1/catalog/venues", json={"name": "权限会场",
                                                              "district": owner})
        assert made.status_code == 201, made.text
        venue = made.json()["id"]
        made = await org.post("/api/v1/catalog/channels", json={"name": "权限频道",
                                                                "district": owner})
        assert made.status_code == 201, made.text
        channel = made.json()["id"]
    o: dict = {"venue": venue, "channel": channel, "org": owner}
    try:
        async def fair(**body) -> int:
            base = {"kind": "offline", "title": "权限测试招聘会", "venue": venue,
                    "industries": ["software"], "audiences": ["general"]}
            made = await org.post("/api/v1/fairs", json={**base, **body})
            assert made.status_code == 201, made.text
            return made.json()["id"]

        async def ok(response, status=(200, 201)):
            assert response.status_code in status, response.text
            return response.json() if response.content else None

        async def layout(fair_id: int, prefix: str) -> None:
            await ok(await org.put(f"/api/v1/fairs/{fair_id}/booths", json={"booths": [
                {"code": f"{prefix}{i:02d}", "zone": prefix} for i in range(1, 5)]}))

        # An organisation below the owner's: what the tree's changes act on.
        child = await ok(await org.post("/api/v1/orgs", json={
            "code": f"{owner}-perm", "name_zh": "权限街道", "kind": "street", "parent": owner}))
        o["child"] = child["code"]
        o["fair_up"] = await fair(starts_at=when(10, hour=9), ends_at=when(10, hour=12))
        o["fair_up2"] = await fair(starts_at=when(12, hour=9), ends_at=when(12, hour=12))
        o["fair_now"] = await fair(starts_at=when(2, hour=9), ends_at=when(2, hour=12))
        o["fair_draft"] = await fair(starts_at=when(14, hour=9), ends_at=when(14, hour=12))
        o["fair_draft2"] = await fair(starts_at=when(16, hour=9), ends_at=when(16, hour=12))
        o["fair_online"] = await fair(kind="online", venue=None, channel=channel,
                                      starts_at=when(10, hour=19), ends_at=when(10, hour=22))
        for key, prefix in (("fair_up", "A"), ("fair_up2", "B"), ("fair_now", "C")):
            await layout(o[key], prefix)
        for key in ("fair_up", "fair_up2", "fair_now", "fair_online"):
            await ok(await org.post(f"/api/v1/fairs/{o[key]}/publish"))
        slots = await ok(await org.post(f"/api/v1/fairs/{o['fair_online']}/slots", json={
            "slots": [{"starts_at": when(10, hour=19), "ends_at": when(10, hour=20)},
                      {"starts_at": when(10, hour=20), "ends_at": when(10, hour=21)}]}))
        o["slot_mine"], o["slot_free"] = (s["id"] for s in slots["items"])
        o["slot_free_start"], o["slot_free_end"] = when(10, hour=21), when(10, hour=22)
        # A second online fair whose slot any employer may book.
        online2 = await fair(kind="online", venue=None, channel=channel,
                             starts_at=when(11, hour=19), ends_at=when(11, hour=21))
        await ok(await org.post(f"/api/v1/fairs/{online2}/publish"))
        slots2 = await ok(await org.post(f"/api/v1/fairs/{online2}/slots", json={
            "slots": [{"starts_at": when(11, hour=19), "ends_at": when(11, hour=20)},
                      {"starts_at": when(11, hour=20), "ends_at": when(11, hour=21)}]}))
        o["slot_other"] = slots2["items"][0]["id"]

        # Employers: A (the owner) and B approved, two pending ones; A's things.
        serial = 7000
        a, b = await employers_with_tokens(2, start=serial)
        pending = await employers_with_tokens(2, start=serial + 2, approve=False)
        o["employer_a"], o["employer_pending"], o["employer_pending2"] = (
            a["id"], pending[0]["id"], pending[1]["id"])
        o["logins"] = {"employer": registration(serial)["username"],
                       "other_employer": registration(serial + 1)["username"]}
        emp = make_client(app)
        emp.headers["authorization"] = f"Bearer {a['token']}"
        async with emp:
            booking = await ok(await emp.post(f"/api/v1/fairs/{o['fair_up']}/bookings",
                                              json={"booth": "A01"}))
            o["booking"] = booking["id"]
            position = {"title": "数控操作工", "headcount": 3}
            o["position"] = (await ok(await emp.post(
                f"/api/v1/bookings/{o['booking']}/positions", json=position)))["id"]
            o["position2"] = (await ok(await emp.post(
                f"/api/v1/bookings/{o['booking']}/positions", json=position)))["id"]
            now_booking = await ok(await emp.post(f"/api/v1/fairs/{o['fair_now']}/bookings",
                                                  json={"booth": "C01"}))
            o["position_now"] = (await ok(await emp.post(
                f"/api/v1/bookings/{now_booking['id']}/positions", json=position)))["id"]
            sb = await ok(await emp.post(f"/api/v1/slots/{o['slot_mine']}/bookings",
                                         json={"topic": "直播带岗"}))
            o["slot_booking"] = sb["id"]
            feed = await ok(await emp.get("/api/v1/me/calendar"))
            o["feed"] = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
            # A's district is the world owner's (its organiser surveyed A); A's needs.
            await ok(await org.put(f"/api/v1/employers/{a['id']}/staff-count",
                                   json={"staff": 100}))
            o["need_until"] = when(30)[:10]
            for key in ("need", "need2", "need3", "need_pub", "need_copy"):
                o[key] = (await ok(await emp.post(f"/api/v1/employers/{a['id']}/needs", json={
                    "title": "电焊工", "headcount": 2, "valid_until": o["need_until"]})))["id"]
            await ok(await org.post(f"/api/v1/needs/{o['need_pub']}/publish"))
        # fair_now happens now: moved there by hand once its booths were booked.
        start = datetime.now(TZ) - timedelta(minutes=30)
        await db.execute("UPDATE fair SET starts_at = {}, ends_at = {} WHERE id = {}", start,
                         start + timedelta(hours=4), o["fair_now"])
        tickets = []
        for n in range(2):
            # The first job seeker gives a profile (issue 19): what the profile's rows read.
            profile = {"profile": {"industries": ["software"], "education": "bachelor",
                                   "job_types": [], "consent_contact": True}} if not n else {}
            made = await ok(await org.post(f"/api/v1/fairs/{o['fair_now']}/registrations",
                                           json={"name": "张三", "phone": phone(), **profile}))
            tickets.append(made["ticket"])
        o["code"], o["code2"] = (t["code"] for t in tickets)
        o["secret"], o["secret2"] = (t["secret"] for t in tickets)
        found = await db.fetch("SELECT id, phone_last4 FROM registration WHERE code = {}",
                               o["code"])
        o["registration"], o["last4"] = found[0]["id"], found[0]["phone_last4"]
        # A hiring intention of A at fair_now (the first ticket): its follow-up tasks.
        emp = make_client(app)
        emp.headers["authorization"] = f"Bearer {a['token']}"
        async with emp:
            made = await ok(await emp.post(f"/api/v1/fairs/{o['fair_now']}/intentions",
                                           json={"code": o["code"],
                                                 "position": o["position_now"]}))
        o["intention"] = made["id"]
        o["followup"] = (await db.fetch("SELECT MIN(id) AS id FROM followup_task "
                                        "WHERE intention = {}", made["id"]))[0]["id"]
        o["today"] = datetime.now(TZ).date().isoformat()
        o["phone"], o["phone2"], o["phone3"] = phone(), phone(), phone()
        o["uscc"] = make_uscc(serial + 50)
        o["lang"] = "en"
        o["self_token"] = checkin.self_token(app.state.settings.secret_key, o["fair_now"])[0]
        session = await ok(await org.post(f"/api/v1/fairs/{o['fair_online']}/online-sessions",
                                          json={"label": "第一场", "total_views": 100}))
        o["online_session"] = session["id"]
        start_on = datetime.now(TZ).date() + timedelta(days=40)
        plan = await ok(await org.post("/api/v1/plans", json={
            "title": "权限测试计划", "starts_on": start_on.isoformat(),
            "ends_on": (start_on + timedelta(days=60)).isoformat(),
            "targets": {"offline": 2}}))
        o["plan"] = plan["id"]
        o["plan_start"], o["plan_end"] = plan["starts_on"], plan["ends_on"]
        o["plan_fair_start"] = f"{start_on + timedelta(days=3)}T09:00:00+08:00"
        o["plan_fair_end"] = f"{start_on + timedelta(days=3)}T12:00:00+08:00"
        rows = await NoShow.insert(NoShow(employer=a["id"], fair=o["fair_up"], reason="absent",
                                          occurred_at=datetime.now(TZ))).returning(NoShow.id)
        o["no_show"] = rows[0]["id"]
        # A service the owner recorded for A, and the owner's login (an officer to assign).
        o["today"] = datetime.now(TZ).date().isoformat()
        service = await ok(await org.post(f"/api/v1/employers/{a['id']}/services", json={
            "kind": "visit", "on": o["today"], "topics": ["recruiting"]}))
        o["service"] = service["id"]
        o["owner_user"] = (await ok(await org.get("/api/v1/auth/me")))["id"]
        token = await ok(await org.post("/api/v1/auth/tokens", json={"name": "matrix-owner"}))
        o["token"] = token["id"]
        from fairs.notify import worker as notify_worker
        from fairs.notify.tables import WebhookEndpoint

        o["stop"] = notify_worker.stop_token(app.state.settings, o["registration"])
        hook = await WebhookEndpoint.insert(WebhookEndpoint(
            url="https://partner.example/matrix", events="fair.published",
            secret="whsec_" + "c2VjcmV0" * 4)).returning(WebhookEndpoint.id)
        o["webhook"] = hook[0]["id"]
        o["outbox_message"] = (await db.fetch("SELECT MIN(id) AS id FROM outbox_message"))[0]["id"]
    finally:
        await org.aclose()
    return o


async def client_for(app, role: str, world: dict):
    c = make_client(app)
    if role in ("anonymous", "attendee"):
        return c
    username = {"organiser": "organiser", "subarea": "gzk", "sibling": "jiaozhou",
                "scanner": "scanner", "admin": "admin"}.get(role) or world["logins"][role]
    password = DEMO_PASSWORDS.get(username, "employer-pass-1")
    return await c.login(username, password)


def _fill(value, world: dict, role: str):
    names = dict(world)
    if role == "anonymous":
        names.update(code="FORGEDCODE23456789AB", code2="FORGEDCODE23456789AC",
                     secret="forged-secret-forged-secret-0001",
                     secret2="forged-secret-forged-secret-0002",
                     feed="forged-feed-token")
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in names:
            return names[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(names[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _fill(v, world, role) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world, role) for v in value]
    return value


def _class(status: int) -> object:
    if 200 <= status < 400:
        return OK
    return status


async def _call(client, method: str, path: str, body) -> int:
    kw = {}
    if body is not None:
        kw["json" if path.startswith(("/api/", "/calendar/feeds")) else "data"] = body
    if path.endswith("/stream"):
        # The live stream never ends: an answer that has not come in half a second is open.
        try:
            response = await asyncio.wait_for(client.request(method, path, **kw), 0.5)
        except TimeoutError:
            return 200
        return response.status_code
    response = await client.request(method, path, **kw)
    if client.cookies.get("fairs_csrf"):  # as a page's script echoes the CSRF cookie
        client.headers["x-csrf-token"] = client.cookies["fairs_csrf"]
    if response.status_code >= 400 and path.startswith("/api/"):
        assert response.headers["content-type"].startswith("application/problem+json")
    return response.status_code


TABLES = {"api": API + SESSION, "pages": PAGES + SESSION}
# Each role in the world of xha (a district); the scope roles again in the world of gzk (one of
# xha's sub-areas): own organisation, subtree (xha over gzk's objects) and sibling district.
RUNS = [("xha", role) for role in ROLES] + [("gzk", role) for role in SCOPE_ROLES]


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(("owner", "role"), RUNS)
async def test_permission_matrix(app, migrated, owner, role, table):
    await clean_database()
    world = await build_world(app, owner)
    client = await client_for(app, role, world)
    wrong = []
    try:
        for method, template, body, expected in TABLES[table]:
            path = _fill(template, world, role)
            status = await _call(client, method, path, _fill(body, world, role))
            wanted = want(expected, role, owner)
            if status >= 500:
                wrong.append(f"{method} {template}: {status} (a server error)")
            elif wanted == ANY:
                if status in (401, 403):
                    wrong.append(f"{method} {template}: {status}, expected not refused")
            elif _class(status) != wanted:
                wrong.append(f"{method} {template}: {status}, expected {wanted}")
    finally:
        await client.aclose()
    assert not wrong, f"{role} in {owner}'s world:\n  " + "\n  ".join(wrong)
