"""Demo bookkeeping for the Saudi demo organization: a sale, its receipt, an expense, and a
mistaken entry with its reversal, all through the posting service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mizan.core.models import Membership
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole, Journal, JournalEntry
from mizan.ledger.services.currencies import exchange_rate_set
from mizan.ledger.services.entries import journal_entry_create, journal_entry_reverse

DEMO_REFERENCE_PREFIX = "DEMO-"


def _role(org: Any, role: str) -> Account:
    return Account.objects.filter(organization=org, role=role).order_by("code").first()


def _client(org: Any, owner: Membership) -> Any:
    from mizan.crm.models import Company
    from mizan.crm.services.clients import company_create

    existing = Company.objects.filter(organization=org).order_by("pk").first()
    if existing is not None:
        return existing
    return company_create(
        org=org,
        actor_membership=owner,
        data={"name_ar": "مؤسسة النور للتجارة", "name_latin": "Al Noor Trading", "country": "SA"},
    )


def ledger_demo_seed(result: Any) -> None:
    """Registered with core's demo seeding; skips an organization that already has demo entries."""
    org = next((org for org in result.organizations if org.country == "SA"), None)
    if (
        org is None
        or JournalEntry.objects.filter(organization=org, reference__startswith=DEMO_REFERENCE_PREFIX).exists()
    ):
        return
    accountant = Membership.objects.filter(organization=org, role=Role.ACCOUNTANT, is_active=True).first()
    owner = Membership.objects.filter(organization=org, role=Role.OWNER).first()
    poster = accountant or owner
    client = _client(org, owner)
    journals = {journal.code: journal for journal in Journal.objects.filter(organization=org)}
    today = org.today()
    exchange_rate_set(org=org, actor_membership=poster, currency="USD", date=today, rate=Decimal("3.75"))
    receivable, revenue, vat = (
        _role(org, r) for r in (AccountRole.RECEIVABLE, AccountRole.REVENUE, AccountRole.VAT_PAYABLE)
    )
    bank, cash = _role(org, AccountRole.BANK), _role(org, AccountRole.CASH)

    def post(journal: str, reference: str, memo: str, lines: list[dict[str, Any]]) -> JournalEntry:
        return journal_entry_create(
            org=org,
            actor_membership=poster,
            journal=journals[journal],
            date=today,
            lines=lines,
            memo=memo,
            reference=DEMO_REFERENCE_PREFIX + reference,
            post=True,
        )

    post(
        "SAL",
        "INV-0001",
        "Consulting services – workshop",
        [
            {"account": receivable, "debit": Decimal("11500.00"), "partner": client},
            {"account": revenue, "credit": Decimal("10000.00"), "partner": client},
            {"account": vat, "credit": Decimal("1500.00"), "partner": client},
        ],
    )
    post(
        "BNK",
        "RCPT-0001",
        "Payment received for INV-0001",
        [
            {"account": bank, "debit": Decimal("11500.00")},
            {"account": receivable, "credit": Decimal("11500.00"), "partner": client},
        ],
    )
    rent = Account.objects.get(organization=org, code="5300")
    post(
        "BNK",
        "RENT-01",
        "Office rent",
        [
            {"account": rent, "debit": Decimal("5000.00")},
            {"account": _role(org, AccountRole.VAT_RECEIVABLE), "debit": Decimal("750.00")},
            {"account": bank, "credit": Decimal("5750.00")},
        ],
    )
    mistake = post(
        "CSH",
        "PETTY-01",
        "Office supplies (entered twice by mistake)",
        [
            {"account": _role(org, AccountRole.GENERAL_EXPENSE), "debit": Decimal("250.00")},
            {"account": cash, "credit": Decimal("250.00")},
        ],
    )
    journal_entry_reverse(org=org, actor_membership=poster, entry=mistake, date=today, memo="Duplicate entry")
