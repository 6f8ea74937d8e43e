import os

from piccolo.conf.apps import AppConfig

from fairs.employers.tables import BookingRules, Employer, EmployerMember, NoShow, Position

APP_CONFIG = AppConfig(
    app_name="employers",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Employer, EmployerMember, Position, NoShow, BookingRules],
    migration_dependencies=['fairs.accounts.piccolo_app', 'fairs.catalog.piccolo_app'],
    commands=[],
)
