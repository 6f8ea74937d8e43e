import os

from piccolo.conf.apps import AppConfig

from .tables import Registration, RegistrationTally

APP_CONFIG = AppConfig(
    app_name="tickets",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Registration, RegistrationTally],
    migration_dependencies=['fairs.events.piccolo_app'],
    commands=[],
)
