"""Piccolo's configuration: one engine for the whole app, chosen from FAIRS_DATABASE_URL."""

import os

from piccolo.conf.apps import AppRegistry

from fairs.db import engine_from_url
from fairs.settings import DEFAULT_DATABASE_URL

DB = engine_from_url(
    os.environ.get("FAIRS_DATABASE_URL") or DEFAULT_DATABASE_URL,
    synchronous=(os.environ.get("FAIRS_SQLITE_SYNCHRONOUS") or "NORMAL").upper(),
    inline=(os.environ.get("FAIRS_SQLITE_INLINE") or "on").lower() not in {"off", "0", "false"},
)

APP_REGISTRY = AppRegistry(
    apps=[
        "fairs.accounts.piccolo_app",
        "fairs.catalog.piccolo_app",
        "fairs.events.piccolo_app",
        "fairs.plans.piccolo_app",
        "fairs.employers.piccolo_app",
        "fairs.booths.piccolo_app",
        "fairs.tickets.piccolo_app",
        "fairs.checkin.piccolo_app",
        "fairs.calendar.piccolo_app",
        "fairs.reports.piccolo_app",
        "fairs.audit.piccolo_app",
    ]
)
