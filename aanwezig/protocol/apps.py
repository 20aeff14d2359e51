from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "aanwezig.protocol"
    label = "protocol"
    default_auto_field = "django.db.models.BigAutoField"
