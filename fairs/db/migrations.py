"""What a migration of raw statements (indexes, mostly) is made of: `forwards = raw(...)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any


def raw(migration_id: str, app_name: str, description: str,
        statements: Sequence[str]) -> Callable[[], Awaitable[Any]]:
    """A Piccolo migration's `forwards` that runs `statements` in order, on either engine."""
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager

    async def forwards() -> MigrationManager:
        manager = MigrationManager(migration_id=migration_id, app_name=app_name,
                                   description=description)

        async def run() -> None:
            from fairs.db import execute

            for statement in statements:
                await execute(statement)

        manager.add_raw(run)
        return manager

    return forwards
