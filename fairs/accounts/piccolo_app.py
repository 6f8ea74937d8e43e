import os

from piccolo.conf.apps import AppConfig

from .tables import ApiToken, Organisation, User

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Organisation, User, ApiToken],
    migration_dependencies=[],
    commands=[],
)
