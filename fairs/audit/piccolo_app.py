import os

from piccolo.conf.apps import AppConfig

from .tables import AuditEntry

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AuditEntry],
    migration_dependencies=["fairs.accounts.piccolo_app"],
    commands=[],
)
