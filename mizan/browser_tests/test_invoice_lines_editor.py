"""In a real browser, in Arabic: the shared line editor of an invoice adds and removes lines, fills a
product's unit and price hint, previews the amounts, and the saved draft has the server's totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from mizan.billing.models import Invoice, Tax, TaxKind
from mizan.browser_tests.helpers import PASSWORD, pick, sign_in
from mizan.core.models import Organization, User
from mizan.core.services.organizations import organization_create
from mizan.crm.models import Company
from mizan.ledger.models import Account, AccountRole
from mizan.sales.models import Product, ProductPrice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner() -> User:
    user = User.objects.create_user(
        email="owner@invoices.browser.mizan.local", password=PASSWORD, full_name="سارة العتيبي", language="ar"
    )
    organization_create(owner=user, name_ar="شركة ميزان", name_en="Mizan Co", country="SA")
    return user


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬", "0123456789.,"))


def test_invoice_lines_editor(page, live_server, owner: User) -> None:
    org = Organization.objects.get(memberships__user=owner)
    tax = Tax.objects.filter(organization=org, kind=TaxKind.STANDARD, valid_to__isnull=True).first()
    revenue = Account.objects.get(organization=org, role=AccountRole.REVENUE)
    product = Product.objects.create(
        organization=org, code="AUD", name_ar="تدقيق", name_en="Audit", unit="day", income_account=revenue
    )
    ProductPrice.objects.create(product=product, currency="SAR", unit_price=Decimal("250"))
    client = Company.objects.create(organization=org, name_ar="شركة الخليج", name_latin="Gulf Co")
    sign_in(page, live_server, owner)
    page.goto(live_server.url + reverse("billing:invoice_create"))
    pick(page, "company", "الخليج", "الخليج")  # the client picker searches the API as one types
    assert page.locator('select[name="company"]').input_value() == str(client.pk)

    # First line typed by hand: 2 x 100 with 10% discount -> 180.00 previewed.
    page.fill('input[name="lines-0-description"]', "استشارات")
    page.fill('input[name="lines-0-quantity"]', "2")
    page.fill('input[name="lines-0-unit_price"]', "100")
    page.fill('input[name="lines-0-discount_percent"]', "10")
    page.select_option('select[name="lines-0-tax"]', str(tax.pk))
    amount = page.locator("[data-lines-body] [data-lines-row]").nth(0).locator("[data-lines-amount]")
    assert _ascii(amount.inner_text()) == "180.00"

    # A second line from the catalog: the unit and the price hint come from the product.
    page.click("[data-lines-add]")
    assert page.locator('input[name="lines-TOTAL_FORMS"]').input_value() == "2"
    page.select_option('select[name="lines-1-product"]', str(product.pk))
    assert page.locator('select[name="lines-1-unit"]').input_value() == "day"
    assert page.locator('input[name="lines-1-unit_price"]').get_attribute("placeholder") == "250.000"
    page.select_option('select[name="lines-1-tax"]', "none")
    assert _ascii(page.locator("[data-lines-subtotal]").inner_text()).startswith("430.00")

    # A third line added then removed is ignored by the server.
    page.click("[data-lines-add]")
    page.fill('input[name="lines-2-description"]', "سطر محذوف")
    page.fill('input[name="lines-2-unit_price"]', "999")
    page.locator("[data-lines-body] [data-lines-row]").nth(2).locator("[data-lines-remove]").click()
    assert _ascii(page.locator("[data-lines-subtotal]").inner_text()).startswith("430.00")

    page.click('button[name="action"][value="save"]')
    page.wait_for_url(lambda url: "/billing/invoices/new/" not in url)
    invoice = Invoice.objects.get(organization=org)
    assert [line.description for line in invoice.lines.order_by("position")] == ["استشارات", "تدقيق"]
    assert invoice.net_total == Decimal("430.00")
    assert invoice.tax_total == Decimal("27.00")
    assert invoice.total == Decimal("457.00")
    assert page.console_errors == []
