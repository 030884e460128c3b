"""Payment terms: services (default, deactivation, validation), pages, API, and the due date of invoices."""

from __future__ import annotations

import datetime

import pytest

from conftest import client_for
from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import PaymentTerm
from mizan.billing.services.terms import (
    payment_term_create,
    payment_term_set_active,
    payment_term_set_default,
    payment_term_update,
)
from mizan.billing.tests.factories import billing_member, draft_invoice
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.core.tests.test_i18n_pages import inline_code

pytestmark = pytest.mark.django_db


def _terms(org):
    return {
        (term.name_en, term.days, term.is_default, term.is_active)
        for term in PaymentTerm.objects.filter(organization=org)
    }


def _default(org) -> PaymentTerm:
    return PaymentTerm.objects.get(organization=org, is_default=True)


def test_new_default_term_replaces_the_old_one_and_sets_the_due_date(tenant):
    org = tenant.org
    member = billing_member(tenant)
    old_default = _default(org)
    assert old_default.days == 30
    term = payment_term_create(
        org=org,
        actor_membership=member,
        data={"name_en": " Net 45 ", "name_ar": "صافي 45", "days": 45, "is_default": True},
    )
    assert term.name_en == "Net 45" and term.is_default
    old_default.refresh_from_db()
    assert not old_default.is_default
    assert PaymentTerm.objects.filter(organization=org, is_default=True).count() == 1
    assert AuditEntry.objects.filter(organization=org, object_id=str(term.pk), action="create").exists()
    assert AuditEntry.objects.filter(
        organization=org, object_id=str(old_default.pk), action="update", changes__is_default=["True", "False"]
    ).exists()

    issue_date = datetime.date(2026, 3, 10)
    invoice = draft_invoice(tenant, issue_date=issue_date)
    assert invoice.payment_term == term
    assert invoice.due_date == datetime.date(2026, 4, 24)

    payment_term_set_default(org=org, actor_membership=member, term=old_default)
    term.refresh_from_db()
    assert not term.is_default and _default(org) == old_default
    assert draft_invoice(tenant, issue_date=issue_date).due_date == datetime.date(2026, 4, 9)
    invoice.refresh_from_db()
    assert invoice.due_date == datetime.date(2026, 4, 24)  # an existing invoice keeps its due date


def test_term_rules_refuse_and_change_nothing(tenant):
    org = tenant.org
    member = billing_member(tenant)
    before = _terms(org)
    default = _default(org)
    with pytest.raises(DomainError) as error:
        payment_term_set_active(org=org, actor_membership=member, term=default, is_active=False)
    assert error.value.code == "billing.default_inactive" and error.value.field == "is_active"
    with pytest.raises(DomainError) as error:
        payment_term_create(org=org, actor_membership=member, data={"name_en": "Long", "days": 400})
    assert error.value.code == "billing.term_days_invalid" and "365" in error.value.message
    with pytest.raises(DomainError) as error:
        payment_term_create(org=org, actor_membership=member, data={"name_en": "  ", "days": 10})
    assert error.value.code == "billing.name_required"
    with pytest.raises(DomainError) as error:
        payment_term_create(
            org=org, actor_membership=member, data={"name_en": "Off", "days": 5, "is_default": True, "is_active": False}
        )
    assert error.value.code == "billing.default_inactive"
    inactive = PaymentTerm.objects.filter(organization=org, is_default=False).first()
    payment_term_set_active(org=org, actor_membership=member, term=inactive, is_active=False)
    with pytest.raises(DomainError):
        payment_term_set_default(org=org, actor_membership=member, term=inactive)
    with pytest.raises(PermissionDeniedError):
        payment_term_update(org=org, actor_membership=tenant.members[Role.SALES], term=default, data={"days": 1})
    assert _default(org) == default
    after = _terms(org)
    assert after == {
        (name, days, is_default, name != inactive.name_en and active) for name, days, is_default, active in before
    }


def test_term_pages(tenant, other_tenant, owner_client):
    org = tenant.org
    response = owner_client.get("/billing/terms/")
    assert response.status_code == 200
    assert "Net 30 days" in response.content.decode()
    assert inline_code(response.content.decode()) == []

    response = owner_client.post("/billing/terms/new/", {"name_en": "Net 90", "name_ar": "صافي 90", "days": "90"})
    assert response.status_code == 302
    term = PaymentTerm.objects.get(organization=org, name_en="Net 90")
    assert term.days == 90 and not term.is_default

    response = owner_client.post(f"/billing/terms/{term.pk}/edit/", {"name_en": "Net 75", "days": "75"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.name_en, term.name_ar, term.days) == ("Net 75", "", 75)
    response = owner_client.get(f"/billing/terms/{term.pk}/edit/")
    assert response.status_code == 200 and inline_code(response.content.decode()) == []

    assert owner_client.post(f"/billing/terms/{term.pk}/default/").status_code == 302
    assert _default(org) == term
    response = owner_client.post(f"/billing/terms/{term.pk}/active/", {"is_active": "0"}, follow=True)
    term.refresh_from_db()
    assert term.is_active  # the default stays active
    assert "make another term the default first" in response.content.decode()

    response = owner_client.post(f"/billing/terms/{term.pk}/edit/", {"name_en": "Net 75", "days": "1000"})
    assert response.status_code == 200
    term.refresh_from_db()
    assert term.days == 75

    sales = client_for(tenant.user(Role.SALES))
    assert sales.get("/billing/terms/").status_code == 200
    assert sales.post("/billing/terms/new/", {"name_en": "X", "days": "1"}).status_code == 403


def test_other_organization_term_is_404_on_every_page(tenant, other_tenant, owner_client):
    foreign = _default(other_tenant.org)
    assert owner_client.get(f"/billing/terms/{foreign.pk}/edit/").status_code == 404
    assert owner_client.post(f"/billing/terms/{foreign.pk}/edit/", {"name_en": "X", "days": "1"}).status_code == 404
    assert owner_client.post(f"/billing/terms/{foreign.pk}/active/", {"is_active": "0"}).status_code == 404
    assert owner_client.post(f"/billing/terms/{foreign.pk}/default/").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.name_en, foreign.days, foreign.is_default, foreign.is_active) == ("Net 30 days", 30, True, True)


def test_terms_api(tenant, other_tenant):
    api = token_client_for(tenant.members[Role.ACCOUNTANT])
    response = api.get("/api/v1/billing/payment-terms/")
    assert response.status_code == 200
    assert [row["days"] for row in response.json()["results"]] == [0, 15, 30, 60]

    response = api.post("/api/v1/billing/payment-terms/", {"name_en": "Net 7", "days": 7}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["display_name"] == "Net 7"
    response = api.patch(f"/api/v1/billing/payment-terms/{pk}/", {"days": 10}, format="json")
    assert response.status_code == 200 and response.json()["days"] == 10
    response = api.post(f"/api/v1/billing/payment-terms/{pk}/make-default/")
    assert response.status_code == 200 and response.json()["is_default"]
    response = api.post(f"/api/v1/billing/payment-terms/{pk}/deactivate/")
    assert response.status_code == 400
    assert response.json()["code"] == "billing.default_inactive"
    assert PaymentTerm.objects.get(pk=pk).is_active
    response = api.post("/api/v1/billing/payment-terms/", {"name_en": "Bad", "days": 366}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "days"

    foreign = _default(other_tenant.org)
    assert api.get(f"/api/v1/billing/payment-terms/{foreign.pk}/").status_code == 404
    assert api.patch(f"/api/v1/billing/payment-terms/{foreign.pk}/", {"days": 1}, format="json").status_code == 404
    assert api.post(f"/api/v1/billing/payment-terms/{foreign.pk}/make-default/").status_code == 404
    assert api.post(f"/api/v1/billing/payment-terms/{foreign.pk}/deactivate/").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.days, foreign.is_default, foreign.is_active) == (30, True, True)

    sales = token_client_for(tenant.members[Role.SALES])
    assert sales.get("/api/v1/billing/payment-terms/").status_code == 200
    response = sales.post("/api/v1/billing/payment-terms/", {"name_en": "X", "days": 1}, format="json")
    assert response.status_code == 403
