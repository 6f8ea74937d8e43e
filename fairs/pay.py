"""Pay in one unit: the stated rules that turn a day or hour rate into a monthly figure.

China's labour rules fix the month used to convert pay (人社部《关于职工全年月平均工作时间和工资折算
问题的通知》, 劳社部发〔2008〕3号): 21.75 paid days a month (月计薪天数 = (365 − 104) ÷ 12) and
174 paid hours a month (21.75 × 8). The wage levels (工资价位), the demand catalogue and the
matching of expected pay all convert with these, and nowhere else.

Pure: no Litestar, no database.
"""

from __future__ import annotations

import math

DAYS_A_MONTH = 21.75
HOURS_A_MONTH = 174.0
PER_MONTH = {"month": 1.0, "day": DAYS_A_MONTH, "hour": HOURS_A_MONTH}


def monthly(amount: int | float | None, unit: str | None) -> int | None:
    """`amount` yuan per `unit` (month | day | hour) as whole yuan a month; None for no figure
    (None or 0) or an unknown unit."""
    if not amount or unit not in PER_MONTH:
        return None
    # Halves up, as SQL's ROUND does (monthly_sql): Python's round() would take 3262.5 (150 a
    # day) to 3262 and the two rules would disagree by a yuan.
    return math.floor(amount * PER_MONTH[unit] + 0.5)


def monthly_sql(amount: str, unit: str) -> str:
    """The same rule as an SQL expression over the columns `amount` and `unit` (NULL when the
    amount is 0 or NULL), for aggregates that must not load rows into Python."""
    return (f"(CASE WHEN COALESCE({amount}, 0) = 0 THEN NULL "
            f"WHEN {unit} = 'day' THEN ROUND({amount} * {DAYS_A_MONTH}) "
            f"WHEN {unit} = 'hour' THEN ROUND({amount} * {HOURS_A_MONTH}) "
            f"ELSE {amount} END)")


def offered(salary_min: int | None, salary_max: int | None) -> float | None:
    """The one figure an offer's pay range stands for: the midpoint of the lowest and highest
    pay when both are given, else the one given (0 is "not given"); None for neither."""
    if salary_min and salary_max:
        return (salary_min + salary_max) / 2
    return salary_max or salary_min or None


def offered_monthly(salary_min: int | None, salary_max: int | None,
                    unit: str | None) -> int | None:
    """An offer's pay as whole yuan a month: `offered()` (the midpoint, else the figure given),
    then converted by `monthly()`."""
    return monthly(offered(salary_min, salary_max), unit)


def offered_monthly_sql(salary_min: str, salary_max: str, unit: str) -> str:
    """`offered_monthly()` as an SQL expression (unrounded for a monthly figure: a midpoint may
    be half a yuan; NULL when no figure is given), for the wage levels' percentiles. Computed
    exactly (PostgreSQL's numeric, whose ROUND takes halves up as SQLite's does; the ROUND of
    its doubles would take them to even), then given as a double on both engines, which ranks
    and sorts several times faster than numeric: every figure it gives (halves, and quarters
    in the percentiles) is exact in binary."""
    midpoint = (f"(CASE WHEN {salary_min} > 0 AND {salary_max} > 0 "
                f"THEN ({salary_min} + {salary_max}) / 2.0 "
                f"WHEN {salary_max} > 0 THEN {salary_max} * 1.0 "
                f"WHEN {salary_min} > 0 THEN {salary_min} * 1.0 END)")
    return f"CAST({monthly_sql(midpoint, unit)} AS DOUBLE PRECISION)"
