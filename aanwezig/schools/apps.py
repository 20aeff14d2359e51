from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "aanwezig.schools"
    label = "schools"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the project's system checks (aanwezig.E001, aanwezig.W001, ...).
        from aanwezig import checks  # noqa: F401
