"""In a real browser, in Arabic: the type-ahead pickers of a form. The invoice page lists no
client; typing part of a name (spelt without its hamza) finds it through the API, choosing it
sets the form's value, the contact picker then offers only that client's contacts, and the
saved draft has both. Enter in a picker takes the first match rather than submitting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mizan.billing.models import Invoice
from mizan.browser_tests.helpers import PASSWORD, pick, sign_in
from mizan.core.models import Organization, User
from mizan.core.services.organizations import organization_create
from mizan.crm.models import Company, Contact
from mizan.crm.search import build_search_name

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner() -> User:
    user = User.objects.create_user(
        email="owner@pickers.browser.mizan.local", password=PASSWORD, full_name="ليلى الحربي", language="ar"
    )
    organization_create(owner=user, name_ar="شركة ميزان", name_en="Mizan Co", country="SA")
    return user


def _company(org, name_ar: str, name_latin: str) -> Company:
    return Company.objects.create(
        organization=org, name_ar=name_ar, name_latin=name_latin, search_name=build_search_name(name_ar, name_latin)
    )


def _contact(org, company: Company, name_ar: str) -> Contact:
    return Contact.objects.create(
        organization=org, company=company, name_ar=name_ar, search_name=build_search_name(name_ar)
    )


def test_client_and_contact_pickers(page, live_server, owner: User) -> None:
    org = Organization.objects.get(memberships__user=owner)
    client = _company(org, "مؤسسة أحمد للتجارة", "Ahmad Trading")
    other = _company(org, "شركة النور", "Alnoor")
    _contact(org, client, "خالد الأحمد")
    _contact(org, other, "خالد النوري")
    sign_in(page, live_server, owner)
    page.goto(live_server.url + reverse("billing:invoice_create"))
    company_select = page.locator('select[name="company"]')
    assert company_select.locator("option").count() == 1  # the blank one: no list of every client

    pick(page, "company", "احمد", "مؤسسة أحمد")
    assert company_select.input_value() == str(client.pk)

    contact_box = page.locator('div:has(> select[name="contact"][data-picker-ready]) input[role="combobox"]')
    contact_box.fill("خالد")
    options = page.locator('div:has(> select[name="contact"]) [role=option]')
    options.filter(has_text="خالد الأحمد").wait_for()
    assert options.filter(has_text="خالد النوري").count() == 0  # another client's contact
    contact_box.press("Enter")  # takes the first match, and does not submit the form
    assert page.locator('select[name="contact"]').input_value() != ""
    assert contact_box.input_value() == "خالد الأحمد" and "/new/" in page.url

    page.locator('input[name="lines-0-description"]').fill("استشارات")
    page.locator('input[name="lines-0-quantity"]').fill("1")
    page.locator('input[name="lines-0-unit_price"]').fill("100")
    page.click('button[name="action"][value="save"]')
    page.wait_for_url(lambda url: "/new/" not in url)
    invoice = Invoice.objects.get(organization=org)
    assert (invoice.company_id, invoice.contact.name_ar) == (client.pk, "خالد الأحمد")


def test_a_deals_contacts_are_picked_as_chips(page, live_server, owner: User) -> None:
    """The multiple picker: the client's contacts added one by one as chips, one removed again."""
    from mizan.crm.models import Deal

    org = Organization.objects.get(memberships__user=owner)
    client = _company(org, "مؤسسة أحمد للتجارة", "Ahmad Trading")
    first, second = _contact(org, client, "خالد الأحمد"), _contact(org, client, "سلمى الأحمد")
    sign_in(page, live_server, owner)
    page.goto(live_server.url + reverse("crm:deal_create"))
    page.locator('input[name="title"]').fill("تدقيق ٢٠٢٧")
    pick(page, "company", "احمد", "مؤسسة أحمد")
    pick(page, "contacts", "خالد", "خالد الأحمد")
    pick(page, "contacts", "سلمى", "سلمى الأحمد")
    chips = page.locator('div:has(> select[name="contacts"]) .badge')
    assert chips.count() == 2
    chips.filter(has_text="خالد الأحمد").locator("button").click()
    assert chips.count() == 1
    page.locator('select[name="pipeline"]').select_option(index=1)
    page.locator('form button[type="submit"].btn-primary').click()
    page.wait_for_url(lambda url: "/new/" not in url)
    deal = Deal.objects.get(organization=org, title="تدقيق ٢٠٢٧")
    assert (deal.company_id, list(deal.contacts.values_list("pk", flat=True))) == (client.pk, [second.pk])
    assert first.pk != second.pk
