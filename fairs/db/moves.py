"""Migrations that move tables from one Piccolo app to another without touching the database.

Piccolo knows an app's tables from its migration files: each app's history, replayed, must
describe the tables its AppConfig lists, or `piccolo migrations new APP --auto` would write a
migration that creates (or drops) them. When a table changes app, the app it leaves gets a
migration that drops it from its history and the app it joins one that adds it (both as
`piccolo migrations new --auto` writes them), and both are `TablesMoved`: recorded as run, and
never run, forwards or backwards (Piccolo's `fake=True` alone is skipped forwards only, so
`piccolo migrations backwards` would drop or re-create the tables)."""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.apps.migrations.auto.migration_manager import MigrationManager


@dataclass
class TablesMoved(MigrationManager):
    """A MigrationManager whose changes are bookkeeping only: the tables exist already."""

    fake: bool = True

    async def run(self, backwards: bool = False) -> None:
        return None
