"""Each measure defined once, as an SQL fragment (the read model's vocabulary).

Every view that shows a measure (the plan dashboard and its progress API, the report page, its
API, workbook and CSV, the wall and GET .../attendance, the fair pages) gets its number from a
query built of these fragments by `fairs.measures.read`; nowhere else writes them.

- held fair (场次): published, ended (`ends_at <= at`) and never cancelled; counted by its start.
  A scheduled fair: published and not yet ended.
- employer present (到场企业, 家): an employer checked in at its confirmed booth
  (booking.checked_in_at), or presenting in a guest slot of its confirmed slot booking once the
  slot has ended. Counted as DISTINCT employers over whatever set of fairs is asked about.
- employer visit (服务企业, 家次): one employer, one (China-time) day, one kind of service: at most
  one per (employer, day, kind). Kinds: fair attendance ("fair": a presence at a held fair, on
  the local day the fair starts, recorded by itself) and the services organisers record
  (fairs.outreach: a field visit, a phone call, a symposium, policy help, other; on the day
  given). An employer at two fairs on one day is one visit; at three fairs on three days, one
  employer and three visits; a phone call and a field visit on one day are two visits, two
  phone calls that day one, a fair check-in and a field visit that day two. A service counts
  where it was recorded (the recording organiser's organisation) and on its day; it belongs to
  no fair, so a count narrowed to fairs (a kind, an industry, an audience, a plan's linked fairs,
  one fair) has none of them (fairs.measures.read.service_visits).
- position offered (提供岗位, 个): the openings of a position on a confirmed booking or slot
  booking: the sum of their headcounts.
- admission (进场求职人数): a job seeker admitted at a fair, once per fair (a unique index on
  admission(registration)); a repeat scan adds nothing. For one fair, the tally kept in every
  admission's own transaction (admission_tally) is the same number read in O(1): the live paths
  read it. Over many fairs the reports read the audience tally (fairs.measures.tally:
  admissions, walk-ins and intentions per fair and target-group combination, kept in the same
  transactions), equal to counting the rows.
- walk-in (其中现场登记): an admission whose method is "walk_in" (also an admission).
- intention (达成初步就业意向): a (ticket, position) pair recorded by an employer, once each.
- online view (直播观看人次): the total views of a fair's livestream sessions.
- hire (实现就业): an intention whose follow-up (fairs.followup) says hired: one of its
  follow-up tasks has the outcome "hired"; each intention counts once.
- registered (报名人数, the funnel's first step): an active registration (walk-ins included);
  the registration tally keeps their number per fair.
- interested (意向岗位): a (ticket, position) interest a job seeker marked (position_interest).

Fragments use `{}` placeholders (fairs.db.fetch); each says what it needs.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fairs import db
from fairs.bounds import EARLIEST, LATEST
from fairs.i18n import N_, TZ

MEASURES = ("events_held", "employers_present", "positions", "admissions", "walk_ins",
            "intentions", "online_views", "employer_visits", "hires")
# Each measure's one label (a msgid; zh_CN in scripts/zh/measures.tsv). A label names exactly
# one measure: every page that shows a measure shows it under this name.
MEASURE_NAMES = {
    "events_held": N_("Events held"),
    "employers_present": N_("Employers present"),  # 到场企业: distinct employers
    "positions": N_("Openings offered"),
    "admissions": N_("Job seekers admitted"),
    "walk_ins": N_("of whom walk-ins"),
    "intentions": N_("Hiring intentions"),
    "online_views": N_("Livestream views"),
    "employer_visits": N_("Employer-service visits"),  # 服务企业（家次）: employer-days
    "hires": N_("Hires"),  # 实现就业: intentions whose follow-up says hired
}
# The measures that count people (job seekers): broken down by their declared target group.
PERSON_MEASURES = ("admissions", "walk_ins", "intentions")
# The kinds of service organisers record (fairs.outreach: 实地走访、电话联系、集中座谈、政策帮办、
# 其他), and the kinds of employer-service visit: fair attendance first (Revision 2, "Employer
# services"). Their names: fairs.labels ("visit_kind").
SERVICE_KINDS = ("visit", "phone", "symposium", "policy", "other")
VISIT_KINDS = ("fair", *SERVICE_KINDS)

# --- held fair ------------------------------------------------------------------------------


def held(alias: str = "f") -> str:
    """A fair held by `at` (one placeholder): published, ended, never cancelled."""
    return f"({alias}.status = 'published' AND {alias}.ends_at <= {{}})"


def scheduled(alias: str = "f") -> str:
    """A fair published and not yet ended by `at` (one placeholder)."""
    return f"({alias}.status = 'published' AND {alias}.ends_at > {{}})"


def is_held(status: str, ends_at: datetime, at: datetime) -> bool:
    """The same rule for one fair already loaded (a draft that ended was never held)."""
    return status == "published" and ends_at <= at


# --- positions --------------------------------------------------------------------------------

# A position is offered while its booking or slot booking is confirmed (alias `p`).
ACTIVE_POSITION = (
    "((p.booking IS NOT NULL AND EXISTS (SELECT 1 FROM booking k WHERE k.id = p.booking "
    "AND k.status = 'confirmed')) OR (p.slot_booking IS NOT NULL AND EXISTS (SELECT 1 FROM "
    "slot_booking s WHERE s.id = p.slot_booking AND s.status = 'confirmed')))"
)

# --- employers present and visits -----------------------------------------------------------


def local(column: str, part: str) -> str:
    """The China-time day ("2027-03-05"), month ("2027-03") or quarter ("2027-Q1") of a
    timestamp column (the dialect spells it for the engine in use)."""
    spell = {"day": db.dialect.local_day, "month": db.dialect.local_month,
             "quarter": db.dialect.local_quarter}[part]
    return spell(column)


def presence(fairs: str = "h") -> str:
    """Employers present at the fairs of the relation `fairs` (a CTE of fair rows with `id` and
    `starts_at`): rows (fair, employer, day, kind), one per booth check-in and one per ended
    guest slot. One placeholder: `at` (slots ended by then)."""
    day = local(f"{fairs}.starts_at", "day")
    return (
        f"SELECT {fairs}.id AS fair, b.employer, {day} AS day, 'fair' AS kind FROM {fairs} "
        f"JOIN booking b ON b.fair = {fairs}.id WHERE b.status = 'confirmed' "
        "AND b.checked_in_at IS NOT NULL "
        f"UNION ALL SELECT {fairs}.id, sb.employer, {day}, 'fair' FROM {fairs} "
        f"JOIN slot_booking sb ON sb.fair = {fairs}.id JOIN guest_slot gs ON gs.id = sb.slot "
        "WHERE sb.status = 'confirmed' AND gs.ends_at <= {}"
    )


def services(alias: str = "s") -> str:
    """Employer services recorded by organisers (table employer_service, fairs.outreach) as
    visits: rows (employer, day, kind, org), one per record (counts take each (employer, day,
    kind) once). `day` is the date the service was given, as text like presence()'s. Four
    placeholders: the organisation subtree's path pattern (LIKE; the recording organisation),
    the first day, the day after the last, and the last day counted (the moment's local day: a
    record dated later does not count yet)."""
    day = db.dialect.date_text(f"{alias}.served_on")
    return (
        f"SELECT {alias}.employer, {day} AS day, {alias}.kind, {alias}.org "
        f"FROM employer_service {alias} WHERE {alias}.org IN (SELECT o.id FROM organisation o "
        f"WHERE o.path LIKE {{}}) AND {alias}.served_on >= {{}} AND {alias}.served_on < {{}} "
        f"AND {alias}.served_on <= {{}}"
    )


def service_days(start: datetime | None, end: datetime | None, at: datetime
                 ) -> tuple[date, date, date]:
    """The days of services a window of moments [start, end) counts, for services(): a day
    counts when its local midnight falls inside the window (a window from local midnight to
    local midnight is its days); and the last day counted by `at`."""
    def day_of(moment: datetime) -> date:
        local_moment = moment.astimezone(TZ)
        day = local_moment.date()
        return day if local_moment.time() == time() else day + timedelta(days=1)

    first = day_of(start) if start is not None else EARLIEST
    after = day_of(end) if end is not None else LATEST + timedelta(days=1)
    return first, after, at.astimezone(TZ).date()


# --- job seekers ----------------------------------------------------------------------------

WALK_IN = "a.method = 'walk_in'"  # alias a: an admission


# --- hires, registrations, interests (the follow-up and the funnel) -------------------------


def hired(alias: str = "t") -> str:
    """A follow-up task (alias) that says hired; its intention is a hire (counted once, by
    COUNT(DISTINCT <alias>.intention))."""
    return f"{alias}.outcome = 'hired'"


def hires_per_fair(fairs: str) -> str:
    """Hires per fair whose id is `fairs` (SQL: "IN (SELECT id FROM h)", "= {}"): intentions
    one of whose follow-up tasks says hired, each once (rows fair, n)."""
    return ("SELECT t.fair, COUNT(DISTINCT t.intention) AS n FROM followup_task t "
            f"WHERE {hired('t')} AND t.fair {fairs} GROUP BY t.fair")


# A registration that counts as registered (alias r).
REGISTERED = "r.status = 'active'"


def registered_per_fair(fairs: str) -> str:
    """Registered per fair (rows fair, n): the registration tally, kept in the transactions
    that register and cancel, equal to counting the REGISTERED rows."""
    return (f"SELECT fair, SUM(active) AS n FROM registration_tally WHERE fair {fairs} "
            "GROUP BY fair")


def interests_per_fair(fairs: str) -> str:
    """Interests marked per fair (rows fair, n): (ticket, position) pairs, once each."""
    return (f"SELECT fair, COUNT(*) AS n FROM position_interest WHERE fair {fairs} "
            "GROUP BY fair")

# --- one fair, fast (the live paths) -------------------------------------------------------

# registered (the registration tally) and admissions (the admission tally), both kept in the
# transactions that change them: O(1) per scan, where a COUNT(*) costs ~8 ms on SQLite.
REGISTERED_ONE = "(SELECT COALESCE(SUM(active), 0) FROM registration_tally WHERE fair = {})"
ADMISSIONS_ONE = "(SELECT COALESCE(SUM(n), 0) FROM admission_tally WHERE fair = {})"
LIVE_COUNTS = f"SELECT {REGISTERED_ONE} AS registered, {ADMISSIONS_ONE} AS checked_in"
