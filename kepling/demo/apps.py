from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kepling.demo"
    label = "demo"
