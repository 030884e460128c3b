"""Payment pages: list (filters, totals, export, query count), recording with allocations and a
one-time token, a payment's page (apply credit, refund), a credit note's credit, tenancy."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from mizan.billing.models import Allocation, Invoice, Payment
from mizan.billing.services.invoices import invoice_cancel
from mizan.billing.services.payments import payment_record
from mizan.billing.tests.factories import (
    RECEIVABLE,
    billing_member,
    line,
    make_client,
    posted_invoice,
    role_balance,
    standard_tax,
)
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole, JournalEntry

pytestmark = pytest.mark.django_db


def accountant(tenant):
    return client_for(tenant.user(Role.ACCOUNTANT))


def bank(org) -> Account:
    return Account.objects.get(organization=org, role=AccountRole.BANK)


def invoice_of(tenant, client, unit_price: str = "100", **data) -> Invoice:
    return posted_invoice(
        tenant, company=client, lines=[line(unit_price=unit_price, tax=standard_tax(tenant.org))], **data
    )


def pay(tenant, client, amount: str, allocations=(), **data) -> Payment:
    return payment_record(
        org=tenant.org,
        actor_membership=billing_member(tenant),
        data={"company": client, "amount": Decimal(amount), "account": bank(tenant.org), **data},
        allocations=[{"invoice": invoice, "amount": Decimal(value)} for invoice, value in allocations],
    )


def form_token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def create_data(tenant, client, amount: str, token: str, **extra) -> dict:
    org = tenant.org
    return {
        "company": client.pk,
        "currency": org.base_currency,
        "amount": amount,
        "date": org.today().isoformat(),
        "account": bank(org).pk,
        "method": "bank_transfer",
        "reference": "TRX-9",
        "notes": "",
        "token": token,
        **extra,
    }


# --- recording ------------------------------------------------------------------------------------


def test_record_a_payment_from_the_invoice_and_a_double_submit_records_one(other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    invoice = invoice_of(other_tenant, client_company)  # 114.00
    web = accountant(other_tenant)
    page = web.get(reverse("billing:payment_create") + f"?invoice={invoice.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="allocation-{invoice.pk}" value="114.00"' in html
    assert 'value="114.00"' in html and f'<option value="{client_company.pk}" selected' in html
    token = form_token(html)
    data = create_data(other_tenant, client_company, "114.00", token, **{f"allocation-{invoice.pk}": "114.00"})
    first = web.post(reverse("billing:payment_create"), data)
    payment = Payment.objects.get(organization=org)
    assert first.status_code == 302 and first["Location"] == reverse("billing:payment_detail", args=[payment.pk])
    again = web.post(reverse("billing:payment_create"), data, follow=True)
    assert again.redirect_chain[-1][0] == reverse("billing:payment_detail", args=[payment.pk])
    assert "already recorded" in again.content.decode()
    changed = web.post(reverse("billing:payment_create"), {**data, "amount": "120.00"})
    assert changed.status_code == 200 and "already recorded a payment" in changed.content.decode()
    assert Payment.objects.filter(organization=org).count() == 1
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert role_balance(org, RECEIVABLE, partner=client_company) == Decimal("0.00")
    assert role_balance(org, AccountRole.BANK) == Decimal("114.00")


def test_the_fragment_prefills_open_invoices_oldest_due_first(other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    today = org.today()
    newer = invoice_of(other_tenant, client_company)  # 114, due in 30 days
    older = invoice_of(other_tenant, client_company, "50", due_date=today)  # 57, due today
    response = accountant(other_tenant).get(
        reverse("billing:payment_open_invoices"), {"company": client_company.pk, "currency": "EGP", "amount": "100"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="allocation-{older.pk}" value="57.00"' in html
    assert f'name="allocation-{newer.pk}" value="43.00"' in html
    assert html.index(older.display_number) < html.index(newer.display_number)


def test_the_invoice_the_payment_was_opened_from_keeps_first_call_on_the_amount(other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    newer = invoice_of(other_tenant, client_company)  # 114, due in 30 days
    older = invoice_of(other_tenant, client_company, "50", due_date=org.today())  # 57, due today
    params = {"company": client_company.pk, "currency": "EGP", "amount": "100", "first_invoice": newer.pk}
    html = accountant(other_tenant).get(reverse("billing:payment_open_invoices"), params).content.decode()
    assert f'name="allocation-{newer.pk}" value="100.00"' in html
    assert f'name="allocation-{older.pk}" value=""' in html
    page = accountant(other_tenant).get(reverse("billing:payment_create"), {"invoice": newer.pk}).content.decode()
    assert f'name="first_invoice" value="{newer.pk}"' in page


def test_a_bad_allocation_shows_the_error_and_records_nothing(other_tenant, tenant):
    org = other_tenant.org
    client_company = make_client(org)
    invoice = invoice_of(other_tenant, client_company)
    foreign = posted_invoice(tenant, lines=[line(tax=standard_tax(tenant.org, "15"))])
    web = accountant(other_tenant)
    token = form_token(web.get(reverse("billing:payment_create")).content.decode())
    entries = JournalEntry.objects.filter(organization=org).count()
    cases = [
        ({f"allocation-{invoice.pk}": "150"}, "200", "more than the"),
        ({f"allocation-{invoice.pk}": "114"}, "100", "more than the payment"),
        ({f"allocation-{foreign.pk}": "10"}, "100", "Invoice not found"),
        ({f"allocation-{invoice.pk}": "abc"}, "100", "as a number"),
        ({}, "0", "greater than zero"),
    ]
    for allocations, amount, message in cases:
        response = web.post(
            reverse("billing:payment_create"), create_data(other_tenant, client_company, amount, token, **allocations)
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Payment.objects.filter(organization=org).exists()
    assert JournalEntry.objects.filter(organization=org).count() == entries
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("114.00")


def test_an_account_that_is_not_bank_or_cash_is_not_offered(other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    web = accountant(other_tenant)
    token = form_token(web.get(reverse("billing:payment_create")).content.decode())
    revenue = Account.objects.get(organization=org, role=AccountRole.REVENUE)
    response = web.post(
        reverse("billing:payment_create"), create_data(other_tenant, client_company, "10", token, account=revenue.pk)
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Payment.objects.filter(organization=org).exists()


def test_a_forged_token_is_refused(other_tenant):
    client_company = make_client(other_tenant.org)
    response = accountant(other_tenant).post(
        reverse("billing:payment_create"), create_data(other_tenant, client_company, "10", "not-a-token")
    )
    assert response.status_code == 200 and "expired" in response.content.decode()
    assert not Payment.objects.filter(organization=other_tenant.org).exists()


# --- a payment's page: apply credit, refund --------------------------------------------------------


def test_apply_credit_and_refund_from_the_payment_page(other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    payment = pay(other_tenant, client_company, "200")
    invoice = invoice_of(other_tenant, client_company)  # 114
    web = accountant(other_tenant)
    page = web.get(reverse("billing:payment_detail", args=[payment.pk]))
    assert page.status_code == 200 and invoice.display_number in page.content.decode()
    today = org.today().isoformat()
    response = web.post(
        reverse("billing:payment_apply_credit", args=[payment.pk]),
        {"apply-invoice": invoice.pk, "apply-amount": "114", "apply-date": today},
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    too_much = web.post(
        reverse("billing:payment_refund", args=[payment.pk]),
        {
            "refund-amount": "90",
            "refund-date": today,
            "refund-account": bank(org).pk,
            "refund-method": "bank_transfer",
        },
    )
    assert too_much.status_code == 200 and "more than the" in too_much.content.decode()
    response = web.post(
        reverse("billing:payment_refund", args=[payment.pk]),
        {
            "refund-amount": "86",
            "refund-date": today,
            "refund-account": bank(org).pk,
            "refund-method": "bank_transfer",
        },
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.unallocated == 0
    refund = Payment.objects.get(organization=org, direction=Payment.Direction.REFUND)
    assert web.get(reverse("billing:payment_detail", args=[refund.pk])).status_code == 200
    assert role_balance(org, AccountRole.BANK) == Decimal("114.00")
    assert role_balance(org, RECEIVABLE, partner=client_company) == Decimal("0.00")


def test_credit_note_credit_page_refunds_it(other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    invoice = invoice_of(other_tenant, client_company)
    pay(other_tenant, client_company, "114", [(invoice, "114")])
    credit_note = invoice_cancel(
        org=org, actor_membership=billing_member(other_tenant), invoice=invoice, reason="Returned"
    )
    web = accountant(other_tenant)
    assert web.get(reverse("billing:credit_note_credit", args=[credit_note.pk])).status_code == 200
    response = web.post(
        reverse("billing:credit_note_refund", args=[credit_note.pk]),
        {
            "refund-amount": "114",
            "refund-date": org.today().isoformat(),
            "refund-account": bank(org).pk,
            "refund-method": "cheque",
        },
    )
    assert response.status_code == 302
    credit_note.refresh_from_db()
    assert credit_note.amount_due == 0
    assert role_balance(org, AccountRole.BANK) == Decimal("0.00")
    assert role_balance(org, RECEIVABLE, partner=client_company) == Decimal("0.00")


# --- list ------------------------------------------------------------------------------------------


def test_list_filters_totals_and_export(other_tenant):
    org = other_tenant.org
    first, second = make_client(org), make_client(org, name_latin="Second Co", name_ar="")
    pay(other_tenant, first, "100", reference="=cmd")
    pay(other_tenant, second, "30.50", method="cash")
    web = accountant(other_tenant)
    response = web.get(reverse("billing:payment_list"))
    html = response.content.decode()
    assert response.status_code == 200 and "RCT-" in html
    assert response.context["totals"] == [
        {"currency": "EGP", "received": Decimal("130.50"), "refunded": Decimal("0"), "unallocated": Decimal("130.50")}
    ]
    filtered = web.get(reverse("billing:payment_list"), {"method": "cash"})
    assert [payment.company for payment in filtered.context["payments"]] == [second]
    export = web.get(reverse("billing:payment_list"), {"company": first.pk, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][5] == "100.00" and rows[1][10] == "'=cmd"
    xlsx = web.get(reverse("billing:payment_list"), {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert web.get(reverse("billing:payment_list"), {"export": "pdf"}).status_code == 400


def _list_queries(web) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = web.get(reverse("billing:payment_list"))
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_list_query_count_is_constant(other_tenant, django_assert_num_queries):
    org = other_tenant.org
    web = accountant(other_tenant)
    pay(other_tenant, make_client(org), "10")
    one = _list_queries(web)
    for number in range(20):
        pay(other_tenant, make_client(org, name_latin=f"Client {number}", name_ar=""), "10")
    assert _list_queries(web) == one
    # session, user, membership, organization, notifications; count, totals, the two filter choices, the rows
    with django_assert_num_queries(10):
        web.get(reverse("billing:payment_list"))


# --- access and tenancy ----------------------------------------------------------------------------


def test_sales_member_sees_payments_but_cannot_record(tenant):
    web = client_for(tenant.user(Role.SALES))
    assert web.get(reverse("billing:payment_list")).status_code == 200
    assert web.get(reverse("billing:payment_create")).status_code == 403


def test_another_organizations_records_are_404_and_nothing_changes(tenant, other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    invoice = invoice_of(other_tenant, client_company)
    payment = pay(other_tenant, client_company, "200")
    credit_invoice = invoice_of(other_tenant, client_company)
    pay(other_tenant, client_company, "114", [(credit_invoice, "114")])
    credit_note = invoice_cancel(
        org=org, actor_membership=billing_member(other_tenant), invoice=credit_invoice, reason="x"
    )
    web = accountant(tenant)
    today = tenant.org.today().isoformat()
    assert web.get(reverse("billing:payment_detail", args=[payment.pk])).status_code == 404
    assert web.get(reverse("billing:payment_create") + f"?invoice={invoice.pk}").status_code == 404
    assert web.get(reverse("billing:payment_open_invoices"), {"company": client_company.pk}).status_code == 404
    assert web.get(reverse("billing:credit_note_credit", args=[credit_note.pk])).status_code == 404
    apply = {"apply-invoice": invoice.pk, "apply-amount": "10", "apply-date": today}
    assert web.post(reverse("billing:payment_apply_credit", args=[payment.pk]), apply).status_code == 404
    refund = {"refund-amount": "10", "refund-date": today, "refund-account": bank(tenant.org).pk}
    assert web.post(reverse("billing:payment_refund", args=[payment.pk]), refund).status_code == 404
    assert web.post(reverse("billing:credit_note_refund", args=[credit_note.pk]), refund).status_code == 404
    payment.refresh_from_db()
    invoice.refresh_from_db()
    credit_note.refresh_from_db()
    assert payment.amount_used == 0 and invoice.amount_due == Decimal("114.00")
    assert credit_note.amount_due == Decimal("114.00")
    assert not Allocation.objects.filter(payment=payment).exists()
    assert Payment.objects.filter(organization=org).count() == 2


def test_pages_have_no_inline_styles_or_scripts(other_tenant):
    org = other_tenant.org
    client_company = make_client(org)
    invoice = invoice_of(other_tenant, client_company)
    payment = pay(other_tenant, client_company, "200", [(invoice, "114")])
    web = accountant(other_tenant)
    for url in (
        reverse("billing:payment_list"),
        reverse("billing:payment_create") + f"?invoice={invoice.pk}",
        reverse("billing:payment_detail", args=[payment.pk]),
    ):
        html = web.get(url).content.decode()
        assert " style=" not in html and "<script>" not in html and "onclick" not in html


def test_an_overpayment_says_what_is_kept_as_credit(other_tenant):
    from django.contrib.messages import get_messages

    org = other_tenant.org
    client_company = make_client(org)
    invoice = invoice_of(other_tenant, client_company)  # 114 due
    web = accountant(other_tenant)
    token = form_token(web.get(reverse("billing:payment_create")).content.decode())
    response = web.post(
        reverse("billing:payment_create"),
        {
            "token": token,
            "company": client_company.pk,
            "currency": "EGP",
            "amount": "150",
            "date": org.today().isoformat(),
            "method": "bank_transfer",
            "account": bank(org).pk,
            f"allocation-{invoice.pk}": "114",
        },
    )
    assert response.status_code == 302
    text = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "36.00" in text or "٣٦" in text
