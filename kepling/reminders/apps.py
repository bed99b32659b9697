from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "kepling.reminders"
    label = "reminders"
