import os

from piccolo.conf.apps import AppConfig

from .tables import Audience, Channel, Industry, Venue

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Industry, Audience, Venue, Channel],
    migration_dependencies=["fairs.accounts.piccolo_app"],
    commands=[],
)
