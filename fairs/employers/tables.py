from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.accounts.tables import User

STATUSES = ("pending", "approved", "rejected")


class Employer(Table, tablename="employer"):
    """A company that comes to fairs to hire. Only approved employers book booths and slots."""

    name = Varchar(length=300, null=False)
    uscc = Varchar(length=18, unique=True, null=False)  # 统一社会信用代码, checked digit
    industry = Varchar(length=64, null=False)
    contact_name = Varchar(length=100, null=False)
    contact_phone = Varchar(length=20, null=False)  # E.164, shown masked
    status = Varchar(length=16, default="pending", null=False, index=True)
    reject_reason = Text(default="", null=False)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)


class EmployerMember(Table, tablename="employer_member"):
    """A staff account (a user with role "employer") of one employer."""

    employer = ForeignKey(Employer, null=False, index=True)
    user = ForeignKey(User, null=False, unique=True)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
