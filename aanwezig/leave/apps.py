from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "aanwezig.leave"
    label = "leave"
    default_auto_field = "django.db.models.BigAutoField"
