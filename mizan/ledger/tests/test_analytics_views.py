"""Cost center and project pages: create, edit, deactivate and reactivate through the services,
with their capability, another organization's ids answering 404, bad input saving nothing,
links to the per cost center / per project report and drill-down, and a constant query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conftest import client_for
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.ledger.forms import JournalLineForm
from mizan.ledger.models import AnalyticAccount, AnalyticKind
from mizan.ledger.services.accounts import analytic_account_create
from mizan.ledger.services.entries import journal_entry_create
from mizan.ledger.tests.conftest import account, journal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_language():
    """Requests activate the user's language on this thread; later tests must not inherit it."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def accountant_client(tenant):
    return client_for(tenant.user(Role.ACCOUNTANT))


def _analytic(tenant, kind: str, code: str, **data) -> AnalyticAccount:
    return analytic_account_create(
        org=tenant.org,
        actor_membership=tenant.members[Role.ACCOUNTANT],
        data={"kind": kind, "code": code, "name_en": f"Name {code}", **data},
    )


def _post_tagged(tenant, *, cost_center=None, project=None) -> None:
    """A posted sale of 100 tagged on its income line."""
    org = tenant.org
    journal_entry_create(
        org=org,
        actor_membership=tenant.members[Role.ACCOUNTANT],
        journal=journal(org),
        date=org.today(),
        lines=[
            {"account": account(org, "1130"), "debit": Decimal("100"), "credit": Decimal("0")},
            {
                "account": account(org, "4100"),
                "debit": Decimal("0"),
                "credit": Decimal("100"),
                "cost_center": cost_center,
                "project": project,
            },
        ],
        post=True,
    )


def _speak(tenant, language: str) -> None:
    """The signed-in user's own language chooses the page's language."""
    user = tenant.user(Role.ACCOUNTANT)
    user.language = language
    user.save(update_fields=["language"])


def _state(org) -> list[tuple]:
    return list(
        AnalyticAccount.objects.filter(organization=org)
        .order_by("pk")
        .values_list("pk", "kind", "code", "name_ar", "name_en", "is_active")
    )


def _audit_actions(analytic: AnalyticAccount) -> list[str]:
    content_type = ContentType.objects.get_for_model(AnalyticAccount)
    return list(
        AuditEntry.objects.filter(content_type=content_type, object_id=str(analytic.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("name", ["analytic_account_list", "analytic_account_create"])
def test_pages_render_in_both_languages(tenant, accountant_client, name):
    _analytic(tenant, AnalyticKind.PROJECT, "P1")
    for language in ("ar", "en"):
        _speak(tenant, language)
        response = accountant_client.get(reverse(f"ledger:{name}"))
        assert response.status_code == 200
        assert response.headers["Content-Language"] == language
        assert b"<script>" not in response.content and b' style="' not in response.content


def test_sidebar_links_to_the_page(accountant_client):
    content = accountant_client.get(reverse("ledger:entry_list")).content
    assert reverse("ledger:analytic_account_list").encode() in content


def test_list_groups_by_kind_and_links_to_reports_and_lines(tenant, accountant_client):
    center = _analytic(tenant, AnalyticKind.COST_CENTER, "CC1")
    department = _analytic(tenant, AnalyticKind.DEPARTMENT, "D1")
    project = _analytic(tenant, AnalyticKind.PROJECT, "P1")
    _post_tagged(tenant, cost_center=center, project=project)
    _post_tagged(tenant, cost_center=center)

    response = accountant_client.get(reverse("ledger:analytic_account_list"))

    groups = response.context["groups"]
    assert [group.kind for group in groups] == ["department", "cost_center", "project"]
    assert [[a.code for a in group.accounts] for group in groups] == [["D1"], ["CC1"], ["P1"]]
    counts = {a.code: a.posted_line_count for group in groups for a in group.accounts}
    assert counts == {"D1": 0, "CC1": 2, "P1": 1}
    html = response.content.decode()
    assert f"{reverse('ledger:line_list')}?cost_center={center.pk}" in html
    assert f"{reverse('ledger:line_list')}?project={project.pk}" in html
    assert f"?cost_center={department.pk}" not in html  # no lines: no drill-down link
    assert reverse("ledger:report_analytic", args=["cost-center"]) in html
    assert reverse("ledger:report_analytic", args=["project"]) in html
    # the drill-down lists exactly the tagged lines
    drill = accountant_client.get(reverse("ledger:line_list"), {"cost_center": center.pk})
    assert drill.status_code == 200 and len(drill.context["rows"]) == 2


def test_list_filters_by_status_and_kind_and_paginates(tenant, accountant_client, monkeypatch):
    from mizan.ledger.views import analytics

    _analytic(tenant, AnalyticKind.PROJECT, "P1")
    _analytic(tenant, AnalyticKind.PROJECT, "P2", is_active=False)
    _analytic(tenant, AnalyticKind.COST_CENTER, "CC1")
    url = reverse("ledger:analytic_account_list")

    def codes(params):
        page = accountant_client.get(url, params).context["page"]
        return [a.code for a in page.object_list]

    assert codes({"status": "inactive"}) == ["P2"]
    assert codes({"status": "active"}) == ["CC1", "P1"]
    assert codes({"kind": "project"}) == ["P1", "P2"]
    assert codes({"kind": "project", "status": "active"}) == ["P1"]
    assert codes({"status": "nonsense"}) == ["CC1", "P1", "P2"]
    monkeypatch.setattr(analytics, "PAGE_SIZE", 2)
    assert codes({"page": "2"}) == ["P2"]
    monkeypatch.setattr(analytics, "PAGE_SIZE", 1)
    assert codes({"kind": "project", "page": "2"}) == ["P2"]
    assert b"?kind=project&amp;page=2" in accountant_client.get(url, {"kind": "project"}).content


def test_create_through_the_page(tenant, accountant_client):
    response = accountant_client.post(
        reverse("ledger:analytic_account_create"),
        {"kind": "project", "code": " PRJ-7 ", "name_ar": "مشروع", "name_en": "Tower"},
    )
    assert response.status_code == 302 and response.url == reverse("ledger:analytic_account_list")
    analytic = AnalyticAccount.objects.get(organization=tenant.org, code="PRJ-7")
    assert (analytic.kind, analytic.name_ar, analytic.name_en, analytic.is_active) == (
        "project",
        "مشروع",
        "Tower",
        True,
    )
    assert _audit_actions(analytic) == ["create"]
    # it is offered on new journal lines
    assert analytic in JournalLineForm(org=tenant.org).fields["project"].queryset


def test_create_preselects_the_kind_from_the_group_link(accountant_client):
    response = accountant_client.get(reverse("ledger:analytic_account_create"), {"kind": "cost_center"})
    assert response.context["form"]["kind"].value() == "cost_center"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "project", "code": "P1", "name_ar": "", "name_en": ""}, "name_ar"),
        ({"kind": "project", "code": "P1", "name_en": "Copy"}, "code"),
        ({"kind": "galaxy", "code": "G1", "name_en": "Galaxy"}, "kind"),
        ({"kind": "project", "code": "", "name_en": "No code"}, "code"),
        ({"kind": "project", "code": "X" * 31, "name_en": "Long"}, "code"),
    ],
)
def test_create_with_bad_input_shows_a_field_error_and_saves_nothing(tenant, accountant_client, payload, field):
    _analytic(tenant, AnalyticKind.PROJECT, "P1")
    before = _state(tenant.org)
    response = accountant_client.post(reverse("ledger:analytic_account_create"), payload)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and errors[field][0]
    assert _state(tenant.org) == before


def test_create_error_message_is_translated(tenant, accountant_client):
    payload = {"kind": "project", "code": "P9", "name_ar": "", "name_en": ""}
    for language in ("ar", "en"):
        _speak(tenant, language)
        response = accountant_client.post(reverse("ledger:analytic_account_create"), payload)
        with translation.override(language):
            expected = translation.gettext("Enter the name in Arabic or in English.")
        assert response.context["form"].errors["name_ar"] == [expected]
        assert expected in response.content.decode()
    assert not AnalyticAccount.objects.filter(organization=tenant.org, code="P9").exists()


def test_edit_through_the_page_keeps_the_kind(tenant, accountant_client):
    analytic = _analytic(tenant, AnalyticKind.COST_CENTER, "CC1")
    url = reverse("ledger:analytic_account_edit", args=[analytic.pk])
    page = accountant_client.get(url)
    assert page.status_code == 200 and "kind" not in page.context["form"].fields
    assert f"?cost_center={analytic.pk}".encode() in page.content

    response = accountant_client.post(url, {"kind": "project", "code": "CC-10", "name_ar": "فرع", "name_en": ""})

    assert response.status_code == 302
    analytic.refresh_from_db()
    assert (analytic.kind, analytic.code, analytic.name_ar, analytic.name_en) == ("cost_center", "CC-10", "فرع", "")
    assert _audit_actions(analytic) == ["create", "update"]


def test_edit_with_bad_input_changes_nothing(tenant, accountant_client):
    _analytic(tenant, AnalyticKind.COST_CENTER, "CC1")
    analytic = _analytic(tenant, AnalyticKind.COST_CENTER, "CC2")
    url = reverse("ledger:analytic_account_edit", args=[analytic.pk])
    before = _state(tenant.org)
    for payload, field in (
        ({"code": "CC1", "name_en": "Taken"}, "code"),
        ({"code": "CC2", "name_ar": " ", "name_en": ""}, "name_ar"),
        ({"code": "", "name_en": "No code"}, "code"),
    ):
        response = accountant_client.post(url, payload)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
    assert _state(tenant.org) == before
    assert _audit_actions(analytic) == ["create"]


def test_deactivate_and_reactivate_through_the_page(tenant, accountant_client):
    analytic = _analytic(tenant, AnalyticKind.PROJECT, "P1")
    _post_tagged(tenant, project=analytic)
    url = reverse("ledger:analytic_account_set_active", args=[analytic.pk])

    response = accountant_client.post(url, {"is_active": "0"})

    assert response.status_code == 302
    analytic.refresh_from_db()
    assert analytic.is_active is False
    assert analytic not in JournalLineForm(org=tenant.org).fields["project"].queryset
    # history stays: its posted line still drills down
    assert len(accountant_client.get(reverse("ledger:line_list"), {"project": analytic.pk}).context["rows"]) == 1

    accountant_client.post(url, {"is_active": "1"})
    analytic.refresh_from_db()
    assert analytic.is_active is True
    assert _audit_actions(analytic) == ["create", "update", "update"]


def test_set_active_needs_post(tenant, accountant_client):
    analytic = _analytic(tenant, AnalyticKind.PROJECT, "P1")
    response = accountant_client.get(reverse("ledger:analytic_account_set_active", args=[analytic.pk]))
    assert response.status_code == 405
    analytic.refresh_from_db()
    assert analytic.is_active is True


def test_members_without_ledger_capability_are_refused_and_change_nothing(tenant):
    analytic = _analytic(tenant, AnalyticKind.PROJECT, "P1")
    before = _state(tenant.org)
    for role in (Role.SALES, Role.PROJECT_MANAGER, Role.EMPLOYEE):
        client = client_for(tenant.user(role))
        assert client.get(reverse("ledger:analytic_account_list")).status_code == 403
        assert client.get(reverse("ledger:analytic_account_create")).status_code == 403
        create = client.post(
            reverse("ledger:analytic_account_create"), {"kind": "project", "code": "P2", "name_en": "New"}
        )
        assert create.status_code == 403
        edit_url = reverse("ledger:analytic_account_edit", args=[analytic.pk])
        assert client.get(edit_url).status_code == 403
        assert client.post(edit_url, {"code": "Z", "name_en": "Changed"}).status_code == 403
        set_active = reverse("ledger:analytic_account_set_active", args=[analytic.pk])
        assert client.post(set_active, {"is_active": "0"}).status_code == 403
        home = client.get(reverse("core:home")).content
        assert reverse("ledger:analytic_account_list").encode() not in home
    assert _state(tenant.org) == before


def test_other_organizations_ids_answer_404_and_change_nothing(tenant, other_tenant):
    foreign = _analytic(other_tenant, AnalyticKind.PROJECT, "P1")
    before = _state(other_tenant.org)
    owner = client_for(tenant.user(Role.OWNER))
    edit_url = reverse("ledger:analytic_account_edit", args=[foreign.pk])
    set_active = reverse("ledger:analytic_account_set_active", args=[foreign.pk])
    assert owner.get(edit_url).status_code == 404
    assert owner.post(edit_url, {"code": "HACK", "name_en": "Hacked"}).status_code == 404
    assert owner.post(set_active, {"is_active": "0"}).status_code == 404
    assert _state(other_tenant.org) == before
    assert _audit_actions(foreign) == ["create"]
    # and the list shows only this organization's own
    _analytic(tenant, AnalyticKind.PROJECT, "MINE")
    listed = owner.get(reverse("ledger:analytic_account_list")).context["page"].object_list
    assert [a.code for a in listed] == ["MINE"]


#: Session, user, membership and shell queries, then the page's count and its one row query.
PINNED_QUERIES = 7


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_list_queries_do_not_grow_with_rows(tenant, accountant_client):
    url = reverse("ledger:analytic_account_list")
    first = _analytic(tenant, AnalyticKind.PROJECT, "P0")
    _post_tagged(tenant, project=first)
    few = _count(accountant_client, url)
    for index in range(1, 8):
        kind = [AnalyticKind.DEPARTMENT, AnalyticKind.COST_CENTER, AnalyticKind.PROJECT][index % 3]
        analytic = _analytic(tenant, kind, f"A{index}", is_active=index % 2 == 0)
        if kind == AnalyticKind.PROJECT:
            _post_tagged(tenant, project=analytic)
        else:
            _post_tagged(tenant, cost_center=analytic)
    assert _count(accountant_client, url) == few == PINNED_QUERIES
