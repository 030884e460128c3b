"""`manage.py ledger_rebuild_summaries [--organization ID ...]`: recompute what the ledger keeps
beside its posted lines (account month balances, open items of reconciled accounts) from those
lines, for every organization by default. The posting service keeps both up to date; this is the
repair tool after a bulk load or a manual change of posted data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mizan.core.models import Organization
from mizan.ledger.services.month_balances import month_balances_rebuild
from mizan.ledger.services.open_items import open_items_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the account month balances (what the trial balance and statements read) and the open items "
        "(what the aging reads) from the posted lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", type=int, action="append", default=[], help="Only this organization id.")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.order_by("pk")
        if options["organization"]:
            organizations = organizations.filter(pk__in=options["organization"])
            missing = set(options["organization"]) - set(organizations.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No organization with id {', '.join(map(str, sorted(missing)))}.")
        for org in organizations:
            with transaction.atomic():
                balances = month_balances_rebuild(org=org)
                items = open_items_rebuild(org=org)
            self.stdout.write(f"{org.pk} {org}: {balances} month balance row(s), {items} open item(s)")
