"""Builders for billing tests: a client, invoices through the services, account balances."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from mizan.billing.models import Invoice, Tax, TaxKind
from mizan.billing.services.invoices import invoice_create, invoice_post
from mizan.core.roles import Role
from mizan.crm.models import Company
from mizan.ledger.models import Account, AccountRole, JournalLine


def make_client(org: Any, *, name_ar: str = "شركة النخبة", name_latin: str = "Elite Co", **fields: Any) -> Company:
    return Company.objects.create(organization=org, name_ar=name_ar, name_latin=name_latin, **fields)


def standard_tax(org: Any, rate: str | None = None) -> Tax:
    taxes = Tax.objects.filter(organization=org, kind=TaxKind.STANDARD, valid_to__isnull=True)
    if rate is not None:
        taxes = taxes.filter(rate=Decimal(rate))
    return taxes.first()


def billing_member(tenant: Any) -> Any:
    return tenant.members[Role.ACCOUNTANT]


def line(description: str = "Consulting", quantity: str = "1", unit_price: str = "100", **extra: Any) -> dict:
    return {"description": description, "quantity": quantity, "unit_price": unit_price, **extra}


def draft_invoice(
    tenant: Any,
    *,
    company: Company | None = None,
    lines: list[dict] | None = None,
    issue_date: datetime.date | None = None,
    **data: Any,
) -> Invoice:
    org = tenant.org
    tax = standard_tax(org)
    return invoice_create(
        org=org,
        actor_membership=billing_member(tenant),
        data={"company": company or make_client(org), "issue_date": issue_date or org.today(), **data},
        lines=lines if lines is not None else [line(tax=tax)],
    )


def posted_invoice(tenant: Any, **kwargs: Any) -> Invoice:
    invoice = draft_invoice(tenant, **kwargs)
    return invoice_post(org=tenant.org, actor_membership=billing_member(tenant), invoice=invoice)


def account_balance(account: Account, *, partner: Company | None = None) -> Decimal:
    """Posted debit minus credit of one account in the base currency."""
    lines = JournalLine.objects.filter(account=account, entry__state="posted")
    if partner is not None:
        lines = lines.filter(partner=partner)
    totals = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (totals["debit"] or Decimal("0")) - (totals["credit"] or Decimal("0"))


def role_balance(org: Any, role: str, *, partner: Company | None = None) -> Decimal:
    total = Decimal("0")
    for account in Account.objects.filter(organization=org, role=role):
        total += account_balance(account, partner=partner)
    return total


RECEIVABLE = AccountRole.RECEIVABLE
REVENUE = AccountRole.REVENUE
VAT = AccountRole.VAT_PAYABLE
