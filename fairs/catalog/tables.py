from piccolo.columns import Boolean, ForeignKey, Integer, Varchar
from piccolo.table import Table

from fairs.accounts.tables import Organisation


class Industry(Table, tablename="industry"):
    code = Varchar(length=64, unique=True, null=False)
    name_zh = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    group = Varchar(length=32, null=False)  # traditional | emerging | services | other
    sort = Integer(default=0, null=False)


class Audience(Table, tablename="audience"):
    code = Varchar(length=64, unique=True, null=False)
    name_zh = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    sort = Integer(default=0, null=False)


class Venue(Table, tablename="venue"):
    name = Varchar(length=200, null=False)
    address = Varchar(length=500, default="", null=False)
    org = ForeignKey(Organisation, null=False)
    capacity = Integer(default=0, null=False)
    step_free = Boolean(default=False, null=False)
    active = Boolean(default=True, null=False)
    # The default booth layout of a new offline fair here: rows × booths per row (0: none).
    booth_rows = Integer(default=0, null=False)
    booths_per_row = Integer(default=0, null=False)


class Channel(Table, tablename="channel"):
    name = Varchar(length=200, null=False)
    url = Varchar(length=1000, default="", null=False)
    org = ForeignKey(Organisation, null=False)
    active = Boolean(default=True, null=False)
