from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "kepling.workers"
    label = "workers"
