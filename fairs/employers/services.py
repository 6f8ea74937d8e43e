"""Employers: self-registration, staff accounts, approval and rejection.

Rules: the 统一社会信用代码 (USCC) passes its check digit (python-stdnum) and is registered once
(409); the contact phone is a mainland mobile number (phonenumbers), stored as E.164 and shown
masked; an organiser approves or rejects (with a reason); only approved employers book: the
rule is `may_book()` here, which booking (fairs.booths) and guest slots ask. The slice's other
sub-capabilities: positions (fairs.employers.positions) and the no-show ledger with the
city-wide booking rules (fairs.employers.ledger).
"""

from __future__ import annotations

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from fairs import clock, db, hooks
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.audit import services as audit
from fairs.catalog import services as catalog
from fairs.emails import check_email
from fairs.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from fairs.i18n import N_
from fairs.phones import check_mobile, mask_phone
from fairs.ratelimit import address_subject

from .tables import STATUSES, Employer, EmployerMember

now = clock.now  # the one clock (tests set it)


# --- pure checks ----------------------------------------------------------------------------


def check_uscc(value: str) -> str:
    """The normalised USCC, or Invalid("uscc") when its form or check digit is wrong."""
    try:
        return stdnum_uscc.validate(value or "")
    except ValidationError as exc:
        raise Invalid("uscc", N_("not a valid unified social credit code (check digit)"),
                      code="invalid_uscc") from exc


def _text(value: str, field: str, max_len: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(field, N_("required"), code="required")
    if len(value) > max_len:
        raise Invalid(field, N_("at most {n} characters"), code="too_long", params={"n": max_len})
    return value


# --- reading --------------------------------------------------------------------------------


def public(row: dict) -> dict:
    """An employer as lists show it: the phone masked."""
    return {
        "id": row["id"], "name": row["name"], "uscc": row["uscc"], "industry": row["industry"],
        "contact_name": row["contact_name"], "contact_phone": mask_phone(row["contact_phone"]),
        "status": row["status"], "reject_reason": row["reject_reason"],
        "created_at": row["created_at"], "decided_at": row["decided_at"],
    }


async def get_employer(employer_id: int) -> dict:
    row = await Employer.select().where(Employer.id == employer_id).first()
    if row is None:
        raise NotFound(N_("no such employer"), code="unknown_employer")
    return row


async def employer_id_of(user_id: int) -> int | None:
    row = await EmployerMember.select(EmployerMember.employer).where(
        EmployerMember.user == user_id).first()
    return row["employer"] if row else None


async def employer_for(principal: Principal | None) -> dict:
    """The caller's employer (403 for anyone who is not an employer's staff)."""
    if principal is None or principal.role != "employer":
        raise Forbidden(N_("employers only"), code="employers_only")
    employer_id = await employer_id_of(principal.id)
    if employer_id is None:
        raise Forbidden(N_("this account belongs to no employer"), code="not_an_employer")
    return await get_employer(employer_id)


def may_book(status: str) -> bool:
    """The rule, in one place: only approved employers book (booths and guest slots)."""
    return status == "approved"


def check_may_book(status: str) -> None:
    """403 unless an employer with this status may book (`may_book`)."""
    if not may_book(status):
        if status == "rejected":
            message = N_("Your company's registration was rejected, so it cannot book booths or "
                         "guest slots; contact the employment bureau.")
        else:
            message = N_("Your company is waiting for the employment bureau's approval and "
                         "cannot book booths or guest slots yet.")
        # API.md (Revision 2) names the code `not_approved`; the status says which case.
        raise Forbidden(message, code="not_approved", extra={"employer_status": status})


async def approved_employer_for(principal: Principal | None) -> dict:
    """The caller's employer, if it may book (403 otherwise)."""
    employer = await employer_for(principal)
    check_may_book(employer["status"])
    return employer


async def can_view(principal: Principal | None, employer_id: int) -> bool:
    if principal is None:
        return False
    if principal.is_organiser:
        return True
    return principal.role == "employer" and await employer_id_of(principal.id) == employer_id


async def list_employers(status: str | None = None, q: str | None = None, limit: int = 100,
                         offset: int = 0) -> tuple[list[dict], int]:
    if status and status not in STATUSES:
        raise Invalid("status", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(STATUSES)})
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})

    def where(query):
        if status:
            query = query.where(Employer.status == status)
        if q and q.strip():
            query = query.where(Employer.name.ilike(f"%{q.strip()}%")
                                | Employer.uscc.ilike(f"%{q.strip()}%"))
        return query

    total = await where(Employer.count())
    rows = await where(Employer.select()).order_by(Employer.created_at).order_by(
        Employer.id).limit(limit).offset(offset)
    return rows, total


async def staff(employer_id: int) -> list[dict]:
    return await EmployerMember.select(
        EmployerMember.user.id.as_alias("id"), EmployerMember.user.username.as_alias("username"),
        EmployerMember.user.display_name.as_alias("display_name"),
    ).where(EmployerMember.employer == employer_id).order_by(EmployerMember.id)


async def status_counts() -> dict[str, int]:
    rows = await db.fetch("SELECT status, COUNT(*) AS n FROM employer GROUP BY status")
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


# --- writing --------------------------------------------------------------------------------


async def register(*, name: str, uscc: str, industry: str, contact_name: str,
                   contact_phone: str, username: str, password: str, address: str | None = None,
                   limiter=None, email: str | None = None) -> dict:
    """Self-registration: the employer (pending) and its first staff account, all or nothing.

    Limited per address (`signup_ip`, counted once the form is valid: each sign-up pays for a
    password hash); the hash is computed before the write transaction opens."""
    name = _text(name, "name", 300)
    code = check_uscc(uscc)
    await catalog.check_industries([industry], field="industry")
    contact_name = _text(contact_name, "contact_name", 100)
    phone = check_mobile(contact_phone, "contact_phone")
    email = check_email(email) if (email or "").strip() else ""
    accounts.validate_username(username)
    accounts.validate_password(password)
    if limiter is not None:
        await limiter.hit("signup_ip", address_subject(address or "unknown"))
    new_user = await accounts.prepare_user(username, password, "employer",
                                           display_name=contact_name)
    try:
        async with db.write_transaction():
            rows = await Employer.insert(Employer(
                name=name, uscc=code, industry=industry, contact_name=contact_name,
                contact_phone=phone, email=email, status="pending",
            )).returning(Employer.id)
            employer_id = rows[0]["id"]
            user = await accounts.insert_user(new_user)
            await EmployerMember.insert(EmployerMember(employer=employer_id, user=user["id"]))
    except Exception as exc:
        if db.is_unique_violation(exc, "employer_uscc_key"):
            msg = N_("this unified social credit code is already registered")
            raise Conflict(msg, code="uscc_taken",
                           errors=[FieldError("uscc", msg, code="uscc_taken")]) from exc
        raise
    return {"id": employer_id, "status": "pending", "user": user["id"]}


_OVER_EMPLOYER = (
    "SELECT 1 AS found FROM booking b JOIN fair f ON f.id = b.fair "
    "JOIN organisation o ON o.id = f.org WHERE b.employer = {} "
    "AND substr(o.path, 1, {}) = {} "
    "UNION ALL SELECT 1 AS found FROM slot_booking s JOIN fair f ON f.id = s.fair "
    "JOIN organisation o ON o.id = f.org WHERE s.employer = {} "
    "AND substr(o.path, 1, {}) = {}"
)


# The same rule as a set: the employers an organisation subtree is over (they booked at one of
# its fairs). Two placeholders: the subtree's path pattern (LIKE "/qd/xha/%"), twice.
EMPLOYERS_UNDER = (
    "SELECT b.employer FROM booking b JOIN fair f ON f.id = b.fair "
    "JOIN organisation o ON o.id = f.org WHERE o.path LIKE {} "
    "UNION SELECT s.employer FROM slot_booking s JOIN fair f ON f.id = s.fair "
    "JOIN organisation o ON o.id = f.org WHERE o.path LIKE {}"
)


async def manages_employer(principal: Principal | None, employer_id: int) -> bool:
    """An organiser is over an employer when the employer booked (a booth or a guest slot, at
    any time) at a fair of the organiser's subtree; an admin is over every employer. Employers
    belong to no district: the register is the city's, and a district's hold on a company comes
    from the company's dealings with its fairs."""
    if principal is None or not principal.is_organiser:
        return False
    if principal.is_admin:
        return True
    if not principal.org_path:
        return False
    path = principal.org_path
    rows = await db.fetch(_OVER_EMPLOYER, employer_id, len(path), path, employer_id, len(path),
                          path)
    return bool(rows)


async def add_staff(principal: Principal, employer_id: int, *, username: str, password: str,
                    display_name: str = "") -> dict:
    """Another staff account (a login) for the same employer: added by one of its staff, by an
    organiser over the employer (`manages_employer`) or by an admin; audited. A login reads
    the employer's bookings, so another district's organiser may not make one."""
    await get_employer(employer_id)
    own = principal.role == "employer" and await employer_id_of(principal.id) == employer_id
    if not own and not await manages_employer(principal, employer_id):
        raise Forbidden(N_("only this employer's staff, or an organiser over it, add its logins"),
                        code="other_company")
    display_name = (display_name or "").strip()[:200]
    new_user = await accounts.prepare_user(username, password, "employer",
                                           display_name=display_name)
    async with db.write_transaction():
        user = await accounts.insert_user(new_user)
        await EmployerMember.insert(EmployerMember(employer=employer_id, user=user["id"]))
        await audit.record(principal, "employer.staff_add", "employer", employer_id, after={
            "user": user["id"], "username": user["username"], "display_name": display_name})
    return {"id": user["id"], "username": user["username"]}


async def decide(principal: Principal, employer_id: int, approve: bool,
                 reason: str = "") -> dict:
    """Approve, or reject with a reason; audited. A pending employer is decided by any
    organiser (the register is the city's, and nobody is over a new company yet); an earlier
    decision is changed only by the organisation that made it (or one above it), an organiser
    over the employer (`manages_employer`) or an admin, so another district cannot reject a
    company that books at this one's fairs."""
    if not principal.is_organiser:
        raise Forbidden(N_("organisers only"), code="organisers_only")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid("reason", N_("say why the employer is rejected"), code="required")
    current = await Employer.select(
        Employer.status, Employer.decided_by.org.path.as_alias("decider_path")).where(
        Employer.id == employer_id).first()
    if current is None:
        raise NotFound(N_("no such employer"), code="unknown_employer")
    if current["status"] != "pending" and not (
            accounts.in_subtree(principal, current["decider_path"] or "\0")
            or await manages_employer(principal, employer_id)):
        raise Forbidden(N_("only the deciding organisation, or one over this employer, changes "
                           "its approval"), code="other_organisation")
    status = "approved" if approve else "rejected"
    async with db.write_transaction():
        rows = await Employer.update({
            Employer.status: status, Employer.reject_reason: "" if approve else reason[:2000],
            Employer.decided_at: now(), Employer.decided_by: principal.id,
        }).where(Employer.id == employer_id).returning(Employer.id)
        if rows:
            await hooks.happened.notify(hooks.Happening(
                f"employer.{status}", None, employer_id, {"reason": reason}))
            await audit.record(principal, f"employer.{'approve' if approve else 'reject'}",
                               "employer", employer_id,
                               before={"status": current["status"]},
                               after={"status": status, "reason": "" if approve else reason})
    if not rows:
        raise NotFound(N_("no such employer"), code="unknown_employer")
    return {"id": employer_id, "status": status}


async def update_contact(principal: Principal, employer_id: int, *,
                         contact_name: str | None = None,
                         contact_phone: str | None = None) -> dict:
    if not await can_view(principal, employer_id):
        raise Forbidden(N_("not your company"), code="other_company")
    values = {}
    if contact_name is not None:
        values[Employer.contact_name] = _text(contact_name, "contact_name", 100)
    if contact_phone is not None:
        values[Employer.contact_phone] = check_mobile(contact_phone, "contact_phone")
    if values:
        await Employer.update(values).where(Employer.id == employer_id)
    return await get_employer(employer_id)


# --- hooks ----------------------------------------------------------------------------------


async def employer_of_user(principal) -> int | None:
    """fairs.hooks.employer_of_user: the employer an employer's login belongs to."""
    if getattr(principal, "role", None) != "employer":
        return None
    return await employer_id_of(principal.id)
