"""Builders shared by the quote tests (this module holds no test)."""

from __future__ import annotations

import sys
import types
from decimal import Decimal
from typing import Any

import pytest

from mizan.billing.models import Quote
from mizan.billing.services.quotes import quote_create, quote_send
from mizan.billing.tests.factories import billing_member, line, make_client, standard_tax
from mizan.core.roles import Role
from mizan.crm.models import Contact, Deal
from mizan.crm.services.deals import deal_create

FAKE_PDF = b"%PDF-1.7 quote"


@pytest.fixture
def fake_quote_pdf(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Quote PDFs are rendered by mizan.billing.pdf (tested there); these tests need only its bytes."""
    try:
        import mizan.billing.pdf as pdf_module
    except ImportError:  # the PDF module is not there yet: stand in for it
        pdf_module = types.ModuleType("mizan.billing.pdf")
        monkeypatch.setitem(sys.modules, "mizan.billing.pdf", pdf_module)
    monkeypatch.setattr(pdf_module, "quote_pdf", lambda quote: FAKE_PDF, raising=False)
    return FAKE_PDF


def client_with_contact(org: Any, *, language: str = "", email: str = "sara@client.example") -> tuple[Any, Contact]:
    company = make_client(org, language=language, email="accounts@client.example")
    contact = Contact.objects.create(organization=org, name_latin="Sara", company=company, email=email)
    return company, contact


def open_deal(tenant: Any, company: Any, contact: Contact | None = None, **data: Any) -> Deal:
    data.setdefault("title", "Office fit-out")
    data.setdefault("value", Decimal("5000"))
    data["company"] = company
    if contact is not None:
        data["contacts"] = [contact]
    return deal_create(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data=data)


def three_lines(org: Any) -> list[dict]:
    """600 less 10% = 540 at VAT; 50.50 at VAT; 100 without tax."""
    tax = standard_tax(org)
    return [
        line("Design", quantity="3", unit_price="200", discount_percent="10", tax=tax),
        line("Printing", unit_price="50.50", tax=tax),
        line("Government fee", unit_price="100", tax=None),
    ]


def make_quote(tenant: Any, *, company: Any = None, lines: list[dict] | None = None, **data: Any) -> Quote:
    org = tenant.org
    if company is None and "deal" not in data:
        company = make_client(org)
    if company is not None:
        data["company"] = company
    return quote_create(
        org=org,
        actor_membership=billing_member(tenant),
        data=data,
        lines=lines if lines is not None else [line(tax=standard_tax(org))],
    )


def sent_quote(tenant: Any, **kwargs: Any) -> Quote:
    quote = make_quote(tenant, **kwargs)
    return quote_send(org=tenant.org, actor_membership=billing_member(tenant), quote=quote, to="client@example.com")
