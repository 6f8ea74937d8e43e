import os

from piccolo.conf.apps import AppConfig

from .tables import Fair, FairAudience, FairIndustry

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Fair, FairIndustry, FairAudience],
    migration_dependencies=["fairs.accounts.piccolo_app", "fairs.catalog.piccolo_app"],
    commands=[],
)
