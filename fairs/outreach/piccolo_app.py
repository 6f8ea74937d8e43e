import os

from piccolo.conf.apps import AppConfig

from .tables import EmployerOfficer, EmployerService

APP_CONFIG = AppConfig(
    app_name="outreach",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[EmployerService, EmployerOfficer],
    migration_dependencies=["fairs.accounts.piccolo_app", "fairs.employers.piccolo_app"],
    commands=[],
)
