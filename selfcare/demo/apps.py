from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "selfcare.demo"
    verbose_name = "Demo data"
