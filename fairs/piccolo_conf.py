"""Piccolo's configuration: one engine for the whole app, chosen from FAIRS_DATABASE_URL.

Piccolo imports this module by name (PICCOLO_CONF) before any Settings object exists, so the
engine's settings are read here, once, through DatabaseSettings (fairs/settings.py)."""

from piccolo.conf.apps import AppRegistry

from fairs.db.engine import engine_from_settings
from fairs.settings import DatabaseSettings

DB = engine_from_settings(DatabaseSettings.from_env())

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
        "fairs.notify.piccolo_app",
        "fairs.matching.piccolo_app",
        "fairs.followup.piccolo_app",
        "fairs.demand.piccolo_app",
        "fairs.outreach.piccolo_app",
    ]
)
