import os

from piccolo.conf.apps import AppConfig

from .tables import SeekerProfile

APP_CONFIG = AppConfig(
    app_name="matching",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[SeekerProfile],
    migration_dependencies=["fairs.tickets.piccolo_app", "fairs.employers.piccolo_app"],
    commands=[],
)
