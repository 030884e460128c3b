"""Demo billing for every demo organization: posted invoices across recent months, payments in
full and in part, a partial credit note, an overdue balance, a draft, quotes at each stage and a
monthly retainer — all through the billing services, so the ledger and audit trail are real."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from mizan.billing.models import Invoice, Quote
from mizan.billing.services.invoices import credit_note_create, invoice_create, invoice_post
from mizan.billing.services.payments import payment_record
from mizan.billing.services.quotes import quote_accept, quote_create, quote_send
from mizan.billing.services.recurring import recurring_schedule_create
from mizan.core.models import Membership
from mizan.core.roles import Role
from mizan.crm.models import Company
from mizan.ledger.models import Account, AccountRole, FiscalYear
from mizan.sales.models import Product

#: (days before today, {product code: quantity}) of the posted demo invoices, oldest first.
_INVOICES = (
    (80, {"CONSULT-H": "24"}),
    (65, {"IMPL-P": "1", "CONSULT-H": "6"}),
    (50, {"RETAINER-M": "1"}),
    (38, {"CONSULT-H": "12"}),
    (20, {"RETAINER-M": "1", "CONSULT-H": "4"}),
    (6, {"CONSULT-H": "8"}),
)


def billing_demo_seed(result: Any) -> None:
    """Registered with core's demo seeding; skips an organization that already has invoices."""
    from mizan.sales.demo import sales_demo_seed

    sales_demo_seed(result)  # the catalog first (the sales app registers after billing)
    for org in result.organizations:
        if Invoice.objects.filter(organization=org).exists():
            continue
        member = (
            Membership.objects.filter(organization=org, role=Role.ACCOUNTANT, is_active=True).first()
            or Membership.objects.filter(organization=org, role=Role.OWNER).first()
        )
        clients = list(Company.objects.filter(organization=org).order_by("pk")[:4])
        if member is None or len(clients) < 2:
            continue
        _seed_organization(org, member, clients)


def _day(org: Any, days_ago: int) -> datetime.date:
    """A date `days_ago` before today, but not before the first fiscal year."""
    today = org.today()
    first_year = FiscalYear.objects.filter(organization=org).order_by("start_date").first()
    day = today - datetime.timedelta(days=days_ago)
    return max(day, first_year.start_date) if first_year is not None else today


def _lines(org: Any, quantities: dict[str, str]) -> list[dict[str, Any]]:
    products = {product.code: product for product in Product.objects.filter(organization=org, code__in=quantities)}
    return [{"product": products[code], "quantity": quantity} for code, quantity in quantities.items()]


def _seed_organization(org: Any, member: Membership, clients: list[Company]) -> None:
    bank = Account.objects.filter(organization=org, role=AccountRole.BANK, is_active=True).order_by("code").first()
    posted = []
    for index, (days_ago, quantities) in enumerate(_INVOICES):
        invoice = invoice_create(
            org=org,
            actor_membership=member,
            data={"company": clients[index % len(clients)], "issue_date": _day(org, days_ago)},
            lines=_lines(org, quantities),
        )
        posted.append(invoice_post(org=org, actor_membership=member, invoice=invoice))
    full, partial, _open, credited, paid_later, _recent = posted

    def pay(invoice: Invoice, amount: Decimal, days_ago: int, reference: str) -> None:
        payment_record(
            org=org,
            actor_membership=member,
            data={
                "company": invoice.company,
                "date": max(_day(org, days_ago), invoice.issue_date),
                "amount": amount,
                "currency": invoice.currency,
                "account": bank,
                "method": "bank_transfer",
                "reference": reference,
            },
            allocations=[{"invoice": invoice, "amount": amount}],
        )

    pay(full, full.total, 60, "TRF-1001")
    pay(partial, (partial.total / 2).quantize(Decimal("0.01")), 40, "TRF-1002")
    credit_note = credit_note_create(
        org=org,
        actor_membership=member,
        invoice=credited,
        reason="خصم متفق عليه على ساعتين / Agreed discount of two hours",
        lines=_lines(org, {"CONSULT-H": "2"}),
    )
    invoice_post(org=org, actor_membership=member, invoice=credit_note)
    pay(paid_later, paid_later.total, 3, "TRF-1003")
    invoice_create(
        org=org,
        actor_membership=member,
        data={"company": clients[1], "issue_date": org.today(), "notes": "مسودة للمراجعة / Draft for review"},
        lines=_lines(org, {"CONSULT-H": "10"}),
    )
    _seed_quotes(org, member, clients)
    recurring_schedule_create(
        org=org,
        actor_membership=member,
        data={
            "company": clients[0],
            "name": "اشتراك الدعم الشهري / Monthly support retainer",
            "frequency": "monthly",
            "start_date": org.today().replace(day=1) + datetime.timedelta(days=32),
            "currency": org.base_currency,
        },
        lines=_lines(org, {"RETAINER-M": "1"}),
    )


def _seed_quotes(org: Any, member: Membership, clients: list[Company]) -> None:
    quote_create(
        org=org,
        actor_membership=member,
        data={"company": clients[2 % len(clients)]},
        lines=_lines(org, {"IMPL-P": "1"}),
    )
    sent = quote_create(
        org=org,
        actor_membership=member,
        data={"company": clients[3 % len(clients)]},
        lines=_lines(org, {"CONSULT-H": "40"}),
    )
    if sent.company.email:
        quote_send(org=org, actor_membership=member, quote=sent)
    accepted = quote_create(
        org=org,
        actor_membership=member,
        data={"company": clients[0], "deposit_percent": Decimal("30")},
        lines=_lines(org, {"IMPL-P": "1"}),
    )
    if accepted.company.email:
        quote_send(org=org, actor_membership=member, quote=accepted)
        accepted.refresh_from_db()
    if accepted.status == Quote.Status.SENT:
        quote_accept(org=org, quote=accepted, responder_name="العميل / Client", actor_membership=member)
