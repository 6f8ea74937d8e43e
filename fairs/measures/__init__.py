"""The measures' read model: one definition per measure, asked by every view.

Plans (progress), reports (the page, its API, the workbook and the CSV), check-in (the wall,
GET .../attendance and its stream) and the fair pages take their numbers from here; see
`definitions` for what each measure means and `read` for the queries (`visits`: employer
visits one employer or one month at a time, for the plan dashboard and fairs.outreach).

A package of its own rather than reports/measures.py: check-in, plans, events and booths all
read it, and reports already imports several of those slices; a module that imports only
fairs.db keeps every slice's dependency on it one-way (no cycle between slices).
"""

from .definitions import (
    ACTIVE_POSITION,
    ADMISSIONS_ONE,
    LIVE_COUNTS,
    MEASURE_NAMES,
    MEASURES,
    PERSON_MEASURES,
    REGISTERED_ONE,
    SERVICE_KINDS,
    VISIT_KINDS,
    held,
    hired,
    is_held,
    local,
    scheduled,
)
from .read import (
    FUNNEL,
    FUNNEL_DIMS,
    Scope,
    admissions_by_fair,
    breakdowns,
    by_audience,
    fair_attendance,
    fair_counts,
    funnel,
    funnel_by_audience,
    held_fairs,
    present_employers,
    service_visits,
    totals,
    totals_and_visits,
    values,
    visits_by_fair,
    visits_by_kind,
)
from .tally import INTENDED as AUDIENCE_INTENDED
from .tally import TALLY_SHARDS, recount_audiences
from .tally import admitted as audience_tally_admitted
from .visits import employer_presences, last_visits, visits, visits_by_month

__all__ = [
    "ACTIVE_POSITION", "ADMISSIONS_ONE", "AUDIENCE_INTENDED", "FUNNEL", "FUNNEL_DIMS",
    "LIVE_COUNTS", "MEASURES", "MEASURE_NAMES", "PERSON_MEASURES", "REGISTERED_ONE",
    "SERVICE_KINDS", "Scope", "TALLY_SHARDS", "VISIT_KINDS", "admissions_by_fair",
    "audience_tally_admitted", "breakdowns", "by_audience", "employer_presences",
    "fair_attendance", "fair_counts", "funnel", "funnel_by_audience", "held", "held_fairs",
    "hired", "is_held", "last_visits", "local", "present_employers", "recount_audiences",
    "scheduled", "service_visits", "totals", "totals_and_visits", "values", "visits",
    "visits_by_fair", "visits_by_kind", "visits_by_month",
]
