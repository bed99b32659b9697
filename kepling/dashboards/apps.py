from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "kepling.dashboards"
    label = "dashboards"
