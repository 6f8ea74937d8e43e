"""Reference data: the "5+5+7" key industries and the target groups (idempotent)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fairs.catalog.reference import AUDIENCES, INDUSTRIES

ID = "2026-11-22T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "industries and audiences"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def run():
        from fairs.catalog.tables import Audience, Industry

        for sort, (code, zh, en, group) in enumerate(INDUSTRIES):
            await Industry.insert(
                Industry(code=code, name_zh=zh, name_en=en, group=group, sort=sort)
            ).on_conflict(action="DO NOTHING", target=Industry.code).run()
        for sort, (code, zh, en) in enumerate(AUDIENCES):
            await Audience.insert(
                Audience(code=code, name_zh=zh, name_en=en, sort=sort)
            ).on_conflict(action="DO NOTHING", target=Audience.code).run()

    manager.add_raw(run)
    return manager
