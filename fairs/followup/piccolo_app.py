import os

from piccolo.conf.apps import AppConfig

from .tables import FollowupTask

APP_CONFIG = AppConfig(
    app_name="followup",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[FollowupTask],
    migration_dependencies=["fairs.reports.piccolo_app"],
    commands=[],
)
