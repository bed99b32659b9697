from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "kepling.regions"
    label = "regions"
