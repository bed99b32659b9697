"""`kepling demo_if_empty`: used by `make run`; builds the demo only on an empty database."""

from typing import Any

from django.core.management.base import BaseCommand

from kepling.demo.management.commands.demo import print_logins
from kepling.demo.scenario import build_demo
from kepling.regions.models import Wilayah


class Command(BaseCommand):
    help = "Build the reference scenario if the database holds no wilayah yet, then print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if Wilayah.objects.exists():
            self.stdout.write("The database already holds data: the demo is not rebuilt.")
        else:
            self.stdout.write("Empty database: building the reference scenario (about half a minute)...")
            build_demo()
        print_logins(self)
