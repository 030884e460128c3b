"""Recurring invoice pages and API, and sending an invoice by e-mail (page and API): the real
services behind thin views, query counts pinned, another organization's records are 404."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import client_for
from mizan.billing.models import Invoice, PaymentReminder, RecurringSchedule
from mizan.billing.services.recurring import add_months, recurring_schedule_create
from mizan.billing.services.reminders import invoice_email_send
from mizan.billing.tests.factories import billing_member, line, make_client, posted_invoice, standard_tax
from mizan.core.roles import Role
from mizan.crm.models import Activity

pytestmark = pytest.mark.django_db


def accountant(tenant: Any) -> Any:
    user = tenant.user(Role.ACCOUNTANT)
    user.language = "en"
    user.save(update_fields=["language"])
    return client_for(user)


def api_for(tenant: Any, role: str = Role.ACCOUNTANT) -> APIClient:
    client = APIClient()
    client.force_login(tenant.user(role))
    return client


def schedule_for(tenant: Any, *, start: datetime.date | None = None, name: str = "Retainer", **data: Any):
    org = tenant.org
    return recurring_schedule_create(
        org=org,
        actor_membership=billing_member(tenant),
        data={"name": name, "company": make_client(org), "start_date": start or org.today(), **data},
        lines=[line(description="Support", unit_price="1000", tax=standard_tax(org))],
    )


def form_data(company: Any, **header: str) -> dict[str, str]:
    org = company.organization
    data = {
        "name": "Hosting",
        "company": str(company.pk),
        "contact": "",
        "currency": org.base_currency,
        "frequency": "monthly",
        "start_date": org.today().isoformat(),
        "end_date": "",
        "payment_term": "",
        "discount_percent": "",
        "language": "",
        "notes": "",
        "terms": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-description": "Hosting",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "150",
        "lines-0-tax": str(standard_tax(org).pk),
    }
    data.update(header)
    return data


# --- Pages ---------------------------------------------------------------------------------------


def test_list_page_shows_the_schedules_in_a_fixed_number_of_queries(other_tenant, django_assert_max_num_queries):
    client = accountant(other_tenant)
    for index in range(3):
        schedule_for(other_tenant, name=f"Retainer {index}")
    url = reverse("billing:recurring_list")
    client.get(url)  # warm the session and the organization
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    for index in range(3):
        assert f"Retainer {index}" in response.content.decode()
    schedule_for(other_tenant, name="Another")
    with django_assert_max_num_queries(7):
        client.get(url)
    paused = client.get(url, {"status": "paused"}).content.decode()
    assert "Retainer 0" not in paused and "No recurring invoices yet." in paused


def test_create_page_saves_the_schedule_and_its_lines(other_tenant):
    org = other_tenant.org
    client = accountant(other_tenant)
    assert client.get(reverse("billing:recurring_create")).status_code == 200
    company = make_client(org)
    response = client.post(reverse("billing:recurring_create"), form_data(company, auto_post="on", frequency="yearly"))
    schedule = RecurringSchedule.objects.get()
    assert response.status_code == 302 and response.url == reverse("billing:recurring_detail", args=[schedule.pk])
    assert schedule.name == "Hosting" and schedule.frequency == "yearly" and schedule.auto_post
    assert schedule.payment_term is None and schedule.next_date == org.today()
    assert schedule.net_total == Decimal("300.00") and schedule.total == Decimal("342.00")
    assert list(schedule.lines.values_list("description", "quantity")) == [("Hosting", Decimal("2.000"))]


def test_a_bad_form_shows_the_error_and_saves_nothing(other_tenant):
    client = accountant(other_tenant)
    company = make_client(other_tenant.org)
    data = form_data(company, end_date="2000-01-01")
    response = client.post(reverse("billing:recurring_create"), data)
    assert response.status_code == 200
    assert "The last invoice date cannot be before the first one." in response.content.decode()
    data = form_data(company, **{"lines-0-quantity": "0"})
    response = client.post(reverse("billing:recurring_create"), data)
    assert "the quantity must be greater than zero" in response.content.decode()
    assert not RecurringSchedule.objects.exists()


def test_edit_page_changes_the_lines_and_skips_periods(other_tenant):
    org = other_tenant.org
    client = accountant(other_tenant)
    schedule = schedule_for(other_tenant, start=org.today())
    url = reverse("billing:recurring_edit", args=[schedule.pk])
    page = client.get(url).content.decode()
    assert 'value="Retainer"' in page and "Support" in page
    later = add_months(org.today(), 2)
    data = form_data(
        schedule.company, name="Retainer 2", next_date=later.isoformat(), start_date=schedule.start_date.isoformat()
    )
    response = client.post(url, data)
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.name == "Retainer 2" and schedule.next_date == later and schedule.total == Decimal("342.00")


def test_detail_generate_pause_resume_and_delete(other_tenant):
    org = other_tenant.org
    client = accountant(other_tenant)
    first = add_months(org.today().replace(day=1), -1)
    schedule = schedule_for(other_tenant, start=first)
    detail = reverse("billing:recurring_detail", args=[schedule.pk])
    page = client.get(detail).content.decode()
    assert "Generate now" in page and "No invoice generated yet." in page

    response = client.post(reverse("billing:recurring_generate", args=[schedule.pk]), follow=True)
    assert "2 invoices were generated." in response.content.decode()
    assert sorted(Invoice.objects.values_list("recurring_period", flat=True)) == [first, add_months(first, 1)]
    page = client.get(detail).content.decode()
    assert "Generate now" not in page and Invoice.objects.first().display_number in page

    response = client.post(reverse("billing:recurring_generate", args=[schedule.pk]), follow=True)
    assert "No invoice is due yet" in response.content.decode()
    assert Invoice.objects.count() == 2

    client.post(reverse("billing:recurring_set_active", args=[schedule.pk]), {"is_active": "0"})
    schedule.refresh_from_db()
    assert not schedule.is_active
    client.post(reverse("billing:recurring_set_active", args=[schedule.pk]), {"is_active": "1"})
    schedule.refresh_from_db()
    assert schedule.is_active

    response = client.post(reverse("billing:recurring_delete", args=[schedule.pk]))
    assert response.url == reverse("billing:recurring_list")
    assert not RecurringSchedule.objects.exists() and Invoice.objects.count() == 2


def test_a_member_who_cannot_invoice_sees_but_cannot_change(other_tenant):
    schedule = schedule_for(other_tenant)
    client = client_for(other_tenant.user(Role.SALES))
    assert client.get(reverse("billing:recurring_detail", args=[schedule.pk])).status_code == 200
    assert client.get(reverse("billing:recurring_create")).status_code == 403
    assert client.post(reverse("billing:recurring_generate", args=[schedule.pk])).status_code == 403
    assert client.post(reverse("billing:recurring_delete", args=[schedule.pk])).status_code == 403
    assert RecurringSchedule.objects.filter(pk=schedule.pk).exists() and not Invoice.objects.exists()


def test_another_organizations_schedule_is_not_found_on_every_page(tenant, other_tenant):
    schedule = schedule_for(other_tenant, start=add_months(other_tenant.org.today(), -1), name="Nile support")
    client = accountant(tenant)
    for name in ("billing:recurring_detail", "billing:recurring_edit"):
        assert client.get(reverse(name, args=[schedule.pk])).status_code == 404
    for name in ("billing:recurring_generate", "billing:recurring_set_active", "billing:recurring_delete"):
        assert client.post(reverse(name, args=[schedule.pk]), {"is_active": "0"}).status_code == 404
    assert (
        client.post(reverse("billing:recurring_edit", args=[schedule.pk]), form_data(schedule.company)).status_code
        == 404
    )
    schedule.refresh_from_db()
    assert schedule.is_active and schedule.name == "Nile support" and not Invoice.objects.exists()
    assert "Nile support" not in client.get(reverse("billing:recurring_list")).content.decode()


# --- Sending by e-mail (page) --------------------------------------------------------------------------


def test_the_invoice_page_button_sends_to_the_client(other_tenant, mailoutbox, django_capture_on_commit_callbacks):
    org = other_tenant.org
    invoice = posted_invoice(other_tenant, company=make_client(org, email="ap@client.example", language="en"))
    client = accountant(other_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:invoice_send", args=[invoice.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("billing:invoice_detail", args=[invoice.pk])
    assert "The invoice is being sent to ap@client.example." in response.content.decode()
    assert [message.to for message in mailoutbox] == [["ap@client.example"]]
    assert PaymentReminder.objects.get().sent_by == other_tenant.user(Role.ACCOUNTANT)


def test_the_send_form_takes_another_address_and_lists_the_emails_sent(
    other_tenant, mailoutbox, django_capture_on_commit_callbacks
):
    org = other_tenant.org
    invoice = posted_invoice(other_tenant, company=make_client(org, email="", language="en"))
    client = accountant(other_tenant)
    url = reverse("billing:invoice_send", args=[invoice.pk])
    response = client.post(url, follow=True)  # the button: no address anywhere
    assert response.redirect_chain[-1][0] == url
    assert "The client has no e-mail address" in response.content.decode()
    response = client.post(url, {"to": "not an address"})
    assert response.status_code == 400 and not PaymentReminder.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to": "cfo@client.example"})
    assert response.status_code == 302 and [message.to for message in mailoutbox] == [["cfo@client.example"]]
    page = client.get(url).content.decode()
    assert "cfo@client.example" in page and "The invoice" in page


def test_sending_another_organizations_invoice_is_not_found(tenant, other_tenant, mailoutbox):
    invoice = posted_invoice(other_tenant, company=make_client(other_tenant.org, email="ap@client.example"))
    client = accountant(tenant)
    assert client.get(reverse("billing:invoice_send", args=[invoice.pk])).status_code == 404
    assert client.post(reverse("billing:invoice_send", args=[invoice.pk])).status_code == 404
    assert not PaymentReminder.objects.exists() and not Activity.objects.exists() and mailoutbox == []


# --- API -------------------------------------------------------------------------------------------------


def test_api_create_read_change_and_list(other_tenant, django_assert_max_num_queries):
    org = other_tenant.org
    api = api_for(other_tenant)
    company = make_client(org)
    tax = standard_tax(org)
    body = {
        "name": "Subscription",
        "company": company.pk,
        "frequency": "quarterly",
        "start_date": "2026-01-31",
        "lines": [{"description": "Licence", "quantity": "3", "unit_price": "100.00", "tax": tax.pk}],
    }
    response = api.post("/api/v1/billing/recurring-schedules/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["next_date"] == "2026-01-31" and created["total"] == "342.000"
    assert created["invoice_count"] == 0 and created["is_finished"] is False
    assert [row["description"] for row in created["lines"]] == ["Licence"]

    schedule_id = created["id"]
    response = api.patch(
        f"/api/v1/billing/recurring-schedules/{schedule_id}/",
        {"auto_post": True, "end_date": "2026-12-31"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["auto_post"] is True
    assert response.json()["end_date"] == "2026-12-31" and response.json()["total"] == "342.000"
    bad = api.patch(f"/api/v1/billing/recurring-schedules/{schedule_id}/", {"end_date": "2025-01-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "billing.end_before_start"

    schedule_for(other_tenant, name="Second")
    schedule_for(other_tenant, name="Third")
    with django_assert_max_num_queries(5):
        listed = api.get("/api/v1/billing/recurring-schedules/").json()
    assert sorted(row["name"] for row in listed["results"]) == ["Second", "Subscription", "Third"]
    assert api.get("/api/v1/billing/recurring-schedules/", {"status": "nonsense"}).status_code == 400


def test_api_pause_resume_generate_and_delete(other_tenant):
    org = other_tenant.org
    api = api_for(other_tenant)
    first = add_months(org.today().replace(day=1), -2)
    schedule = schedule_for(other_tenant, start=first)
    base = f"/api/v1/billing/recurring-schedules/{schedule.pk}"
    assert api.post(f"{base}/pause/").json()["is_active"] is False
    refused = api.post(f"{base}/generate/")
    assert refused.status_code == 400 and refused.json()["code"] == "billing.schedule_paused"
    assert api.post(f"{base}/resume/").json()["is_active"] is True
    response = api.post(f"{base}/generate/")
    assert response.status_code == 200
    body = response.json()
    assert [row["recurring_period"] for row in body["invoices"]] == [
        first.isoformat(),
        add_months(first, 1).isoformat(),
        add_months(first, 2).isoformat(),
    ]
    assert body["schedule"]["invoice_count"] == 3 and len(body["schedule"]["invoices"]) == 3
    assert body["schedule"]["next_date"] == add_months(first, 3).isoformat()
    assert api.delete(f"{base}/").status_code == 204
    assert not RecurringSchedule.objects.exists() and Invoice.objects.count() == 3


def test_api_a_member_who_cannot_invoice_can_only_read(other_tenant):
    schedule = schedule_for(other_tenant)
    api = api_for(other_tenant, Role.SALES)
    assert api.get(f"/api/v1/billing/recurring-schedules/{schedule.pk}/").status_code == 200
    assert api.post(f"/api/v1/billing/recurring-schedules/{schedule.pk}/pause/").status_code == 403
    schedule.refresh_from_db()
    assert schedule.is_active


def test_api_another_organizations_schedule_and_invoice_are_not_found(tenant, other_tenant, mailoutbox):
    schedule = schedule_for(other_tenant, start=add_months(other_tenant.org.today(), -1))
    invoice = posted_invoice(other_tenant, company=make_client(other_tenant.org, email="ap@client.example"))
    api = api_for(tenant)
    base = f"/api/v1/billing/recurring-schedules/{schedule.pk}"
    assert api.get(f"{base}/").status_code == 404
    assert api.patch(f"{base}/", {"name": "Hacked"}, format="json").status_code == 404
    for verb in ("pause", "resume", "generate"):
        assert api.post(f"{base}/{verb}/").status_code == 404
    assert api.delete(f"{base}/").status_code == 404
    assert api.get("/api/v1/billing/recurring-schedules/").json()["results"] == []
    # A client of another organization in the payload is not found either.
    response = api.post(
        "/api/v1/billing/recurring-schedules/",
        {"name": "X", "company": schedule.company_id, "start_date": "2026-01-01", "lines": [{"description": "A"}]},
        format="json",
    )
    assert response.status_code == 404
    assert api.post("/api/v1/billing/invoice-emails/", {"invoice": invoice.pk}, format="json").status_code == 404
    assert api.get("/api/v1/billing/invoice-emails/", {"invoice": invoice.pk}).status_code == 404
    schedule.refresh_from_db()
    assert (
        schedule.name == "Retainer" and schedule.is_active and not Invoice.objects.filter(recurring_schedule=schedule)
    )
    assert RecurringSchedule.objects.count() == 1 and not PaymentReminder.objects.exists() and mailoutbox == []


def test_api_sends_an_invoice_and_lists_the_emails(
    other_tenant, mailoutbox, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    org = other_tenant.org
    invoice = posted_invoice(other_tenant, company=make_client(org, email="ap@client.example", language="en"))
    api = api_for(other_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/billing/invoice-emails/", {"invoice": invoice.pk, "to": "cfo@client.example"}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["email_to"] == "cfo@client.example" and response.json()["kind"] == "invoice"
    assert [message.to for message in mailoutbox] == [["cfo@client.example"]]
    for _ in range(2):
        invoice_email_send(org=org, actor_membership=billing_member(other_tenant), invoice=invoice)
    with django_assert_max_num_queries(6):
        listed = api.get("/api/v1/billing/invoice-emails/", {"invoice": invoice.pk}).json()
    assert len(listed["results"]) == 3
    assert {row["invoice_number"] for row in listed["results"]} == {invoice.display_number}


def test_the_emails_sent_list_names_each_reminder_step(other_tenant):
    from mizan.billing.services.reminders import payment_reminder_send

    org = other_tenant.org
    invoice = posted_invoice(other_tenant, company=make_client(org, email="ap@client.example"))
    for offset in (-3, 7):
        payment_reminder_send(
            invoice_id=invoice.pk, offset_days=offset, today=invoice.due_date + datetime.timedelta(days=offset)
        )
    invoice_email_send(org=org, actor_membership=billing_member(other_tenant), invoice=invoice)
    page = accountant(other_tenant).get(reverse("billing:invoice_send", args=[invoice.pk])).content.decode()
    assert "Reminder 3 days before the due date" in page and "Reminder 7 days after the due date" in page
    assert page.count("Automatic") == 2 and "The invoice" in page


def test_the_pages_render_in_arabic(other_tenant):
    from mizan.billing.services.reminders import payment_reminder_send

    org = other_tenant.org
    schedule = schedule_for(other_tenant, start=add_months(org.today(), -1), end_date=org.today())
    client = client_for(other_tenant.user(Role.ACCOUNTANT))  # Arabic is the members' default language
    client.post(reverse("billing:recurring_generate", args=[schedule.pk]))
    invoice = posted_invoice(other_tenant, company=make_client(org, email="ap@client.example"))
    payment_reminder_send(invoice_id=invoice.pk, offset_days=7, today=invoice.due_date + datetime.timedelta(days=7))
    for url in (
        reverse("billing:recurring_list"),
        reverse("billing:recurring_create"),
        reverse("billing:recurring_detail", args=[schedule.pk]),
        reverse("billing:recurring_edit", args=[schedule.pk]),
        reverse("billing:invoice_send", args=[invoice.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'dir="rtl"' in response.content.decode()
