"""Needs (用工需求): an employer (or an organiser for it) states them; the organisers of the
organisation a need is filed with review them (publish or reject); the employer or those
organisers change or withdraw them.

The lifecycle: draft -> published (an organiser) or rejected (an organiser, with a reason);
draft, published or rejected -> withdrawn (final). The employer changing a published or rejected
need sends it back to draft (it is reviewed again; a published one leaves the catalogue until
then); an organiser's change keeps the status. Every change of status is one UPDATE guarded by
the status it starts from, so two organisers publishing at once, or a publish racing a
withdrawal, end in one answer each and no lost change (the other gets a 409).

A need's fields are checked by the same rule as a fair's positions (fairs.employers.fields),
plus its own: skills (a text), skilled (技能型), valid until (today up to a year ahead).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fairs import bounds, clock, db, pay
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.employers.fields import job_fields
from fairs.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from fairs.i18n import N_

from . import workforce
from .tables import STATUSES

NEED_FIELDS = ("title", "headcount", "job_type", "education", "pay_unit", "salary_min",
               "salary_max")
MAX_SKILLS = 2000
MAX_VALID_DAYS = 366  # a need is listed for a year at most; stated again to stay listed
EDITABLE = ("draft", "published", "rejected")

COLUMNS = (
    "n.id, n.employer, e.name AS employer_name, n.industry, e.status AS employer_status, "
    "o.code AS org, o.name_zh AS org_name_zh, o.name_en AS org_name_en, o.path AS org_path, "
    "n.title, n.headcount, n.education, n.skills, n.skilled, n.salary_min, n.salary_max, "
    "n.pay_unit, n.job_type, n.valid_until, n.status, n.reject_reason, n.created_at, "
    "n.updated_at, n.published_at")
FROM = ("FROM need n JOIN employer e ON e.id = n.employer "
        "JOIN organisation o ON o.id = n.org")


# --- values -----------------------------------------------------------------------------------


def as_date(value: Any) -> date | None:
    """A DATE column's value from a raw row (SQLite gives its text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def row_out(row: dict) -> dict:
    """A need's row with Python values (dates, times, booleans) on both engines."""
    out = dict(row)
    out["valid_until"] = as_date(out["valid_until"])
    out["skilled"] = bool(out["skilled"])
    for key in ("created_at", "updated_at", "published_at"):
        if key in out:
            out[key] = db.as_datetime(out[key])
    return out


def check_valid_until(value: Any, today: date | None = None) -> date:
    """The last day a need is listed: a date from today to a year ahead (422 naming it)."""
    if isinstance(value, str):
        value = bounds.parse_date(value, "valid_until")
    if not isinstance(value, date):
        raise Invalid("valid_until", N_("required"), code="required")
    bounds.check_date(value, "valid_until")
    today = today or clock.today_local()
    if value < today:
        raise Invalid("valid_until", N_("not a day already past"), code="in_the_past")
    if value > today + timedelta(days=MAX_VALID_DAYS):
        raise Invalid("valid_until", N_("at most {n} days ahead"), code="too_far",
                      params={"n": MAX_VALID_DAYS})
    return value


def need_values(data: dict, partial: bool = False) -> dict:
    """The checked values of a need (with `partial`, of the fields given): the position rule
    for title, headcount, job type, education and pay; then skills, skilled and valid until."""
    out = job_fields(data, partial, NEED_FIELDS)

    def given(key: str) -> bool:
        return key in data and data[key] is not None

    if given("skills") or not partial:
        out["skills"] = bounds.check_text(data.get("skills"), "skills", MAX_SKILLS)
    if given("skilled") or not partial:
        skilled = data.get("skilled") or False
        if not isinstance(skilled, bool):
            raise Invalid("skilled", N_("true or false"), code="type")
        out["skilled"] = skilled
    if given("valid_until") or not partial:
        out["valid_until"] = check_valid_until(data.get("valid_until"))
    return out


# --- reading ----------------------------------------------------------------------------------


async def _row(need_id: int) -> dict:
    rows = await db.fetch(f"SELECT {COLUMNS} {FROM} WHERE n.id = {{}}", need_id)
    if not rows:
        raise NotFound(N_("no such need"), code="unknown_need")
    return row_out(rows[0])


def is_listed(row: dict, today: date | None = None) -> bool:
    """In the public catalogue: published and not expired (valid until today or later, China
    time). Only an approved employer's needs are published, and an employer whose approval is
    withdrawn has its published needs withdrawn (`employer_rejected`). (fairs.demand.catalogue
    says the same in SQL.)"""
    return row["status"] == "published" and row["valid_until"] >= (today or clock.today_local())


async def manages(principal: Principal | None, row: dict) -> bool:
    """Whether the caller may change the need: its employer's staff, an admin, or an organiser
    whose subtree holds the organisation the need is filed with."""
    if principal is None:
        return False
    if principal.role == "employer":
        return await workforce.own_employer(principal) == row["employer"]
    return principal.is_organiser and accounts.in_subtree(principal, row["org_path"])


async def managed_need(principal: Principal | None, need_id: int) -> dict:
    row = await _row(need_id)
    if not await manages(principal, row):
        if principal is not None and principal.role == "employer":
            raise Forbidden(N_("this need belongs to another company"), code="other_company")
        raise Forbidden(N_("This need is filed with another organisation."),
                        code="other_organisation")
    return row


async def get_need(principal: Principal | None, need_id: int) -> dict:
    """A need: anyone reads a listed one; otherwise its employer's staff and the organisers
    over it (404 for anyone else, as if it did not exist)."""
    row = await _row(need_id)
    if is_listed(row) or await manages(principal, row):
        return row
    raise NotFound(N_("no such need"), code="unknown_need")


async def employer_needs(principal: Principal, employer_id: int, status: str | None = None,
                         limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """An employer's needs, newest first: for its staff all of them; for an organiser those
    filed within its subtree."""
    await workforce.check_acts_for(principal, employer_id)
    where, args = "n.employer = {}", [employer_id]
    if status:
        where, args = _status(where, args, status)
    if principal.is_organiser and not principal.is_admin:
        where += " AND substr(o.path, 1, {}) = {}"
        args += [len(principal.org_path or ""), principal.org_path or "\0"]
    return await _page(where, args, "n.id DESC", limit, offset)


def _status(where: str, args: list, status: str) -> tuple[str, list]:
    if status not in STATUSES:
        raise Invalid("status", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(STATUSES)})
    return where + " AND n.status = {}", [*args, status]


async def _page(where: str, args: list, order: str, limit: int,
                offset: int) -> tuple[list[dict], int]:
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})
    total = (await db.fetch(f"SELECT COUNT(*) AS n {FROM} WHERE {where}", *args))[0]["n"]
    rows = await db.fetch(f"SELECT {COLUMNS} {FROM} WHERE {where} ORDER BY {order} "
                          f"LIMIT {int(limit)} OFFSET {int(offset)}", *args)
    return [row_out(r) for r in rows], int(total)


async def review_queue(principal: Principal, status: str | None = "draft",
                       org: str | None = None, limit: int = 100,
                       offset: int = 0) -> tuple[list[dict], int]:
    """The needs filed within the organiser's subtree (or `org`'s, within it), by status
    (drafts by default: what waits for review), oldest first."""
    if not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")
    path = "" if principal.is_admin else (principal.org_path or "\0")
    if org:
        found = await workforce.known_org(org)
        if not accounts.in_subtree(principal, found["path"]):
            raise Forbidden(N_("This organisation is outside yours."),
                            code="other_organisation")
        path = found["path"]
    where, args = "substr(o.path, 1, {}) = {}", [len(path), path]
    if status:
        where, args = _status(where, args, status)
    return await _page(where, args, "n.created_at, n.id", limit, offset)


# --- writing ----------------------------------------------------------------------------------


async def create_need(principal: Principal, employer_id: int, data: dict) -> dict:
    """A draft need of the employer, filed with `data["org"]` or the employer's district (see
    fairs.demand.workforce.org_for). -> the need."""
    await workforce.check_acts_for(principal, employer_id)
    values = need_values(data)
    org = await workforce.org_for(principal, data.get("org"), employer_id)
    at = clock.now()
    async with db.write_transaction():
        rows = await db.write(
            "INSERT INTO need (employer, org, industry, title, headcount, education, skills, "
            "skilled, salary_min, salary_max, pay_unit, job_type, valid_until, status, "
            "reject_reason, created_by, created_at, updated_at) SELECT {}, {}, e.industry, {}, "
            "{}, {}, {}, {}, {}, {}, {}, {}, {}, 'draft', '', {}, {}, {} FROM employer e "
            "WHERE e.id = {} RETURNING id",
            employer_id, org["id"], values["title"], values["headcount"], values["education"],
            values["skills"], values["skilled"], values["salary_min"], values["salary_max"],
            values["pay_unit"], values["job_type"], values["valid_until"], principal.id, at,
            at, employer_id)
        await _monthly_pay(rows[0]["id"])
    return await _row(rows[0]["id"])


async def _monthly_pay(need_id: int) -> None:
    """The need's offered pay a month, from its pay fields, by fairs.pay's rule (in SQL, as the
    wage levels rank it): in the transaction that writes the fields."""
    await db.write(
        f"UPDATE need SET monthly_pay = "
        f"{pay.offered_monthly_sql('salary_min', 'salary_max', 'pay_unit')} WHERE id = {{}}",
        need_id)


def _changed_meanwhile() -> Conflict:
    message = N_("This need was changed meanwhile; reload it and try again.")
    return Conflict(message, code="changed_meanwhile",
                    errors=[FieldError("status", message, code="changed_meanwhile")])


async def update_need(principal: Principal, need_id: int, changes: dict) -> dict:
    """Change the fields given (the others stay); checked as a whole. A withdrawn need is not
    changed (409). The employer's change of a published or rejected need makes it a draft."""
    row = await managed_need(principal, need_id)
    if row["status"] not in EDITABLE:
        raise Conflict(N_("A withdrawn need cannot be changed."), code="need_withdrawn")
    given = {k: v for k, v in changes.items() if v is not None}
    # Checked as a whole (the pay range with its unit); an old last day stays as it is and is
    # checked only when changed.
    merged = {**{k: row[k] for k in (*NEED_FIELDS, "skills", "skilled")},
              **{k: v for k, v in given.items() if k != "valid_until"}}
    values = need_values(merged, partial=True)
    if "valid_until" in given:
        values["valid_until"] = check_valid_until(given["valid_until"])
    status = row["status"]
    back_to_draft = principal.role == "employer" and status in ("published", "rejected")
    sets = [f"{k} = {{}}" for k in values] + ["updated_at = {}"]
    args: list = [*values.values(), clock.now()]
    if back_to_draft:
        sets += ["status = 'draft'", "published_at = NULL"]
    async with db.write_transaction():
        rows = await db.write(
            f"UPDATE need SET {', '.join(sets)} WHERE id = {{}} AND status = {{}} RETURNING id",
            *args, need_id, status)
        if not rows:
            raise _changed_meanwhile()
        await _monthly_pay(need_id)
    return await _row(need_id)


async def _transition(need_id: int, to: str, allowed: tuple[str, ...], sets: str,
                      *args: Any) -> bool:
    marks = ", ".join(f"'{s}'" for s in allowed)
    rows = await db.write(
        f"UPDATE need SET status = '{to}', {sets} WHERE id = {{}} AND status IN ({marks}) "
        "RETURNING id", *args, need_id)
    return bool(rows)


def _organiser(principal: Principal) -> None:
    if not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")


async def publish_need(principal: Principal, need_id: int) -> dict:
    """An organiser over the need publishes it (a draft or a rejected one): it is listed in the
    catalogue until its last day. 409 when it is already published or withdrawn, expired, or
    its employer is not approved."""
    _organiser(principal)
    row = await managed_need(principal, need_id)
    if row["status"] == "published":
        return row
    if row["status"] == "withdrawn":
        raise Conflict(N_("A withdrawn need cannot be published."), code="need_withdrawn")
    if row["valid_until"] < clock.today_local():
        raise Conflict(N_("This need has expired: change its last day first."),
                       code="need_expired")
    if row["employer_status"] != "approved":
        raise Conflict(N_("Only an approved employer's needs are published."),
                       code="not_approved")
    at = clock.now()
    if not await _transition(need_id, "published", ("draft", "rejected"),
                             "published_at = {}, reviewed_by = {}, reviewed_at = {}, "
                             "reject_reason = '', updated_at = {}", at, principal.id, at, at):
        raise _changed_meanwhile()
    return await _row(need_id)


async def reject_need(principal: Principal, need_id: int, reason: str) -> dict:
    """An organiser over the need rejects it (a draft, or takes a published one down), saying
    why; the employer changes it and it is reviewed again."""
    _organiser(principal)
    row = await managed_need(principal, need_id)
    reason = bounds.check_text(reason, "reason", 2000, required=True)
    if row["status"] == "withdrawn":
        raise Conflict(N_("A withdrawn need cannot be changed."), code="need_withdrawn")
    at = clock.now()
    if not await _transition(need_id, "rejected", ("draft", "published", "rejected"),
                             "reject_reason = {}, published_at = NULL, reviewed_by = {}, "
                             "reviewed_at = {}, updated_at = {}", reason, principal.id, at, at):
        raise _changed_meanwhile()
    return await _row(need_id)


async def withdraw_need(principal: Principal, need_id: int) -> dict:
    """Its employer or an organiser over it withdraws the need (final; again: no change)."""
    row = await managed_need(principal, need_id)
    if row["status"] == "withdrawn":
        return row
    at = clock.now()
    if not await _transition(need_id, "withdrawn", EDITABLE,
                             "withdrawn_at = {}, updated_at = {}", at, at):
        raise _changed_meanwhile()
    return await _row(need_id)


async def employer_rejected(employer_id: int) -> None:
    """An employer's approval was withdrawn (in the decision's transaction): its published needs
    leave the catalogue, withdrawn now (they still count in the months they were listed)."""
    at = clock.now()
    await db.write("UPDATE need SET status = 'withdrawn', withdrawn_at = {}, updated_at = {} "
                   "WHERE employer = {} AND status = 'published'", at, at, employer_id)
