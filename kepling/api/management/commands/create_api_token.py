"""Create an API token for a user and print its key (the only time the key is shown)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kepling.accounts.models import User
from kepling.api.actions import create_api_token


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print the key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'BPJS sync script'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user named '{options['username']}'.")
        try:
            token, key = create_api_token(by=None, user=user, name=options["name"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Token {token.pk} '{token.name}' for {user.username}; the key is shown only now:")
        self.stdout.write(key)
