"""The stated rules that turn day and hour rates into monthly pay (fairs.pay), in Python and SQL."""

import pytest

from fairs import db, pay


def test_monthly_rules():
    assert pay.monthly(6000, "month") == 6000
    assert pay.monthly(200, "day") == 4350  # 200 × 21.75
    assert pay.monthly(25, "hour") == 4350  # 25 × 174
    assert pay.monthly(0, "day") is None
    assert pay.monthly(None, "month") is None
    assert pay.monthly(100, "week") is None
    assert pay.monthly(150, "day") == 3263  # 3262.5: halves up, as SQL's ROUND


def test_offered_pay_is_the_midpoint_or_the_figure_given():
    assert pay.offered(6000, 8000) == 7000
    assert pay.offered(0, 8000) == 8000 and pay.offered(6000, 0) == 6000
    assert pay.offered(0, 0) is None
    assert pay.offered_monthly(300, 400, "day") == 7613  # 350 x 21.75 = 7612.5
    assert pay.offered_monthly(20, 0, "hour") == 3480
    assert pay.offered_monthly(0, 0, "month") is None


@pytest.mark.parametrize(("lo", "hi", "unit"), [(6000, 8001, "month"), (300, 400, "day"),
                                                (20, 0, "hour"), (0, 0, "day"), (0, 9000, "month")])
async def test_offered_sql_matches_python(lo, hi, unit):
    sql = ("SELECT " + pay.offered_monthly_sql("x.a", "x.b", "x.u") + " AS m FROM "
           "(SELECT CAST({} AS INTEGER) AS a, CAST({} AS INTEGER) AS b, "
           "CAST({} AS VARCHAR(8)) AS u) x")
    got = (await db.fetch(sql, lo, hi, unit))[0]["m"]
    python = pay.offered_monthly(lo, hi, unit)
    # SQL keeps a monthly midpoint's half yuan (the percentiles round at the end).
    assert (None if got is None else int(float(got) + 0.5)) == python


@pytest.mark.parametrize(("amount", "unit"), [(6000, "month"), (200, "day"), (25, "hour"),
                                              (0, "month"), (33, "hour"), (150, "day")])
async def test_sql_matches_python(amount, unit):
    sql = ("SELECT " + pay.monthly_sql("x.a", "x.u") + " AS m FROM "
           "(SELECT CAST({} AS INTEGER) AS a, CAST({} AS VARCHAR(8)) AS u) x")
    rows = await db.fetch(sql, amount, unit)
    got = rows[0]["m"]
    assert (None if got is None else int(got)) == pay.monthly(amount, unit)
