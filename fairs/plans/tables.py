from piccolo.columns import Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.accounts.tables import Organisation, User

DIMENSIONS = ("industry", "audience")


class Plan(Table, tablename="plan"):
    """An organisation's dated targets: offline and online fairs, all events, employer visits."""

    org = ForeignKey(Organisation, null=False)
    title = Varchar(length=300, null=False)
    starts_on = Date(null=False, default=None)
    ends_on = Date(null=False, default=None)
    target_offline = Integer(default=0, null=False)
    target_online = Integer(default=0, null=False)
    target_events = Integer(null=True, default=None)
    target_employer_visits = Integer(null=True, default=None)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    updated_at = Timestamptz(default=TimestamptzNow(), null=False)


class PlanTheme(Table, tablename="plan_theme"):
    """A per-industry or per-audience minimum: at least `minimum` fairs serving `code`."""

    plan = ForeignKey(Plan, null=False)
    dimension = Varchar(length=16, null=False)  # industry | audience
    code = Varchar(length=64, null=False)
    minimum = Integer(default=1, null=False)
