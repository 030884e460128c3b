"""Create Mizan's demo organizations and people once, and print how to sign in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mizan.core.demo import DEMO_PASSWORD, OWNER_EMAIL, SAUDI_TEAM, demo_seed


class Command(BaseCommand):
    help = "Create the demo data (only the first time) and print the demo sign-in."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_seed()
        if result.created:
            names = ", ".join(org.name_en for org in result.organizations)
            self.stdout.write(f"Created the demo organizations: {names}.")
        else:
            self.stdout.write("Demo data already present: left unchanged.")
        others = ", ".join(f"{person.email} ({person.role})" for person in SAUDI_TEAM[1:])
        self.stdout.write(f"  E-mail:   {OWNER_EMAIL}")
        self.stdout.write(f"  Password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Other roles, same password: {others}")
