"""The demo seeding posts a few entries for the Saudi organization, through the services, once."""

from __future__ import annotations

import pytest

from mizan.core.demo import demo_seed
from mizan.ledger.models import JournalEntry
from mizan.ledger.selectors.balances import account_balances


@pytest.mark.django_db
def test_demo_seed_posts_saudi_entries_once():
    result = demo_seed()
    saudi = next(org for org in result.organizations if org.country == "SA")
    # The ledger's own demo entries; billing's demo posts its invoices and payments with a source.
    entries = JournalEntry.objects.filter(organization=saudi, source_type__isnull=True)
    assert entries.count() == 5
    assert entries.filter(state="posted").count() == 5
    assert entries.filter(reversal_of__isnull=False).count() == 1
    assert set(entries.values_list("journal__code", flat=True)) == {"SAL", "BNK", "CSH"}
    assert sum(account_balances(org=saudi).values()) == 0
    again = demo_seed()
    assert not again.created
    assert entries.count() == 5
    others = [org for org in result.organizations if org.country != "SA"]
    assert not JournalEntry.objects.filter(organization__in=others, source_type__isnull=True).exists()
