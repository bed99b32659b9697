from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kepling.api"
    label = "api"
