"""The audit log: every organiser and employer action, with the state before and after.

`record()` is called by the services that change things, inside their write transaction, so an
entry exists exactly when the change does. Each entry keeps the path of the organisation it is
about (`org_path`: the fair's organiser when the caller says so, else the actor's organisation),
so an organiser reads the log of their own subtree and an admin all of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from fairs.accounts.services import Principal
from fairs.i18n import TZ

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
                 object_id: Any = "", before: Any = None, after: Any = None, *,
                 org_path: str | None = None) -> None:
    """One entry; `org_path` is the organisation the change is about (default: the actor's)."""
    if org_path is None:
        org_path = (principal.org_path if principal else None) or ""
    await AuditEntry.insert(AuditEntry(
        actor_id=principal.id if principal else None,
        actor=principal.username if principal else "",
        role=principal.role if principal else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=json.dumps(_clean(before), ensure_ascii=False) if before is not None else None,
        after=json.dumps(_clean(after), ensure_ascii=False) if after is not None else None,
        org_path=org_path[:255],
    ))


@dataclass(frozen=True)
class AuditFilter:
    """What the log is narrowed to. `under` is the reader's scope (an organiser's org path,
    None for an admin): set from the principal, never from the request."""

    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor_id: int | None = None
    since: date | None = None  # Beijing days, both ends included
    until: date | None = None
    under: str | None = None


def scope_of(principal: Principal) -> str | None:
    """The org path whose subtree `principal` may read (None: everything, for admins)."""
    if principal.is_admin:
        return None
    return principal.org_path or "//"  # no path starts so: without an organisation, nothing


def _where(query, flt: AuditFilter):
    for column, value in ((AuditEntry.action, flt.action),
                          (AuditEntry.object_type, flt.object_type),
                          (AuditEntry.object_id, flt.object_id),
                          (AuditEntry.actor_id, flt.actor_id)):
        if value not in (None, ""):
            query = query.where(column == value)
    if flt.since:
        query = query.where(AuditEntry.at >= datetime.combine(flt.since, time(), TZ))
    if flt.until:
        query = query.where(
            AuditEntry.at < datetime.combine(flt.until + timedelta(days=1), time(), TZ))
    if flt.under is not None:
        query = query.where(AuditEntry.org_path.like(f"{flt.under}%"))
    return query


async def entries(limit: int = 100, offset: int = 0, action: str | None = None,
                  object_type: str | None = None, object_id: str | None = None, *,
                  flt: AuditFilter | None = None) -> tuple[list[dict], int]:
    flt = flt or AuditFilter(action=action, object_type=object_type, object_id=object_id)
    query = _where(AuditEntry.select().order_by(AuditEntry.id, ascending=False), flt)
    rows = await query.limit(limit).offset(offset)
    for row in rows:
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return rows, await _where(AuditEntry.count(), flt)


async def actors(under: str | None) -> list[dict]:
    """The people who appear in the log the reader may see (for the filter)."""
    query = AuditEntry.select(AuditEntry.actor_id, AuditEntry.actor).distinct().where(
        AuditEntry.actor_id.is_not_null())
    if under is not None:
        query = query.where(AuditEntry.org_path.like(f"{under}%"))
    rows = await query
    return sorted({r["actor_id"]: r for r in rows}.values(), key=lambda r: r["actor"])
