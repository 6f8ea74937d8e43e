"""Follow-up (跟踪回访): the organisers' call list of hiring intentions, the outcome of each call,
the job seeker's number shown on a click (audited), and an employer's confirmation of a hire.

Every intention has three tasks, due 7, 30 and 90 days after it (fairs.followup.tasks). An
organiser sees and works the tasks of the fairs of its organisation's subtree (an admin all of
them); an employer confirms hires of its own intentions only.

The outcome of a call is one rule, `_apply()`, whoever records it (an organiser on a task, or
the employer confirming a hire on the intention's current task):
- outcomes: hired (needs a start date; the employer and the position are the intention's),
  in_process, declined, unreachable;
- the task becomes "done"; earlier tasks still open are closed (a later call superseded them);
- a final outcome (hired, declined) closes the later open tasks; in_process and unreachable
  keep them open; correcting a final outcome to another one reopens the later tasks it closed;
- only an open task, or the intention's latest answered one (a correction), takes an outcome;
- every change is audited (followup.outcome), in the same transaction.

A hire (fairs.measures: `hires`) is an intention one of whose tasks says hired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fairs import clock, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.audit import services as audit
from fairs.bounds import check_date, check_text
from fairs.catalog import services as catalog
from fairs.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from fairs.i18n import N_, TZ
from fairs.phones import mask_phone
from fairs.tickets.retention import is_erased
from fairs.tickets.services import mask_name

from . import tasks
from .tables import OUTCOMES, STATUSES

FINAL = ("hired", "declined")
GRADUATES = "graduates"  # the catalogue's audience code of college graduates (高校毕业生)
NOTES_MAX = 2000
MAX_LIST = 500
HIRE_AHEAD_DAYS = 366  # a start date at most a year from today


@dataclass(frozen=True)
class FollowupFilter:
    """What the call list is narrowed to (the organisation scope comes from the login)."""

    due_before: date | None = None  # due strictly before this day
    status: str | None = None
    fair: int | None = None
    audience: str | None = None  # a job seeker's declared target group


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _scope(principal: Principal | None) -> str:
    """The organisation path whose fairs' tasks `principal` may see ("" for an admin)."""
    if principal is None or not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")
    if principal.is_admin:
        return ""
    if not principal.org_path:
        raise Forbidden(N_("Your account belongs to no organisation."), code="no_organisation")
    return principal.org_path


_FROM = (
    " FROM followup_task t JOIN fair f ON f.id = t.fair JOIN organisation o ON o.id = f.org"
    " JOIN intention i ON i.id = t.intention JOIN employer e ON e.id = i.employer"
    " JOIN job_position p ON p.id = i.position JOIN registration r ON r.id = i.registration")
_COLUMNS = (
    "SELECT t.id, t.intention, t.fair, t.step, t.due_on, t.status, t.outcome, t.started_on, "
    "t.notes, t.done_at, f.title AS fair_title, f.starts_at AS fair_starts_at, "
    "o.path AS org_path, i.employer, e.name AS employer_name, i.position, "
    "p.title AS position_title, i.created_at AS intended_at, r.name, r.phone, r.audiences")


def _audience_match(alias: str = "r") -> str:
    """A registration (alias) that declared the audience (one placeholder: its code)."""
    return f"(',' || {alias}.audiences || ',') LIKE '%,' || {{}} || ',%'"


def _item(row: dict, today: date) -> dict:
    """A task as lists and the API show it: the job seeker's name and number masked."""
    audiences = [a for a in (row["audiences"] or "").split(",") if a]
    due_on = _day(row["due_on"])
    phone = row["phone"] or ""
    return {
        "id": row["id"], "intention": row["intention"], "step": row["step"],
        "days": tasks.STEPS.get(row["step"]), "due_on": due_on, "status": row["status"],
        "overdue": row["status"] == "open" and due_on < today,
        "outcome": row["outcome"], "started_on": _day(row["started_on"]),
        "notes": row["notes"] or "", "done_at": db.as_datetime(row["done_at"]),
        "fair": row["fair"], "fair_title": row["fair_title"],
        "fair_starts_at": db.as_datetime(row["fair_starts_at"]),
        "employer": row["employer"], "employer_name": row["employer_name"],
        "position": row["position"], "position_title": row["position_title"],
        "intended_at": db.as_datetime(row["intended_at"]),
        "name": mask_name(row["name"] or ""),
        "phone": "" if is_erased(phone) else mask_phone(phone),
        "erased": is_erased(phone),
        "audiences": audiences, "graduate": GRADUATES in audiences,
        "org_path": row["org_path"],
    }


async def _check_filter(principal: Principal, path: str, flt: FollowupFilter) -> None:
    if flt.status is not None and flt.status not in STATUSES:
        raise Invalid("status", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": STATUSES})
    if flt.audience:
        await catalog.check_audiences([flt.audience], "audience")
    check_date(flt.due_before, "due_before")
    if flt.fair is not None:
        rows = await db.fetch("SELECT o.path FROM fair f JOIN organisation o ON o.id = f.org "
                              "WHERE f.id = {}", flt.fair)
        if not rows:
            raise Invalid("fair", N_("no such fair"), code="unknown_fair")
        if not rows[0]["path"].startswith(path):
            raise Forbidden(N_("This fair belongs to another organisation."),
                            code="other_organisation")


def _where(path: str, flt: FollowupFilter, *, status: bool = True) -> tuple[str, list]:
    where = ["f.org IN (SELECT x.id FROM organisation x WHERE x.path LIKE {})"]
    args: list[Any] = [f"{path}%"]
    if flt.due_before is not None:
        where.append("t.due_on < {}")
        args.append(flt.due_before)
    if status and flt.status:
        where.append("t.status = {}")
        args.append(flt.status)
    if flt.fair is not None:
        where.append("t.fair = {}")
        args.append(flt.fair)
    if flt.audience:
        where.append(_audience_match())
        args.append(flt.audience)
    return " WHERE " + " AND ".join(where), args


async def listing(principal: Principal | None, flt: FollowupFilter, limit: int = 100,
                  offset: int = 0) -> dict:
    """The call list (回访台账): open overdue tasks first, then by due date. -> {"items",
    "total", "counts": {"open", "overdue", "done", "closed"}} (counts ignore the status
    filter)."""
    path = _scope(principal)
    if not 1 <= limit <= MAX_LIST:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": MAX_LIST})
    if not 0 <= offset <= 2**31 - 1:
        raise Invalid("offset", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 0, "hi": 2**31 - 1})
    await _check_filter(principal, path, flt)
    today = clock.today_local()
    where, args = _where(path, flt)
    rows = await db.fetch(
        _COLUMNS + _FROM + where + " ORDER BY CASE WHEN t.status = 'open' AND t.due_on < {} "
        f"THEN 0 ELSE 1 END, t.due_on, t.id LIMIT {int(limit)} OFFSET {int(offset)}",
        *args, today)
    all_where, all_args = _where(path, flt, status=False)
    found = await db.fetch(
        "SELECT COUNT(*) AS n, "
        "SUM(CASE WHEN t.status = 'open' THEN 1 ELSE 0 END) AS open, "
        "SUM(CASE WHEN t.status = 'open' AND t.due_on < {} THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) AS done, "
        "SUM(CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END) AS closed "
        + _FROM + all_where, today, *all_args)
    counts = {k: int(found[0][k] or 0) for k in ("open", "overdue", "done", "closed")}
    total = (counts[flt.status] if flt.status else int(found[0]["n"] or 0))
    return {"items": [_item(r, today) for r in rows], "total": total, "counts": counts}


async def fairs_with_followups(principal: Principal | None, limit: int = 200) -> list[dict]:
    """The fairs of the caller's subtree that have follow-up tasks, latest first (the call
    list's filter)."""
    path = _scope(principal)
    rows = await db.fetch(
        "SELECT f.id, f.title, f.starts_at FROM fair f WHERE f.org IN (SELECT x.id FROM "
        "organisation x WHERE x.path LIKE {}) AND EXISTS (SELECT 1 FROM followup_task t "
        f"WHERE t.fair = f.id) ORDER BY f.starts_at DESC, f.id LIMIT {int(limit)}", f"{path}%")
    return [{**r, "starts_at": db.as_datetime(r["starts_at"])} for r in rows]


async def _row(task_id: int) -> dict:
    rows = await db.fetch(_COLUMNS + _FROM + " WHERE t.id = {}", task_id)
    if not rows:
        raise NotFound(N_("no such follow-up"), code="unknown_followup")
    return dict(rows[0])


def _check_over(principal: Principal | None, row: dict) -> None:
    _scope(principal)
    if not accounts.in_subtree(principal, row["org_path"]):
        raise Forbidden(N_("This fair belongs to another organisation."),
                        code="other_organisation")


async def _siblings(intention_id: int) -> list[dict]:
    rows = await db.fetch(
        "SELECT id, step, due_on, status, outcome, started_on, done_at FROM followup_task "
        "WHERE intention = {} ORDER BY step", intention_id)
    return [{**r, "due_on": _day(r["due_on"]), "started_on": _day(r["started_on"]),
             "done_at": db.as_datetime(r["done_at"]), "days": tasks.STEPS.get(r["step"])}
            for r in rows]


async def get_task(principal: Principal | None, task_id: int) -> dict:
    """One task (its intention's other tasks in `steps`), for an organiser over its fair."""
    row = await _row(task_id)
    _check_over(principal, row)
    item = _item(row, clock.today_local())
    item["steps"] = await _siblings(row["intention"])
    return item


async def reveal(principal: Principal | None, task_id: int) -> dict:
    """The job seeker's full name and number, for the organiser about to call: each look is
    recorded in the audit log (followup.phone). The number of an erased registration is gone:
    None."""
    row = await _row(task_id)
    _check_over(principal, row)
    async with db.write_transaction():
        await audit.record(principal, "followup.phone", "followup", task_id,
                           after={"intention": row["intention"]},
                           org_path=row["org_path"])
    phone = row["phone"] or ""
    if is_erased(phone):
        return {"id": task_id, "name": "", "phone": None, "national": None}
    national = phone[3:] if phone.startswith("+86") else phone
    return {"id": task_id, "name": row["name"] or "", "phone": phone, "national": national}


# --- the outcome: one rule ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    outcome: str
    started_on: date | None = None
    notes: str | None = None


def check_outcome(outcome: str | None, started_on: date | None, notes: str | None) -> Outcome:
    """The outcome as given, checked (a service's own bounds, whoever calls it)."""
    if outcome not in OUTCOMES:
        raise Invalid("outcome", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": OUTCOMES})
    check_date(started_on, "started_on")
    if outcome == "hired":
        if started_on is None:
            raise Invalid("started_on", N_("a hire needs its start date"), code="required")
        if started_on > clock.today_local() + timedelta(days=HIRE_AHEAD_DAYS):
            raise Invalid("started_on", N_("at most a year from today"), code="out_of_range")
    elif started_on is not None:
        raise Invalid("started_on", N_("only a hire has a start date"), code="only_hired")
    text = check_text(notes, "notes", NOTES_MAX) or None
    return Outcome(outcome, started_on, text)


def _state(task: dict) -> dict:
    return {"status": task["status"], "outcome": task["outcome"],
            "started_on": _day(task["started_on"])}


async def _apply(principal: Principal, intention: dict, task_id: int, given: Outcome) -> bool:
    """The rule (module docstring), inside the caller's write transaction, the intention's row
    locked: -> whether anything changed."""
    steps = await db.fetch(
        "SELECT id, step, status, outcome, started_on, notes FROM followup_task "
        "WHERE intention = {} ORDER BY step", intention["id"])
    task = next(s for s in steps if s["id"] == task_id)
    if given.started_on is not None and given.started_on < intention["day"]:
        raise Invalid("started_on", N_("must not be before the intention ({day})"),
                      code="before_intention", params={"day": intention["day"].isoformat()})
    if task["status"] == "closed":
        message = N_("This follow-up is closed: the intention's outcome was recorded at "
                     "another step.")
        raise Conflict(message, code="followup_closed",
                       errors=[FieldError("outcome", message, code="followup_closed")])
    if task["status"] == "done" and any(s["step"] > task["step"] and s["status"] == "done"
                                        for s in steps):
        message = N_("A later follow-up of this intention has an outcome: change that one.")
        raise Conflict(message, code="not_latest",
                       errors=[FieldError("outcome", message, code="not_latest")])
    if (task["status"] == "done" and task["outcome"] == given.outcome
            and _day(task["started_on"]) == given.started_on
            and (task["notes"] or None) == given.notes):
        return False
    at = clock.now()
    await db.execute(
        "UPDATE followup_task SET status = 'done', outcome = {}, started_on = {}, notes = {}, "
        "done_at = {}, done_by = {} WHERE id = {}", given.outcome, given.started_on,
        given.notes, at, principal.id, task_id)
    await db.execute("UPDATE followup_task SET status = 'closed' WHERE intention = {} "
                     "AND step < {} AND status = 'open'", intention["id"], task["step"])
    if given.outcome in FINAL:
        await db.execute("UPDATE followup_task SET status = 'closed' WHERE intention = {} "
                         "AND step > {} AND status = 'open'", intention["id"], task["step"])
    elif task["outcome"] in FINAL:
        await db.execute("UPDATE followup_task SET status = 'open' WHERE intention = {} "
                         "AND step > {} AND status = 'closed'", intention["id"], task["step"])
    after = {"status": "done", "outcome": given.outcome, "started_on": given.started_on,
             "intention": intention["id"]}
    await audit.record(principal, "followup.outcome", "followup", task_id,
                       before=_state(task), after=after, org_path=intention["org_path"])
    return True


async def _intention(intention_id: int) -> dict:
    rows = await db.fetch(
        "SELECT i.id, i.fair, i.employer, i.created_at, o.path AS org_path FROM intention i "
        "JOIN fair f ON f.id = i.fair JOIN organisation o ON o.id = f.org WHERE i.id = {}",
        intention_id)
    if not rows:
        raise NotFound(N_("no such intention"), code="unknown_intention")
    row = dict(rows[0])
    row["day"] = db.as_datetime(row["created_at"]).astimezone(TZ).date()
    return row


async def record_outcome(principal: Principal | None, task_id: int, outcome: str | None,
                         started_on: date | None = None, notes: str | None = None) -> dict:
    """An organiser over the fair records the outcome of a call (POST /api/v1/followups/{id})."""
    row = await _row(task_id)
    _check_over(principal, row)
    given = check_outcome(outcome, started_on, notes)
    intention = await _intention(row["intention"])
    async with db.write_transaction():
        await db.dialect.lock_row("intention", intention["id"])
        await _apply(principal, intention, task_id, given)
    return await get_task(principal, task_id)


async def _employer_id(principal: Principal | None) -> int:
    from fairs.employers import services as employers

    return (await employers.employer_for(principal))["id"]


async def confirm_hire(principal: Principal | None, intention_id: int, started_on: date | None,
                       notes: str | None = None) -> dict:
    """The employer that recorded an intention confirms the hire from its side: the outcome
    hired on the intention's current task (its first open one, else its latest answered one:
    a correction), by the same rule as an organiser's call. -> the intention's follow-up."""
    employer_id = await _employer_id(principal)
    intention = await _intention(intention_id)
    if intention["employer"] != employer_id:
        raise Forbidden(N_("This intention is another company's."), code="other_employer")
    given = check_outcome("hired", started_on, notes)
    async with db.write_transaction():
        await db.dialect.lock_row("intention", intention_id)
        await tasks.ensure(intention_id)
        steps = await db.fetch("SELECT id, step, status FROM followup_task "
                               "WHERE intention = {} ORDER BY step", intention_id)
        current = (next((s for s in steps if s["status"] == "open"), None)
                   or next((s for s in reversed(steps) if s["status"] == "done"), None))
        if current is None:  # every task closed: cannot happen by the rule; said plainly
            raise Conflict(N_("This intention has no follow-up to record."),
                           code="followup_closed")
        await _apply(principal, intention, current["id"], given)
    return (await employer_intentions(principal, intention=intention_id))["items"][0]


# --- the employer's side -------------------------------------------------------------------


async def employer_intentions(principal: Principal | None, limit: int = 100, offset: int = 0,
                              *, intention: int | None = None) -> dict:
    """The employer's own intentions with their follow-up: the outcome of the latest answered
    call (None: not yet), the start date of a hire; job seekers' names masked."""
    employer_id = await _employer_id(principal)
    if not 1 <= limit <= MAX_LIST:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": MAX_LIST})
    where, args = "i.employer = {}", [employer_id]
    if intention is not None:
        where += " AND i.id = {}"
        args.append(intention)
    total = (await db.fetch(f"SELECT COUNT(*) AS n FROM intention i WHERE {where}",
                            *args))[0]["n"]
    rows = await db.fetch(
        "SELECT i.id, i.fair, f.title AS fair_title, f.starts_at AS fair_starts_at, i.position, "
        "p.title AS position_title, i.created_at, r.name, "
        "(SELECT t.outcome FROM followup_task t WHERE t.intention = i.id AND t.status = 'done' "
        " ORDER BY t.step DESC LIMIT 1) AS outcome, "
        "(SELECT t.started_on FROM followup_task t WHERE t.intention = i.id "
        " AND t.outcome = 'hired' ORDER BY t.step DESC LIMIT 1) AS started_on "
        "FROM intention i JOIN fair f ON f.id = i.fair JOIN job_position p ON p.id = i.position "
        f"JOIN registration r ON r.id = i.registration WHERE {where} "
        f"ORDER BY i.created_at DESC, i.id DESC LIMIT {int(limit)} OFFSET {int(max(offset, 0))}",
        *args)
    items = [{"id": r["id"], "fair": r["fair"], "fair_title": r["fair_title"],
              "fair_starts_at": db.as_datetime(r["fair_starts_at"]), "position": r["position"],
              "position_title": r["position_title"],
              "created_at": db.as_datetime(r["created_at"]), "name": mask_name(r["name"] or ""),
              "outcome": r["outcome"], "started_on": _day(r["started_on"]),
              "hired": r["outcome"] == "hired"} for r in rows]
    return {"items": items, "total": int(total)}
