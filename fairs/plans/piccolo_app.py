import os

from piccolo.conf.apps import AppConfig

from .tables import Plan, PlanTheme

APP_CONFIG = AppConfig(
    app_name="plans",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Plan, PlanTheme],
    migration_dependencies=['fairs.events.piccolo_app'],
    commands=[],
)
