"""The billing demo: documents at every stage, through the services, agreeing with the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from mizan.billing.models import Invoice, Payment, Quote, RecurringSchedule
from mizan.billing.tests.factories import RECEIVABLE, role_balance
from mizan.core.demo import demo_seed
from mizan.ledger.selectors.balances import account_balances


@pytest.mark.django_db
def test_demo_billing_for_every_organization_matches_the_ledger():
    result = demo_seed()
    for org in result.organizations:
        invoices = Invoice.objects.filter(organization=org)
        statuses = set(invoices.values_list("status", flat=True))
        assert {"paid", "partially_paid", "posted", "draft"} <= statuses
        assert invoices.filter(kind=Invoice.Kind.CREDIT_NOTE, status="paid").count() == 1
        assert Payment.objects.filter(organization=org).count() == 3
        assert Quote.objects.filter(organization=org, status=Quote.Status.ACCEPTED).count() == 1
        assert RecurringSchedule.objects.filter(organization=org).count() == 1
        open_due = invoices.filter(kind="invoice", status__in=["posted", "partially_paid"]).aggregate(
            due=Sum("amount_due")
        )["due"]
        # The receivable in the ledger is what the open invoices still owe (no client credit in the demo).
        assert role_balance(org, RECEIVABLE) == open_due > Decimal("0")
        assert sum(account_balances(org=org).values()) == 0
    assert not demo_seed().created
