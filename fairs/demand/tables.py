"""The demand slice's tables: employers' needs (用工需求) and their staff counts by month.

A need is filed with an organisation (`org`, the district or street that surveys the employer
and reviews its needs): the employer's district when it has one, else the filing organiser's own
organisation, else the city (see fairs.demand.needs). An employer's staff count (在职职工人数)
is reported per month, one row per employer and month (a unique index), so vacancy can be read
for any month: the latest report at or before it counts."""

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.accounts.tables import Organisation, User
from fairs.employers.tables import Employer

STATUSES = ("draft", "published", "rejected", "withdrawn")


class Need(Table, tablename="need"):
    """A job an employer needs people for (用工需求), in the demand catalogue once published."""

    employer = ForeignKey(Employer, null=False)
    org = ForeignKey(Organisation, null=False)  # filed with (reviewed by its organisers)
    # The employer's industry (the register's, which does not change), kept on the need so
    # the catalogue's filters and the wage levels read one table.
    industry = Varchar(length=64, default="", null=False)
    title = Varchar(length=200, null=False)
    headcount = Integer(default=1, null=False)
    education = Varchar(length=32, default="any", null=False)
    skills = Text(default="", null=False)  # the skills asked for
    skilled = Boolean(default=False, null=False)  # 技能型: in the skilled-talent catalogue
    salary_min = Integer(default=0, null=False)
    salary_max = Integer(default=0, null=False)
    pay_unit = Varchar(length=8, default="month", null=False)  # month | day | hour
    # The offered pay a month (fairs.pay.offered_monthly_sql over the three above), written
    # with them: what the wage levels rank. NULL when no pay is given.
    monthly_pay = DoublePrecision(null=True, default=None)
    job_type = Varchar(length=32, default="regular", null=False)
    valid_until = Date(null=False)  # the last day it is listed (China's calendar)
    status = Varchar(length=16, default="draft", null=False)
    reject_reason = Text(default="", null=False)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    updated_at = Timestamptz(default=TimestamptzNow(), null=False)
    published_at = Timestamptz(null=True, default=None)
    reviewed_by = ForeignKey(User, null=True)  # who published or rejected it
    reviewed_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)


class StaffReport(Table, tablename="staff_report"):
    """An employer's staff count (在职职工人数) for a month ('YYYY-MM'), and the organisation
    (district) it reports to; one per employer and month, a later report replacing it."""

    employer = ForeignKey(Employer, null=False)
    month = Varchar(length=7, null=False)
    staff = Integer(null=False)
    org = ForeignKey(Organisation, null=False)
    reported_by = ForeignKey(User, null=True)
    reported_at = Timestamptz(default=TimestamptzNow(), null=False)
