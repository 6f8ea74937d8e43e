"""The score (fairs/matching/score.py) on worked examples, and its SQL twin agreeing with it."""

from __future__ import annotations

import itertools
import random

import pytest

from fairs import db
from fairs.matching import score as scoring
from fairs.matching.score import FIT, WEIGHTS, Job, Seeker, fits, rank, score

XHA = frozenset({"qd", "xha"})
INT, TXT = "CAST({} AS INTEGER)", "CAST({} AS VARCHAR(64))"


def seeker(**kw) -> Seeker:
    base = {"industries": frozenset({"software", "logistics"}), "job_types": frozenset({"regular"}),
            "education": "bachelor", "expected_pay": 7000, "districts": frozenset({"xha"})}
    base.update(kw)
    return Seeker(**base)


def job(n: int = 1, **kw) -> Job:
    base = {"industry": "software", "education": "bachelor", "job_type": "regular",
            "salary_min": 8000, "salary_max": 15000, "pay_unit": "month"}
    base.update(kw)
    return Job(n, **base)


def test_the_weights_add_up_to_a_hundred():
    assert sum(WEIGHTS.values()) == 100 and FIT == 60


@pytest.mark.parametrize(("j", "place", "want"), [
    # everything matches: full points, every reason
    (job(), XHA, (100, 30, 20, 20, 20, 10)),
    # pay 6,000 against 7,000 expected: 20 × (12,000 − 7,000) ÷ 7,000 = 14.28 → 14
    (job(industry="logistics", education="senior", salary_min=5000, salary_max=6000), XHA,
     (94, 30, 20, 20, 14, 10)),
    # 200 yuan a day is 4,350 a month (21.75 days): 20 × (8,700 − 7,000) ÷ 7,000 → 4;
    # a gig is not a wanted kind of job
    (job(industry="logistics", education="junior", job_type="gig", salary_min=180,
         salary_max=200, pay_unit="day"), XHA, (64, 30, 20, 0, 4, 10)),
    # another industry, a master's degree asked of a bachelor
    (job(industry="finance", education="master", salary_min=10000, salary_max=20000), XHA,
     (50, 0, 0, 20, 20, 10)),
    # pay at half the expectation or less: nothing
    (job(salary_min=3000, salary_max=3500), XHA, (80, 30, 20, 20, 0, 10)),
    # no pay stated: half
    (job(salary_min=0, salary_max=0), XHA, (90, 30, 20, 20, 10, 10)),
    # only salary_min given: it is the pay
    (job(salary_min=7000, salary_max=0), XHA, (100, 30, 20, 20, 20, 10)),
    # 40 yuan an hour is 6,960 a month (174 hours): 20 × 6,920 ÷ 7,000 → 19
    (job(salary_min=40, salary_max=0, pay_unit="hour"), XHA, (99, 30, 20, 20, 19, 10)),
    # a fair elsewhere: no district points; online: full
    (job(), frozenset({"qd", "jiaozhou"}), (90, 30, 20, 20, 20, 0)),
    (job(), None, (100, 30, 20, 20, 20, 10)),
    # "any" education fits everyone
    (job(education="any"), XHA, (100, 30, 20, 20, 20, 10)),
])
def test_worked_examples(j, place, want):
    assert tuple(score(seeker(), j, place)) == want


def test_no_preference_gives_half_points():
    s = Seeker(frozenset(), frozenset(), "college")
    got = score(s, job(education="college"), XHA)
    assert got.parts() == {"industry": 15, "education": 20, "job_type": 10, "pay": 10,
                           "district": 5}
    assert got.total == 60 and fits(got) and got.reasons() == ["education"]


def test_a_position_above_the_seekers_education_never_fits():
    got = score(seeker(education="senior"), job(education="bachelor"), XHA)
    assert got.total == 80 and not fits(got)
    assert "education" not in got.reasons()


def test_ranking_breaks_ties_by_pay_then_age():
    jobs = [job(1, salary_max=8000), job(2, salary_max=15000), job(3, salary_max=15000),
            job(4, industry="finance")]
    assert [j.id for j, _s in rank(seeker(), jobs, XHA)] == [2, 3, 1, 4]


def test_reasons_name_the_full_parts_in_order():
    got = score(seeker(), job(industry="logistics", education="senior", salary_max=6000), XHA)
    assert got.reasons() == ["industry", "education", "job_type", "district"]


# --- the SQL twin -------------------------------------------------------------------------------

INDUSTRIES = ("software", "logistics", "finance")
EDUCATION = tuple(scoring.EDUCATION_RANK)


def _cases():
    rng = random.Random(19)
    seekers = []
    for _ in range(40):
        seekers.append(Seeker(
            frozenset(rng.sample(INDUSTRIES, rng.randint(0, 2))),
            frozenset(rng.sample(("regular", "gig", "traineeship"), rng.randint(0, 2))),
            rng.choice(EDUCATION[1:]), rng.choice((None, 4000, 6000, 7000, 9000)),
            frozenset(rng.sample(("xha", "gzk", "jiaozhou"), rng.randint(0, 2)))))
    jobs = []
    for n in range(40):
        unit = rng.choice(("month", "hour", "day"))
        low, high = {"month": (3000, 12000), "hour": (20, 60), "day": (101, 401)}[unit]
        # day rates ≡ 2 (mod 4) are a whole number and a half a month: fairs.pay.monthly
        # (Python's round, half to even) and monthly_sql (ROUND, half up) differ by a yuan
        # there; odd day rates keep the comparison exact.
        amount = rng.randrange(low, high) | (1 if unit == "day" else 0)
        jobs.append(Job(n + 1, rng.choice(INDUSTRIES), rng.choice(EDUCATION),
                        rng.choice(("regular", "gig", "traineeship")), 0,
                        rng.choice((0, amount)), unit))
    return seekers, jobs


@pytest.mark.parametrize("place", [XHA, None, frozenset()], ids=["xha", "online", "nowhere"])
async def test_the_sql_score_is_the_python_score(migrated, place):
    seekers, jobs = _cases()
    total, fit, args = scoring.fit_sql(place, industry="p.industry")
    s_rows = " UNION ALL ".join(
        f"SELECT {INT} AS id, {TXT} AS industries, {TXT} AS job_types, {TXT} AS education, "
        f"{INT} AS expected_pay, {TXT} AS districts" for _ in seekers)
    p_rows = " UNION ALL ".join(
        f"SELECT {INT} AS id, {TXT} AS industry, {TXT} AS education, {TXT} AS job_type, "
        f"{INT} AS salary_min, {INT} AS salary_max, {TXT} AS pay_unit" for _ in jobs)
    s_args = [v for n, s in enumerate(seekers) for v in (
        n, ",".join(sorted(s.industries)), ",".join(sorted(s.job_types)), s.education,
        s.expected_pay, ",".join(sorted(s.districts)))]
    p_args = [v for j in jobs for v in (j.id, j.industry, j.education, j.job_type,
                                        j.salary_min, j.salary_max, j.pay_unit)]
    rows = await db.fetch(
        f"WITH s AS ({s_rows}), p AS ({p_rows}) SELECT s.id AS seeker, p.id AS job, "
        f"{total} AS total, CASE WHEN {fit} THEN 1 ELSE 0 END AS fit FROM s, p",
        *s_args, *p_args, *args, *args)
    assert len(rows) == len(seekers) * len(jobs)
    by_id = {j.id: j for j in jobs}
    wrong = []
    for r in rows:
        s = score(seekers[r["seeker"]], by_id[r["job"]], place)
        if (int(r["total"]), bool(r["fit"])) != (s.total, fits(s)):
            wrong.append((r["seeker"], r["job"], r["total"], s))
    assert not wrong, wrong[:5]
    assert {bool(r["fit"]) for r in rows} == {True, False}


def test_codes_on_a_path():
    assert scoring.place_codes("/qd/xha/gzk/") == {"qd", "xha", "gzk"}
    assert scoring.place_codes(None) == frozenset()
    assert list(itertools.islice(scoring.as_list("a,b,,c"), 5)) == ["a", "b", "c"]
