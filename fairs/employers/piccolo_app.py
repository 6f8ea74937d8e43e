import os

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(
    app_name="employers",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[],
    migration_dependencies=['fairs.accounts.piccolo_app', 'fairs.catalog.piccolo_app'],
    commands=[],
)
