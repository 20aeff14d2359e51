from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "aanwezig.demo"
    label = "demo"
    verbose_name = "Demo data"
