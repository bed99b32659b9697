from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "kepling.imports"
    label = "imports"
