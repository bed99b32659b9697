from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kepling.reports"
    label = "reports"
