"""The audit log page, its filters and query count, and the record history selector."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from mizan.core.models import AuditEntry, Membership, Organization
from mizan.core.roles import Role
from mizan.core.selectors.audit import audit_entries_for, audit_log_entries
from mizan.core.services.audit import audit_record


def add_entries(tenant, count: int, *, actor_role: str = Role.ADMIN) -> None:
    """`count` role changes by different people, each naming the field that changed."""
    target = tenant.members[Role.EMPLOYEE]
    roles = [Role.ADMIN, Role.SALES, Role.ACCOUNTANT]
    with transaction.atomic():
        for number in range(count):
            audit_record(
                org=tenant.org,
                actor=tenant.user(roles[number % 3] if actor_role is None else actor_role),
                instance=target,
                action="update",
                changes={"role": ["employee", "sales"]},
            )


def set_time(entries, when: datetime.datetime) -> None:
    AuditEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(created_at=when)


def test_audit_log_lists_entries_with_changes(tenant, owner_client):
    add_entries(tenant, 1)
    response = owner_client.get(reverse("core:audit_log"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Audit log" in content
    assert "Updated" in content
    assert "Membership" in content  # the record type
    # Field label with old -> new shown as choice labels.
    assert "Role" in content and "Employee" in content and "Sales" in content
    assert str(tenant.user(Role.ADMIN)) in content


def test_audit_log_shows_time_in_the_organizations_time_zone(tenant, owner_client):
    add_entries(tenant, 1)
    entry = AuditEntry.objects.filter(organization=tenant.org, action="update").get()
    set_time([entry], datetime.datetime(2025, 3, 1, 21, 30, tzinfo=datetime.UTC))
    content = owner_client.get(reverse("core:audit_log")).content.decode()
    assert "2025-03-02 00:30" in content  # Riyadh is UTC+3


def test_audit_log_never_shows_another_organizations_entries(tenant, other_tenant, owner_client):
    content = owner_client.get(reverse("core:audit_log")).content.decode()
    assert "Beta Co" not in content
    assert other_tenant.owner.email not in content
    assert "Alpha Co" in content


@pytest.mark.parametrize(("role", "status"), [(Role.ACCOUNTANT, 200), (Role.ADMIN, 200), (Role.SALES, 403)])
def test_audit_log_capability(tenant, role, status):
    assert client_for(tenant.user(role)).get(reverse("core:audit_log")).status_code == status


def test_query_count_does_not_grow_with_entries(tenant, owner_client):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(reverse("core:audit_log"))
        assert response.status_code == 200
        return len(queries)

    AuditEntry.objects.filter(organization=tenant.org).delete()
    add_entries(tenant, 5, actor_role=None)
    five = count_queries()
    add_entries(tenant, 25, actor_role=None)
    thirty = count_queries()
    assert five == thirty


def test_pagination_50_per_page(tenant, owner_client):
    AuditEntry.objects.filter(organization=tenant.org).delete()
    add_entries(tenant, 51)
    first = owner_client.get(reverse("core:audit_log"))
    assert len(first.context["entries"]) == 50
    second = owner_client.get(reverse("core:audit_log"), {"page": 2})
    assert len(second.context["entries"]) == 1
    assert second.context["entries"][0].pk == AuditEntry.objects.filter(organization=tenant.org).order_by("id")[0].pk


def test_filters_by_actor_type_action_and_dates(tenant, owner_client):
    AuditEntry.objects.filter(organization=tenant.org).delete()
    add_entries(tenant, 2, actor_role=Role.ADMIN)
    add_entries(tenant, 3, actor_role=Role.SALES)
    url = reverse("core:audit_log")

    def shown(**params) -> int:
        response = owner_client.get(url, params)
        assert response.status_code == 200
        return len(response.context["entries"])

    assert shown() == 5
    assert shown(actor=tenant.user(Role.SALES).pk) == 3
    membership_type = ContentType.objects.get_for_model(Membership)
    organization_type = ContentType.objects.get_for_model(Organization)
    assert shown(content_type=membership_type.pk) == 5
    assert shown(action="create") == 0
    assert shown(action="update") == 5
    entries = list(AuditEntry.objects.filter(organization=tenant.org).order_by("id"))
    riyadh = ZoneInfo("Asia/Riyadh")
    set_time(entries[:2], datetime.datetime(2025, 1, 10, 23, 30, tzinfo=riyadh))
    set_time(entries[2:], datetime.datetime(2025, 1, 11, 0, 30, tzinfo=riyadh))
    assert shown(date_from="2025-01-11") == 3
    assert shown(date_to="2025-01-10") == 2
    assert shown(date_from="2025-01-10", date_to="2025-01-10") == 2
    # The organization type never appears in this log, so it is not a valid choice: the filter is ignored.
    assert shown(content_type=organization_type.pk) == 5


def test_unknown_and_foreign_filters_are_ignored(tenant, other_tenant, owner_client):
    AuditEntry.objects.filter(organization=tenant.org).delete()
    add_entries(tenant, 2)
    response = owner_client.get(
        reverse("core:audit_log"),
        {"actor": other_tenant.owner.pk, "organization": other_tenant.org.pk, "object_repr__contains": "x"},
    )
    assert response.status_code == 200
    assert len(response.context["entries"]) == 2


def test_selector_allow_list(tenant, other_tenant):
    add_entries(tenant, 2)
    entries = audit_log_entries(org=tenant.org, filters={"organization": other_tenant.org.pk, "action": "update"})
    assert entries.count() == 2
    assert all(entry.organization_id == tenant.org.pk for entry in entries)


def test_audit_entries_for_one_record_and_its_template(tenant, owner_client):
    add_entries(tenant, 2)
    target = tenant.members[Role.EMPLOYEE]
    entries = audit_entries_for(org=tenant.org, instance=target)
    assert [entry.action for entry in entries] == ["update", "update"]
    assert entries[0].display_changes[0].old == "Employee"
    assert entries[0].display_changes[0].new == "Sales"
    # Another organization sees nothing of this record.
    assert audit_entries_for(org=Organization(pk=10**6), instance=target) == []
    html = render_to_string("core/audit/_record_history.html", {"audit_entries": entries, "current_org": tenant.org})
    assert html.count("<li") == 2
    assert "Sales" in html


def test_record_history_hides_secrets(tenant):
    with transaction.atomic():
        audit_record(
            org=tenant.org,
            actor=tenant.owner,
            instance=tenant.org,
            action="update",
            changes={"token_hash": ["a", "b"], "vat_rate": ["15.00", "5.00"]},
        )
    entry = audit_entries_for(org=tenant.org, instance=tenant.org)[0]
    assert [row.field for row in entry.display_changes] == ["vat_rate"]


def test_record_history_names_related_records_and_hides_derived_columns(tenant):
    """History shows the owner's name (not an id), and never the organization or search columns."""
    from mizan.core.selectors.audit import audit_entries_for
    from mizan.crm.services.clients import company_create

    admin = tenant.members[Role.ADMIN]
    company = company_create(org=tenant.org, actor_membership=admin, data={"name_latin": "Acme Trading"})
    (entry,) = audit_entries_for(org=tenant.org, instance=company)
    shown = {row.field: row.new for row in entry.display_changes}
    assert shown["owner"] == str(admin.user)
    assert "organization" not in shown
    assert "search_name" not in shown
    assert shown["name_latin"] == "Acme Trading"
