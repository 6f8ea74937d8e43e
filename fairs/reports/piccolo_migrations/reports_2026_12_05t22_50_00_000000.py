"""The audience tally (fairs.reports.tables.AudienceTally): the table; its unique index and
backfill from the raw rows are the next migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Fair(Table, tablename="fair", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id",
                secret=False)


ID = "2026-12-05T22:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audience tally"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_table(class_name="AudienceTally", tablename="audience_tally", schema=None,
                      columns=None)
    manager.add_column(
        table_class_name="AudienceTally", tablename="audience_tally",
        column_name="fair", db_column_name="fair", column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={"references": Fair, "on_delete": OnDelete.cascade,
                "on_update": OnUpdate.cascade, "target_column": None, "null": False,
                "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    manager.add_column(
        table_class_name="AudienceTally", tablename="audience_tally",
        column_name="audiences", db_column_name="audiences", column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 500, "default": "", "null": False, "primary_key": False,
                "unique": False, "index": False, "index_method": IndexMethod.btree,
                "choices": None, "db_column_name": None, "secret": False},
        schema=None)
    manager.add_column(
        table_class_name="AudienceTally", tablename="audience_tally",
        column_name="shard", db_column_name="shard", column_class_name="Integer",
        column_class=Integer,
        params={"default": 0, "null": False, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    manager.add_column(
        table_class_name="AudienceTally", tablename="audience_tally",
        column_name="admissions", db_column_name="admissions", column_class_name="Integer",
        column_class=Integer,
        params={"default": 0, "null": False, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    manager.add_column(
        table_class_name="AudienceTally", tablename="audience_tally",
        column_name="walk_ins", db_column_name="walk_ins", column_class_name="Integer",
        column_class=Integer,
        params={"default": 0, "null": False, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    manager.add_column(
        table_class_name="AudienceTally", tablename="audience_tally",
        column_name="intentions", db_column_name="intentions", column_class_name="Integer",
        column_class=Integer,
        params={"default": 0, "null": False, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    return manager
