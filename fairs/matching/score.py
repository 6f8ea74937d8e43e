"""How well a fair's position suits a job seeker: a transparent score, its parts and its weights.

Pure: no database, no HTTP. The same rule as an SQL expression (`fit_sql`) for the counts
employers see (aggregated in the database, never by loading profiles), written beside the Python
so that the two are changed together (tests/matching/test_score.py checks they agree).

The score is the sum of five parts, whole points, 100 at most:

| part      | points | full points when                           | half when              |
|-----------|--------|--------------------------------------------|------------------------|
| industry  | 30     | the employer's industry is a wanted one    | none is named          |
| education | 20     | the position asks at most the seeker's     | (never: fits or not)   |
| job_type  | 20     | the position's job type is a wanted one    | none is named          |
| pay       | 20     | its monthly pay reaches the expected pay   | either side names none |
| district  | 10     | the fair's place lies in a preferred       | none is named          |
|           |        | district, or the fair is online            |                        |

Otherwise a part scores nothing. Pay below the expectation: 20 × (2·pay − expected) ÷ expected,
rounded down (90% of the expectation gives 16 points, 75% gives 10). A position's monthly pay is
its highest figure (salary_max, else salary_min) converted by fairs.pay (21.75 days, 174 hours a
month); education ranks any < junior < senior < college < bachelor < master < doctor.

A position FITS a seeker when it scores at least FIT points and its education fits: a position
asking for a degree the seeker lacks never counts as a fit, whatever else matches. Positions are
ranked by score, then by monthly pay (higher first), then by age (the older listing first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from fairs.pay import monthly, monthly_sql

WEIGHTS = {"industry": 30, "education": 20, "job_type": 20, "pay": 20, "district": 10}
PARTS = tuple(WEIGHTS)
FIT = 60
EDUCATION_RANK = {"any": 0, "junior": 1, "senior": 2, "college": 3, "bachelor": 4, "master": 5,
                  "doctor": 6}

_IND, _EDU, _JOB, _PAY, _DIS = (WEIGHTS[p] for p in PARTS)


@dataclass(frozen=True, slots=True)
class Seeker:
    """What a profile says, as the score reads it."""

    industries: frozenset[str]
    job_types: frozenset[str]
    education: str
    expected_pay: int | None = None  # yuan a month
    districts: frozenset[str] = frozenset()  # organisation codes


@dataclass(frozen=True, slots=True)
class Job:
    """A position, as the score reads it: `industry` is its employer's."""

    id: int
    industry: str
    education: str
    job_type: str
    salary_min: int = 0
    salary_max: int = 0
    pay_unit: str = "month"

    @property
    def monthly_pay(self) -> int | None:
        return monthly(self.salary_max or self.salary_min, self.pay_unit)


class Score(NamedTuple):
    total: int
    industry: int
    education: int
    job_type: int
    pay: int
    district: int

    def parts(self) -> dict[str, int]:
        return {p: getattr(self, p) for p in PARTS}

    def reasons(self) -> list[str]:
        """The parts that scored in full, in the table's order (what a page says: "industry
        matches, education fits, ...")."""
        return [p for p in PARTS if getattr(self, p) == WEIGHTS[p]]


def pay_points(pay: int | None, expected: int | None) -> int:
    if pay is None or not expected:
        return _PAY // 2
    if pay >= expected:
        return _PAY
    if 2 * pay <= expected:
        return 0
    return (_PAY * (2 * pay - expected)) // expected


def score(seeker: Seeker, job: Job, place: frozenset[str] | None) -> Score:
    """`place`: the codes of the organisations the fair's place lies in (its venue's
    organisation and every one above it); None for an online fair."""
    industry = (_IND if job.industry in seeker.industries else 0) if seeker.industries \
        else _IND // 2
    education = _EDU if EDUCATION_RANK.get(job.education, 0) <= EDUCATION_RANK.get(
        seeker.education, 0) else 0
    job_type = (_JOB if job.job_type in seeker.job_types else 0) if seeker.job_types \
        else _JOB // 2
    pay = pay_points(job.monthly_pay, seeker.expected_pay)
    if place is None:
        district = _DIS
    elif not seeker.districts:
        district = _DIS // 2
    else:
        district = _DIS if seeker.districts & place else 0
    return Score(industry + education + job_type + pay + district, industry, education,
                 job_type, pay, district)


def fits(s: Score) -> bool:
    return s.total >= FIT and s.education == _EDU


def rank(seeker: Seeker, jobs: Iterable[Job],
         place: frozenset[str] | None) -> list[tuple[Job, Score]]:
    """The jobs with their scores, best first (score, then monthly pay, then the older id)."""
    scored = [(job, score(seeker, job, place)) for job in jobs]
    scored.sort(key=lambda js: (-js[1].total, -(js[0].monthly_pay or 0), js[0].id))
    return scored


# --- the same rule in SQL ------------------------------------------------------------------------


def _rank_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{code}' THEN {n}" for code, n in EDUCATION_RANK.items())
    return f"(CASE {column} {whens} ELSE 0 END)"


def _listed(codes_column: str, value: str) -> str:
    """`value` is one of the comma-separated codes in `codes_column` (codes are [a-z0-9-])."""
    return f"((',' || {codes_column} || ',') LIKE ('%,' || {value} || ',%'))"


def fit_sql(place: frozenset[str] | None, s: str = "s", p: str = "p",
            industry: str = "e.industry") -> tuple[str, str, list[str]]:
    """The score of position `p` (a job_position row; `industry` its employer's) for profile
    `s` (a seeker_profile row) at a fair whose place is `place`, as SQL: (the score's
    expression, the fit condition, and the arguments of the `{}` placeholders either holds:
    the same list for both)."""
    pay = f"CAST({monthly_sql(f'(CASE WHEN {p}.salary_max > 0 THEN {p}.salary_max ELSE {p}.salary_min END)', f'{p}.pay_unit')} AS INTEGER)"  # noqa: E501
    education = (f"(CASE WHEN {_rank_sql(f'{p}.education')} <= {_rank_sql(f'{s}.education')} "
                 f"THEN {_EDU} ELSE 0 END)")
    if place is None:
        district, args = str(_DIS), []
    else:
        codes = sorted(place)
        matches = " OR ".join(f"((',' || {s}.districts || ',') LIKE {{}})" for _ in codes)
        district = (f"(CASE WHEN {s}.districts = '' THEN {_DIS // 2} "
                    f"WHEN {matches or 'false'} THEN {_DIS} ELSE 0 END)")
        args = [f"%,{code},%" for code in codes]
    total = (
        f"((CASE WHEN {s}.industries = '' THEN {_IND // 2} "
        f"WHEN {_listed(f'{s}.industries', industry)} THEN {_IND} ELSE 0 END) "
        f"+ {education} "
        f"+ (CASE WHEN {s}.job_types = '' THEN {_JOB // 2} "
        f"WHEN {_listed(f'{s}.job_types', f'{p}.job_type')} THEN {_JOB} ELSE 0 END) "
        f"+ (CASE WHEN {pay} IS NULL OR {s}.expected_pay IS NULL OR {s}.expected_pay = 0 "
        f"THEN {_PAY // 2} WHEN {pay} >= {s}.expected_pay THEN {_PAY} "
        f"WHEN 2 * {pay} <= {s}.expected_pay THEN 0 "
        f"ELSE ({_PAY} * (2 * {pay} - {s}.expected_pay)) / {s}.expected_pay END) "
        f"+ {district})")
    condition = f"({total} >= {FIT} AND {education} = {_EDU})"
    return total, condition, args


def place_codes(path: str | None) -> frozenset[str]:
    """The organisation codes on a materialised path ("/qd/xha/" -> {"qd", "xha"})."""
    return frozenset(c for c in (path or "").split("/") if c)


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """Codes stored comma-separated, as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [c for c in value.split(",") if c]
    return list(value)
