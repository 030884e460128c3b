"""Invoice numbers: gapless per series and fiscal year under concurrent posting (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from mizan.billing.models import Invoice
from mizan.billing.services.invoices import invoice_post
from mizan.billing.tests.factories import billing_member, draft_invoice, line, make_client, standard_tax
from mizan.core.models import Sequence
from mizan.ledger.models import JournalEntry

POSTINGS = 20


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL row locks and real concurrency; SQLite serializes every writer.",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_invoice_postings_get_gapless_numbers(other_tenant):
    """20 threads post 20 drafts at once; every 4th rolls back after taking its number."""
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = make_client(org)
    tax = standard_tax(org)
    drafts = [
        draft_invoice(other_tenant, company=client, lines=[line(unit_price=str(i + 1), tax=tax)])
        for i in range(POSTINGS)
    ]
    barrier = threading.Barrier(POSTINGS)
    errors: list[BaseException] = []

    class RollBack(Exception):
        pass

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                invoice_post(org=org, actor_membership=member, invoice=drafts[index])
                if index % 4 == 0:
                    raise RollBack
        except RollBack:
            pass
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(POSTINGS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    kept = POSTINGS - POSTINGS // 4
    numbers = sorted(Invoice.objects.filter(organization=org, number__isnull=False).values_list("number", flat=True))
    assert numbers == list(range(1, kept + 1))
    assert Invoice.objects.filter(organization=org, status=Invoice.Status.DRAFT).count() == POSTINGS // 4
    assert JournalEntry.objects.filter(organization=org, state="posted").count() == kept
    assert Sequence.objects.get(organization=org, key="billing:INV").next_value == kept + 1
