from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "kepling.reconciliation"
    label = "reconciliation"
