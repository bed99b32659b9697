from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kepling.core"
    label = "core"
    verbose_name = "Core"
