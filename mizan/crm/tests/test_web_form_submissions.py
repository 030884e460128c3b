"""Web-to-lead forms: settings pages, the public framable page, spam, rate limit and isolation."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import client_for
from mizan.core.models import Membership
from mizan.core.roles import Role
from mizan.crm.models import Activity, Lead, LeadSource, WebForm
from mizan.crm.services.web_forms import web_form_create, web_form_token
from mizan.crm.tests.clients_helpers import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(tenant) -> WebForm:
    source = LeadSource.objects.get(organization=tenant.org, name_en="Website")
    return web_form_create(
        org=tenant.org,
        actor_membership=tenant.members[Role.ADMIN],
        data={
            "name": "Contact page",
            "source": source,
            "owner": tenant.user(Role.SALES),
            "thank_you_message": "شكراً لتواصلك",
            "fields": ["email", "phone", "message"],
        },
    )


def _post(web_form, client=None, *, age: float = 10, **data):
    payload = {"person_name": "ليلى حسن", "email": "layla@acme.sa", "message": "أريد عرض سعر"}
    payload.update(data)
    payload.setdefault("form_token", web_form_token(web_form, issued_at=time.time() - age))
    # English, so the assertions on messages do not depend on the Arabic catalog.
    return (client or Client()).post(f"/crm/f/{web_form.key}/?lang=en", payload, REMOTE_ADDR="203.0.113.7")


def test_public_page_is_framable_in_the_org_language_with_a_switch(web_form):
    response = Client().get(f"/crm/f/{web_form.key}/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'class="crm-hp"' in html and "style=" not in html and "<script" not in html
    assert 'name="form_token"' in html and 'name="website_url"' in html
    english = Client().get(f"/crm/f/{web_form.key}/?lang=en")
    assert '<html lang="en" dir="ltr">' in english.content.decode()
    assert english["Content-Language"] == "en"


def test_valid_submission_creates_a_lead_with_the_forms_source_and_owner(tenant, web_form):
    response = _post(web_form)
    assert response.status_code == 200
    assert "شكراً لتواصلك" in response.content.decode()
    lead = Lead.objects.get(organization=tenant.org)
    assert (lead.person_name, lead.email, lead.message) == ("ليلى حسن", "layla@acme.sa", "أريد عرض سعر")
    assert lead.source == web_form.source
    assert lead.owner == tenant.user(Role.SALES)
    assert Activity.objects.filter(lead=lead, kind=Activity.Kind.SYSTEM).count() == 1
    assert lead.score > 0 and lead.score_reasons
    web_form.refresh_from_db()
    assert web_form.submission_count == 1


def test_honeypot_submission_looks_accepted_but_creates_nothing(tenant, web_form):
    response = _post(web_form, website_url="http://spam.example")
    assert response.status_code == 200
    assert "شكراً لتواصلك" in response.content.decode()
    assert Lead.objects.filter(organization=tenant.org).count() == 0


@pytest.mark.parametrize("token", ["", "forged", None])
def test_missing_forged_or_too_fast_token_asks_again_and_creates_nothing(tenant, web_form, token):
    # None: a valid token, but faster than a person can fill in a form.
    response = _post(web_form, age=0.5) if token is None else _post(web_form, form_token=token)
    assert response.status_code == 200
    html = response.content.decode()
    assert "layla@acme.sa" in html  # the details are kept for the person to confirm
    assert "Please check your details and send the form again." in html
    assert Lead.objects.filter(organization=tenant.org).count() == 0


def test_token_of_another_form_is_not_accepted(tenant, web_form):
    other = web_form_create(org=tenant.org, actor_membership=tenant.members[Role.ADMIN], data={"name": "Other"})
    _post(web_form, form_token=web_form_token(other, issued_at=time.time() - 30))
    assert Lead.objects.filter(organization=tenant.org).count() == 0


def test_rate_limit_answers_429_after_five_submissions_a_minute(tenant, web_form):
    for n in range(5):
        assert _post(web_form, email=f"p{n}@acme.sa").status_code == 200
    response = _post(web_form, email="p6@acme.sa")
    assert response.status_code == 429
    assert "Too many submissions from your address. Please wait a minute." in response.content.decode()
    assert Lead.objects.filter(organization=tenant.org).count() == 5


def test_invalid_input_shows_field_errors_and_creates_nothing(tenant, web_form):
    response = _post(web_form, person_name="", email="")
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    response = _post(web_form, phone="12", email="")
    assert "is not a valid phone number" in response.content.decode()
    assert Lead.objects.filter(organization=tenant.org).count() == 0


def test_inactive_or_unknown_form_is_404(tenant, web_form):
    WebForm.objects.filter(pk=web_form.pk).update(is_active=False)
    assert Client().get(f"/crm/f/{web_form.key}/").status_code == 404
    assert _post(web_form).status_code == 404
    assert Client().get("/crm/f/not-a-key/").status_code == 404
    assert Lead.objects.count() == 0


def test_admin_creates_edits_and_regenerates_the_key(tenant):
    client = client_for(tenant.user(Role.ADMIN))
    assert client.get("/crm/settings/web-forms/").status_code == 200
    source = LeadSource.objects.get(organization=tenant.org, name_en="Exhibition")
    response = client.post(
        "/crm/settings/web-forms/new/",
        {"name": "Expo 2025", "is_active": "on", "fields": ["email", "company_name"], "source": source.pk},
    )
    web_form = WebForm.objects.get(organization=tenant.org, name="Expo 2025")
    assert response["Location"] == f"/crm/settings/web-forms/{web_form.pk}/"
    assert (web_form.fields, web_form.source) == (["person_name", "email", "company_name"], source)
    page = client.get(f"/crm/settings/web-forms/{web_form.pk}/").content.decode()
    assert f"/crm/f/{web_form.key}/" in page and "&lt;iframe" in page and "&lt;form method=&quot;post&quot;" not in page
    assert '&lt;form method="post"' in page
    old_key = web_form.key
    client.post(f"/crm/settings/web-forms/{web_form.pk}/", {"action": "regenerate"})
    web_form.refresh_from_db()
    assert web_form.key != old_key
    assert Client().get(f"/crm/f/{old_key}/").status_code == 404
    client.post(f"/crm/settings/web-forms/{web_form.pk}/", {"action": "save", "name": "Expo", "fields": ["phone"]})
    web_form.refresh_from_db()
    assert (web_form.name, web_form.is_active, web_form.fields) == ("Expo", False, ["person_name", "phone"])
    assert client_for(tenant.user(Role.SALES)).get("/crm/settings/web-forms/").status_code == 403


def test_settings_page_lists_each_field_choice_as_a_labelled_check(tenant, web_form):
    """Regression: the field checkboxes rendered bare (no .form-check), floated and covered the next fields."""
    client = client_for(tenant.user(Role.ADMIN))
    html = client.get(f"/crm/settings/web-forms/{web_form.pk}/").content.decode()
    assert html.count('<div class="form-check">') >= 7  # one per optional field (email ... message)
    assert '<input type="checkbox" name="fields" value="email" class="form-check-input"' in html
    assert '<legend class="form-label fs-6">Fields</legend>' in html


def test_other_organizations_form_is_404_and_unchanged(tenant, other_tenant):
    foreign = web_form_create(
        org=other_tenant.org, actor_membership=other_tenant.members[Role.ADMIN], data={"name": "Theirs"}
    )
    client = client_for(tenant.owner)
    assert client.get(f"/crm/settings/web-forms/{foreign.pk}/").status_code == 404
    assert client.post(f"/crm/settings/web-forms/{foreign.pk}/", {"action": "regenerate"}).status_code == 404
    assert client.post(f"/crm/settings/web-forms/{foreign.pk}/", {"action": "save", "name": "Mine"}).status_code == 404
    key = foreign.key
    foreign.refresh_from_db()
    assert (foreign.name, foreign.key) == ("Theirs", key)
    api = api_client_for(tenant.members[Role.OWNER])
    assert api.patch(f"/api/v1/crm/web-forms/{foreign.pk}/", {"name": "x"}, format="json").status_code == 404


def test_api_creates_and_lists_web_forms(tenant):
    api = api_client_for(tenant.members[Role.ADMIN])
    created = api.post("/api/v1/crm/web-forms/", {"name": "API form", "fields": ["email"]}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["fields"] == ["person_name", "email"]
    assert body["public_path"] == f"/crm/f/{body['key']}/"
    regenerated = api.post(f"/api/v1/crm/web-forms/{body['id']}/regenerate-key/")
    assert regenerated.json()["key"] != body["key"]
    bad = api.post("/api/v1/crm/web-forms/", {"name": "x", "fields": ["password"]}, format="json")
    assert bad.status_code == 400
    assert api_client_for(tenant.members[Role.SALES]).get("/api/v1/crm/web-forms/").status_code == 403


def test_owner_who_left_gives_leads_without_owner_and_a_warning_on_the_settings_page(tenant, web_form):
    admin = client_for(tenant.user(Role.ADMIN))
    warning = "The default owner of this form is no longer a member of the organization"
    assert warning not in admin.get(f"/crm/settings/web-forms/{web_form.pk}/").content.decode()
    Membership.objects.filter(pk=tenant.members[Role.SALES].pk).update(is_active=False)  # the owner left

    response = _post(web_form)

    assert response.status_code == 200
    assert "شكراً لتواصلك" in response.content.decode()
    lead = Lead.objects.get(organization=tenant.org)
    assert (lead.person_name, lead.owner) == ("ليلى حسن", None)
    assert lead.source == web_form.source
    web_form.refresh_from_db()
    assert web_form.submission_count == 1 and web_form.owner == tenant.user(Role.SALES)  # the setting is kept
    assert warning in admin.get(f"/crm/settings/web-forms/{web_form.pk}/").content.decode()
