from django.apps import AppConfig


class SimulatorsConfig(AppConfig):
    name = "selfcare.simulators"
    label = "simulators"
    verbose_name = "Simulators (demo only)"
