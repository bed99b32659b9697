from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "kepling.contributions"
    label = "contributions"
