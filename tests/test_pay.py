"""The stated rules that turn day and hour rates into monthly pay (fairs.pay), in Python and SQL."""

import pytest

from fairs import db, pay


def test_monthly_rules():
    assert pay.monthly(6000, "month") == 6000
    assert pay.monthly(200, "day") == 4350  # 200 × 21.75
    assert pay.monthly(25, "hour") == 4350  # 25 × 174
    assert pay.monthly(150, "day") == 3263  # 3262.5: halves up, as SQL rounds
    assert pay.monthly(0, "day") is None
    assert pay.monthly(None, "month") is None
    assert pay.monthly(100, "week") is None


@pytest.mark.parametrize(("amount", "unit"), [(6000, "month"), (200, "day"), (25, "hour"),
                                              (0, "month"), (33, "hour"),
                                              (150, "day"), (146, "day")])
async def test_sql_matches_python(amount, unit):
    sql = ("SELECT " + pay.monthly_sql("x.a", "x.u") + " AS m FROM "
           "(SELECT CAST({} AS INTEGER) AS a, CAST({} AS VARCHAR(8)) AS u) x")
    rows = await db.fetch(sql, amount, unit)
    got = rows[0]["m"]
    assert (None if got is None else int(got)) == pay.monthly(amount, unit)
