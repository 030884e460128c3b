"""In a real browser, in Arabic (right-to-left), the billing main flow: a member writes a quote with
the shared line editor and sends it; the client, not signed in, opens the public link and accepts;
the member posts the invoice drafted from the quote and records the payment, and the invoice is paid."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse
from django.utils import translation

from mizan.billing.models import Allocation, Invoice, Payment, Quote
from mizan.billing.public_links import quote_from_token
from mizan.billing.tests.factories import RECEIVABLE, account_balance, role_balance, standard_tax
from mizan.browser_tests.helpers import PASSWORD, pick, sign_in
from mizan.core.formatting import Formatter
from mizan.core.models import Membership, Organization, User
from mizan.core.services.organizations import organization_create
from mizan.crm.models import Deal
from mizan.crm.services.clients import company_create
from mizan.crm.services.deals import deal_create
from mizan.ledger.models import Account, AccountRole
from mizan.sales.services.catalog import product_create

CLIENT_NAME = "شركة الراجحي للمقاولات"
RESPONDER = "فهد الراجحي"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def arabic_owner() -> User:
    user = User.objects.create_user(
        email="owner@billing.browser.mizan.local", password=PASSWORD, full_name="عبدالله الحربي", language="ar"
    )
    organization_create(owner=user, name_ar="شركة ميزان للاستشارات", name_en="Mizan Consulting", country="SA")
    return user


def _wait_until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}")


def _watch_errors(page) -> list[str]:
    """The same checks as conftest's `page` fixture, for a page of another browser context."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def _arabic_label(choice) -> str:
    with translation.override("ar"):
        return str(choice.label)


def test_quote_to_paid_invoice_in_arabic(
    page, browser, live_server, arabic_owner: User, artifacts: Path, mailoutbox
) -> None:
    started = time.monotonic()
    org = Organization.objects.get(memberships__user=arabic_owner)
    owner = Membership.objects.get(organization=org, user=arabic_owner)
    client = company_create(
        org=org,
        actor_membership=owner,
        data={
            "name_ar": CLIENT_NAME,
            "name_latin": "Al Rajhi Contracting",
            "email": "finance@rajhi-contracting.example",
            "vat_number": "310123456700003",
            "country": "SA",
            "language": "ar",
        },
    )
    deal_data = {"title": "تدقيق حسابات ٢٠٢٦", "company": client, "value": Decimal("2000")}
    deal = deal_create(org=org, actor_membership=owner, data=deal_data)
    vat = standard_tax(org)
    product = product_create(
        org=org,
        actor_membership=owner,
        data={
            "kind": "service",
            "code": "AUDIT",
            "name_ar": "تدقيق مالي",
            "name_en": "Audit",
            "unit": "day",
            "default_tax": vat,
        },
        prices={"SAR": Decimal("1000")},
    )
    bank = Account.objects.filter(organization=org, role=AccountRole.BANK, is_active=True).order_by("code")[0]
    ar = Formatter.for_org(org, language="ar")
    sign_in(page, live_server, arabic_owner)

    # 1. A new quote for the client, one catalog line: 2 days x 1,000 SAR + 15% VAT = 2,300 SAR.
    page.goto(live_server.url + reverse("billing:quote_create") + f"?company={client.pk}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    form = page.locator("form:has([data-lines-editor])")
    assert form.locator('select[name="company"]').input_value() == str(client.pk)
    pick(form, "deal", "تدقيق", "تدقيق حسابات")  # the deal picker lists this client's deals
    form.locator('input[name="title"]').fill("عرض تدقيق الحسابات")
    form.locator('select[name="lines-0-product"]').select_option(str(product.pk))
    form.locator('input[name="lines-0-quantity"]').fill("2")
    assert form.locator('input[name="lines-0-unit_price"]').get_attribute("placeholder") == "1000.000"
    page.screenshot(path=str(artifacts / "billing-quote-form-ar.png"), full_page=True)
    form.locator('button[type="submit"]').click()
    _wait_until(lambda: Quote.objects.filter(organization=org).exists(), "the quote to be saved")
    quote = Quote.objects.get(organization=org)
    page.wait_for_url(f"**{reverse('billing:quote_detail', args=[quote.pk])}")
    assert (quote.status, quote.company_id, quote.deal_id) == (Quote.Status.DRAFT, client.pk, deal.pk)
    assert (quote.net_total, quote.tax_total, quote.total) == (Decimal("2000"), Decimal("300"), Decimal("2300"))
    line = quote.lines.get()
    assert (line.product_id, line.description, line.quantity, line.tax_id) == (product.pk, "تدقيق مالي", 2, vat.pk)

    # 2. Send it: the e-mail (PDF attached) goes to the client's address with the public link.
    send_form = page.locator(f'form[action="{reverse("billing:quote_send", args=[quote.pk])}"]')
    send_form.locator('textarea[name="message"]').fill("نرجو مراجعة العرض المرفق.")
    send_form.locator('button[type="submit"]').click()
    _wait_until(lambda: Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT, "the quote to be sent")
    page.wait_for_url(f"**{reverse('billing:quote_detail', args=[quote.pk])}")
    quote.refresh_from_db()
    public_url = page.locator("#quote-public-url").input_value()
    public_path = urlsplit(public_url).path
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [client.email]
    # Each signing stamps the time, so the e-mail's token may differ from the page's: both open this quote.
    [mailed_url] = re.findall(r"https?://\S+/billing/p/quote/[^/\s]+/", email.body)
    for url in (public_url, mailed_url):
        assert quote_from_token(resolve(urlsplit(url).path).kwargs["token"]).pk == quote.pk
    assert [name for name, _content, _type in email.attachments] == [f"{quote.display_number}.pdf"]

    # 3. The client, not signed in, opens the link in its own browser and accepts.
    client_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar-SA")
    client_context.set_default_timeout(15_000)
    try:
        client_page = client_context.new_page()
        client_errors = _watch_errors(client_page)
        client_page.goto(live_server.url + public_path)
        assert client_page.locator("html").get_attribute("dir") == "rtl"
        assert client_page.locator("html").get_attribute("lang") == "ar"
        body = client_page.locator("main").inner_text()
        assert CLIENT_NAME in body
        assert ar.money(Decimal("2300"), "SAR") in body
        accept_form = client_page.locator('form:has(input[name="action"][value="accept"])')
        accept_form.locator('input[name="accept-name"]').fill(RESPONDER)
        client_page.screenshot(path=str(artifacts / "billing-public-quote-ar.png"), full_page=True)
        accept_form.locator('button[type="submit"]').click()
        _wait_until(lambda: Quote.objects.get(pk=quote.pk).status == Quote.Status.ACCEPTED, "the acceptance")
        client_page.wait_for_load_state("load")
        assert RESPONDER in client_page.locator(".alert-success[role='status']").inner_text()
        assert client_page.locator('form:has(input[name="action"])').count() == 0
        assert client_page.locator("html").get_attribute("dir") == "rtl"
        client_page.screenshot(path=str(artifacts / "billing-public-quote-accepted-ar.png"), full_page=True)
        assert client_errors == []
    finally:
        client_context.close()
    quote.refresh_from_db()
    assert quote.responder_name == RESPONDER and quote.responder_ip
    assert quote.invoice_id is not None
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.WON

    # 4. Back as the member: the quote shows accepted and links to the drafted invoice; post it.
    page.goto(live_server.url + reverse("billing:quote_detail", args=[quote.pk]))
    assert page.locator("span.badge.text-bg-success").first.inner_text() == _arabic_label(Quote.Status.ACCEPTED)
    invoice_url = reverse("billing:invoice_detail", args=[quote.invoice_id])
    with page.expect_navigation():
        page.locator(f'a[href="{invoice_url}"]').click()
    invoice = Invoice.objects.get(pk=quote.invoice_id)
    assert (invoice.status, invoice.quote_id, invoice.deal_id) == (Invoice.Status.DRAFT, quote.pk, deal.pk)
    assert invoice.saudi_type == Invoice.SaudiType.STANDARD  # the client has a VAT number
    page.locator(f'form[action="{reverse("billing:invoice_post", args=[invoice.pk])}"] button[type="submit"]').click()
    _wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.POSTED, "the invoice to be posted")
    page.wait_for_load_state("load")
    invoice.refresh_from_db()
    number = f"INV-{invoice.issue_date.year}-00001"
    assert invoice.display_number == number
    assert page.locator("h1 span.font-monospace").inner_text() == number
    assert page.locator("span.badge.text-bg-primary").first.inner_text() == _arabic_label(Invoice.Status.POSTED)
    assert page.locator('td[data-amount="total"]').inner_text() == ar.money(Decimal("2300"), "SAR")
    assert page.locator('td[data-amount="due"]').inner_text() == ar.money(Decimal("2300"), "SAR")
    assert CLIENT_NAME in page.locator("main").inner_text()
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("2300")

    # 5. Record the payment: the form comes with the client, the amount due and its allocation.
    payment_url = reverse("billing:payment_create") + f"?invoice={invoice.pk}"
    with page.expect_navigation():
        page.locator(f'a[href="{payment_url}"]').click()
    payment_form = page.locator(f'form[action="{reverse("billing:payment_create")}"]')
    assert payment_form.locator('select[name="company"]').input_value() == str(client.pk)
    assert payment_form.locator(f'input[name="allocation-{invoice.pk}"]').input_value() == "2300.00"
    payment_form.locator('select[name="account"]').select_option(str(bank.pk))
    payment_form.locator('input[name="reference"]').fill("TRX-4471")
    page.screenshot(path=str(artifacts / "billing-payment-form-ar.png"), full_page=True)
    payment_form.locator('button[type="submit"]').click()
    _wait_until(lambda: Payment.objects.filter(organization=org).exists(), "the payment to be recorded")
    payment = Payment.objects.get(organization=org)
    page.wait_for_url(f"**{reverse('billing:payment_detail', args=[payment.pk])}")

    # 6. The invoice is paid, nothing is due.
    page.goto(live_server.url + invoice_url)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("span.badge.text-bg-success").first.inner_text() == _arabic_label(Invoice.Status.PAID)
    assert page.locator('td[data-amount="due"]').inner_text() == ar.money(Decimal("0"), "SAR")
    assert page.locator('td[data-amount="paid"]').inner_text() == ar.money(Decimal("2300"), "SAR")
    assert page.locator(f'a[href="{reverse("billing:payment_detail", args=[payment.pk])}"]').count() == 1
    assert page.locator(f'a[href="{payment_url}"]').count() == 0
    page.screenshot(path=str(artifacts / "billing-invoice-paid-ar.png"), full_page=True)

    # The database agrees, and so does the ledger.
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (Invoice.Status.PAID, Decimal("2300"), 0)
    assert invoice.journal_entry_id is not None
    assert (payment.company_id, payment.amount, payment.currency, payment.account_id, payment.reference) == (
        client.pk,
        Decimal("2300"),
        "SAR",
        bank.pk,
        "TRX-4471",
    )
    allocations = list(Allocation.objects.filter(invoice=invoice))
    assert [(a.payment_id, a.amount) for a in allocations] == [(payment.pk, invoice.total)]
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0")
    assert account_balance(bank) == Decimal("2300")
    assert page.console_errors == []
    assert time.monotonic() - started < 45
