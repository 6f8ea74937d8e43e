from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ROLES = ("admin", "organiser", "employer", "scanner")
ORG_KINDS = ("city", "district", "area", "street")


class Organisation(Table, tablename="organisation"):
    """City > district or functional area > town or street. `path` is the materialised path of
    codes ("/qd/xha/"), so a subtree is one indexed prefix match; a move rewrites the subtree's
    paths in one transaction (fairs.accounts.orgs). `code` never changes. An inactive
    organisation takes no new users, children or moves under it; it stays in the tree (its
    past fairs still count in reports)."""

    code = Varchar(length=64, unique=True, null=False)
    name_zh = Varchar(length=200, null=False)
    name_en = Varchar(length=200, default="")
    kind = Varchar(length=16, null=False, default="district")
    parent = ForeignKey("self", null=True)
    path = Varchar(length=1000, null=False, index=True)
    active = Boolean(default=True, null=False)


class User(Table, tablename="app_user"):
    username = Varchar(length=150, unique=True, null=False)
    password_hash = Text(null=False)
    display_name = Varchar(length=200, default="")
    role = Varchar(length=16, null=False)
    org = ForeignKey(Organisation, null=True)
    active = Boolean(default=True, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    last_login_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    user = ForeignKey(User, null=False)
    name = Varchar(length=200, null=False)
    token_hash = Varchar(length=64, unique=True, null=False)
    prefix = Varchar(length=16, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    uses = Integer(default=0, null=False)
