"""A client's account: balance due, overdue and credit per currency (page and API), its documents and
payments, the statement of account (page rows and PDF), constant queries, another organization's 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import Invoice
from mizan.billing.selectors.clients import client_account
from mizan.billing.services.invoices import credit_note_create, invoice_post
from mizan.billing.services.payments import payment_record, refund_create
from mizan.billing.tests.factories import (
    RECEIVABLE,
    billing_member,
    draft_invoice,
    line,
    make_client,
    posted_invoice,
    role_balance,
    standard_tax,
)
from mizan.core.roles import Role
from mizan.core.tests.test_i18n_pages import inline_code
from mizan.ledger.models import Account, AccountRole
from mizan.ledger.services.currencies import exchange_rate_set

pytestmark = pytest.mark.django_db

D = Decimal


def _bank(org) -> Account:
    return Account.objects.get(organization=org, role=AccountRole.BANK)


def _credit_note(tenant, invoice: Invoice, unit_price: str) -> Invoice:
    member = billing_member(tenant)
    note = credit_note_create(
        org=tenant.org,
        actor_membership=member,
        invoice=invoice,
        reason="Discount",
        lines=[line(unit_price=unit_price, tax=standard_tax(tenant.org, "15"))],
    )
    return invoice_post(org=tenant.org, actor_membership=member, invoice=note)


@pytest.fixture
def account_setup(tenant):
    """SAR: 1,150 paid by a 1,500 payment (50 refunded), 230 partly credited (115 left), 115 overdue,
    a 57.50 credit note on the paid invoice (unused); USD: 100 due; plus a draft and another client."""
    org = tenant.org
    member = billing_member(tenant)
    today = org.today()
    tax = standard_tax(org, "15")
    client = make_client(org, name_latin="Client One")
    long_ago = today - datetime.timedelta(days=40)
    paid = posted_invoice(tenant, company=client, issue_date=long_ago, lines=[line(unit_price="1000", tax=tax)])
    overdue = posted_invoice(tenant, company=client, issue_date=long_ago, lines=[line(unit_price="100", tax=tax)])
    credited = posted_invoice(tenant, company=client, issue_date=today, lines=[line(unit_price="200", tax=tax)])
    _credit_note(tenant, credited, "100")  # 115 of 230 credited
    exchange_rate_set(org=org, actor_membership=tenant.members[Role.OWNER], currency="USD", date=today, rate="3.75")
    usd = posted_invoice(tenant, company=client, currency="USD", lines=[line(unit_price="100", tax=None)])
    payment = payment_record(
        org=org,
        actor_membership=member,
        data={"company": client, "amount": D("1500"), "currency": "SAR", "account": _bank(org), "date": today},
        allocations=[{"invoice": paid, "amount": D("1150")}],
    )
    refund_create(org=org, actor_membership=member, source=payment, amount="50", date=today, account=_bank(org))
    _credit_note(tenant, paid, "50")  # 57.50, the invoice is paid: all of it is credit
    draft_invoice(tenant, company=client, lines=[line(unit_price="999")])
    posted_invoice(tenant, company=make_client(org, name_latin="Someone Else"))
    return {"client": client, "overdue": overdue, "usd": usd, "payment": payment}


EXPECTED_SAR = {
    "invoiced": D("1495.00"),
    "credited": D("172.50"),
    "received": D("1500.00"),
    "refunded": D("50.00"),
    "balance_due": D("230.00"),
    "overdue": D("115.00"),
    "unallocated_payments": D("300.00"),
    "unused_credit_notes": D("57.50"),
    "credit": D("357.50"),
    "net_balance": D("-127.50"),
}
EXPECTED_USD = {
    "invoiced": D("100.00"),
    "credited": D("0"),
    "received": D("0"),
    "refunded": D("0"),
    "balance_due": D("100.00"),
    "overdue": D("0"),
    "unallocated_payments": D("0"),
    "unused_credit_notes": D("0"),
    "credit": D("0"),
    "net_balance": D("100.00"),
}


def _figures(row) -> dict:
    return {name: getattr(row, name) for name in EXPECTED_SAR}


def test_account_figures_per_currency_match_the_ledger(tenant, account_setup):
    org = tenant.org
    client = account_setup["client"]
    account = client_account(org=org, company=client)
    assert [row.currency for row in account.currencies] == ["SAR", "USD"]
    assert _figures(account.figures_for("SAR")) == EXPECTED_SAR
    assert _figures(account.figures_for("USD")) == EXPECTED_USD
    # The receivable in the ledger (SAR) is the net balance of each currency at its rate.
    assert role_balance(org, RECEIVABLE, partner=client) == D("-127.50") + D("100") * D("3.75")
    assert len(account.invoices) == 7  # 4 invoices (one USD), 2 credit notes, 1 draft
    assert {invoice.company_id for invoice in account.invoices} == {client.pk}
    # Newest first: same day, the refund was recorded after the payment.
    assert [(payment.direction, payment.amount) for payment in account.payments] == [
        ("refund", D("50.000")),
        ("received", D("1500.000")),
    ]


def test_account_page_shows_figures_documents_and_statement(tenant, account_setup, owner_client):
    client = account_setup["client"]
    url = reverse("billing:client_account", args=[client.pk])
    assert url == f"/billing/clients/{client.pk}/"
    response = owner_client.get(url)
    assert response.status_code == 200
    context = response.context
    assert _figures(context["account"].figures_for("SAR")) == EXPECTED_SAR
    html = response.content.decode()
    assert inline_code(html) == []
    assert 'data-net-balance="-127.50"' in html and 'data-overdue="115.00"' in html
    assert account_setup["overdue"].display_number in html
    assert reverse("billing:payment_detail", args=[account_setup["payment"].pk]) in html
    assert account_setup["payment"].display_number in html
    assert reverse("billing:invoice_detail", args=[account_setup["usd"].pk]) in html

    statement = context["statement"]
    today = tenant.org.today()
    assert (statement.date_from, statement.date_to) == (today.replace(month=1, day=1), today)
    sar = statement.currencies[0]
    assert sar.currency == "SAR" and sar.closing_balance == D("-127.50")
    assert [row.kind for row in sar.rows].count("credit_note") == 2
    assert statement.closing_balances["USD"] == D("100.00")
    assert f'data-closing="{sar.closing_balance}"' in html
    pdf_url = context["pdf_url"]
    assert pdf_url.startswith(f"/billing/clients/{client.pk}/statement.pdf?date_from=")

    # A period after everything: opening balances only, no rows.
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    response = owner_client.get(url, {"date_from": tomorrow, "date_to": tomorrow})
    sections = response.context["statement"].currencies
    assert [(section.currency, section.opening_balance, section.rows) for section in sections] == [
        ("SAR", D("-127.50"), []),
        ("USD", D("100.00"), []),
    ]
    response = owner_client.get(url, {"date_from": tomorrow, "date_to": today.isoformat()})
    assert response.status_code == 200 and response.context["statement"] is None
    assert "The end date must not be before the start date." in response.content.decode()


def test_statement_pdf_download(tenant, account_setup, owner_client):
    client = account_setup["client"]
    today = tenant.org.today()
    url = reverse("billing:client_statement_pdf", args=[client.pk])
    response = owner_client.get(
        url, {"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat(), "language": "ar"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    response = owner_client.get(url, {"date_from": today.isoformat(), "date_to": "2000-01-01"})
    assert response.status_code == 302 and response["Location"].startswith(f"/billing/clients/{client.pk}/?")


def test_account_api_gives_the_same_figures(tenant, account_setup):
    client = account_setup["client"]
    api = token_client_for(tenant.members[Role.ACCOUNTANT])
    response = api.get(f"/api/v1/billing/clients/{client.pk}/account/")
    assert response.status_code == 200
    body = response.json()
    assert body["company"] == client.pk and body["company_name"] == "Client One"
    sar, usd = body["currencies"]
    assert sar == {"currency": "SAR", **{name: f"{value:.3f}" for name, value in EXPECTED_SAR.items()}}
    assert usd == {"currency": "USD", **{name: f"{value:.3f}" for name, value in EXPECTED_USD.items()}}


def test_account_page_queries_do_not_grow_with_documents(tenant, owner_client, django_assert_num_queries):
    org = tenant.org
    client = make_client(org)
    url = f"/billing/clients/{client.pk}/"
    posted_invoice(tenant, company=client)
    with CaptureQueriesContext(connection) as few:
        assert owner_client.get(url).status_code == 200
    billing = [query["sql"] for query in few.captured_queries if "billing_" in query["sql"]]
    # documents, payments, 2 sums; settings (statement language); statement: 2 opening sums + 2 lists
    assert len(billing) == 9, billing
    for _ in range(3):
        posted_invoice(tenant, company=client, lines=[line(tax=standard_tax(org, "15"))])
    draft_invoice(tenant, company=client)
    payment_record(
        org=org,
        actor_membership=billing_member(tenant),
        data={"company": client, "amount": D("10"), "currency": "SAR", "account": _bank(org)},
    )
    with django_assert_num_queries(len(few.captured_queries)):
        response = owner_client.get(url)
    assert len(response.context["account"].invoices) == 5
    api = token_client_for(tenant.members[Role.ACCOUNTANT])
    api.get(f"/api/v1/billing/clients/{client.pk}/account/")  # warm the token's caches
    with CaptureQueriesContext(connection) as api_queries:
        assert api.get(f"/api/v1/billing/clients/{client.pk}/account/").status_code == 200
    assert len([query for query in api_queries.captured_queries if "billing_" in query["sql"]]) == 2


def test_crm_company_page_links_to_the_account(tenant, owner_client):
    client = make_client(tenant.org)
    html = owner_client.get(f"/crm/companies/{client.pk}/").content.decode()
    assert f'href="/billing/clients/{client.pk}/"' in html


def test_another_organizations_company_is_404(tenant, other_tenant, owner_client):
    foreign = make_client(other_tenant.org)
    foreign_invoice = posted_invoice(other_tenant, company=foreign)
    assert owner_client.get(f"/billing/clients/{foreign.pk}/").status_code == 404
    assert owner_client.get(f"/billing/clients/{foreign.pk}/statement.pdf").status_code == 404
    response = token_client_for(tenant.members[Role.ACCOUNTANT]).get(f"/api/v1/billing/clients/{foreign.pk}/account/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client_for(tenant.user(Role.EMPLOYEE)).get(f"/billing/clients/{foreign.pk}/").status_code == 403
    foreign_invoice.refresh_from_db()
    assert foreign_invoice.status == Invoice.Status.POSTED
