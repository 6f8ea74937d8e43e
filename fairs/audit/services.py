"""The audit log: every organiser and employer action, with the state before and after.

`record()` is called by the services that change things, inside their write transaction, so an
entry exists exactly when the change does.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fairs.accounts.services import Principal

from .tables import AuditEntry

SECRET_KEYS = {"password", "password_hash", "token", "token_hash", "code", "phone", "nonce"}


def _clean(value: Any) -> Any:
    """JSON-safe, and without secrets or personal data."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: ("***" if k in SECRET_KEYS else _clean(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


async def record(principal: Principal | None, action: str, object_type: str,
                 object_id: Any = "", before: Any = None, after: Any = None) -> None:
    await AuditEntry.insert(AuditEntry(
        actor_id=principal.id if principal else None,
        actor=principal.username if principal else "",
        role=principal.role if principal else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=json.dumps(_clean(before), ensure_ascii=False) if before is not None else None,
        after=json.dumps(_clean(after), ensure_ascii=False) if after is not None else None,
    ))


async def entries(limit: int = 100, offset: int = 0, action: str | None = None,
                  object_type: str | None = None, object_id: str | None = None
                  ) -> tuple[list[dict], int]:
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
    count = AuditEntry.count()
    for column, value in ((AuditEntry.action, action), (AuditEntry.object_type, object_type),
                          (AuditEntry.object_id, object_id)):
        if value:
            query = query.where(column == value)
            count = count.where(column == value)
    rows = await query.limit(limit).offset(offset)
    for row in rows:
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return rows, await count
