from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kepling.accounts"
    label = "accounts"
