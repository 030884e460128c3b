"""Rules of organization_update, the membership services and organization_switch."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry, Membership, Organization
from mizan.core.roles import Role
from mizan.core.services.organizations import (
    membership_change_role,
    membership_deactivate,
    organization_create,
    organization_switch,
    organization_update,
)
from mizan.core.tests.factories import add_member, make_user


def png_upload(name: str = "logo.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def audit_count(org: Organization) -> int:
    return AuditEntry.objects.filter(organization=org).count()


def entries_of(instance):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- organization_update -------------------------------------------------------------------------


def test_organization_update_saves_and_audits_exact_changes(tenant):
    org, owner = tenant.org, tenant.members[Role.OWNER]
    updated = organization_update(
        org=org,
        actor_membership=owner,
        data={
            "name_en": "  Alpha Holding ",
            "vat_rate": Decimal("5.00"),
            "fiscal_year_start_month": 4,
            "show_hijri_dates": True,
            "sales_visibility": Organization.SalesVisibility.OWN,
            "country": "EG",  # not an editable field: ignored
        },
    )
    org.refresh_from_db()
    assert (org.name_en, org.vat_rate, org.fiscal_year_start_month) == ("Alpha Holding", Decimal("5.00"), 4)
    assert org.show_hijri_dates is True
    assert org.sales_visibility == "own"
    assert org.country == "SA"
    assert updated.pk == org.pk
    entry = AuditEntry.objects.filter(organization=org, action="update").get()
    assert entry.actor == tenant.owner
    assert entry.object_id == str(org.pk)
    assert entry.changes == {
        "fiscal_year_start_month": ["1", "4"],
        "name_en": ["Alpha Co", "Alpha Holding"],
        "sales_visibility": ["all", "own"],
        "show_hijri_dates": ["False", "True"],
        "vat_rate": ["15.00", "5.00"],
    }


def test_organization_update_without_changes_writes_no_audit(tenant):
    before = audit_count(tenant.org)
    organization_update(org=tenant.org, actor_membership=tenant.members[Role.ADMIN], data={"name_en": "Alpha Co"})
    assert audit_count(tenant.org) == before


@pytest.mark.parametrize("role", [Role.SALES, Role.ACCOUNTANT, Role.EMPLOYEE, Role.PROJECT_MANAGER])
def test_organization_update_needs_capability_and_changes_nothing(tenant, role):
    before = audit_count(tenant.org)
    with pytest.raises(PermissionDeniedError):
        organization_update(org=tenant.org, actor_membership=tenant.members[role], data={"name_en": "Hacked"})
    tenant.org.refresh_from_db()
    assert tenant.org.name_en == "Alpha Co"
    assert audit_count(tenant.org) == before


def test_organization_update_refuses_a_member_of_another_organization(tenant, other_tenant):
    with pytest.raises(DomainError) as error:
        organization_update(
            org=tenant.org, actor_membership=other_tenant.members[Role.OWNER], data={"name_en": "Hacked"}
        )
    assert error.value.code == "not_found"
    tenant.org.refresh_from_db()
    assert tenant.org.name_en == "Alpha Co"


@pytest.mark.parametrize("vat_number", ["300000000000003", "312345678901233"])
def test_saudi_vat_number_accepted(tenant, vat_number):
    organization_update(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"vat_number": vat_number})
    tenant.org.refresh_from_db()
    assert tenant.org.vat_number == vat_number


@pytest.mark.parametrize(
    "vat_number",
    ["30000000000003", "3000000000000033", "200000000000003", "300000000000002", "30000000000000A"],
)
def test_saudi_vat_number_must_be_15_digits_starting_and_ending_with_3(tenant, vat_number):
    before = audit_count(tenant.org)
    with pytest.raises(DomainError) as error:
        organization_update(
            org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"vat_number": vat_number}
        )
    assert (error.value.code, error.value.field) == ("invalid_vat_number", "vat_number")
    tenant.org.refresh_from_db()
    assert tenant.org.vat_number == ""
    assert audit_count(tenant.org) == before


def test_egyptian_vat_number_is_kept_as_typed(other_tenant):
    organization_update(
        org=other_tenant.org, actor_membership=other_tenant.members[Role.OWNER], data={"vat_number": "123-456-789"}
    )
    other_tenant.org.refresh_from_db()
    assert other_tenant.org.vat_number == "123-456-789"


def test_organization_create_checks_saudi_vat_number(db):
    with pytest.raises(DomainError) as error:
        organization_create(owner=make_user(), name_en="Acme", country="SA", vat_number="12345")
    assert error.value.field == "vat_number"
    assert Organization.objects.count() == 0


def test_organization_update_keeps_a_name(tenant):
    with pytest.raises(DomainError) as error:
        organization_update(
            org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"name_ar": " ", "name_en": ""}
        )
    assert error.value.field == "name_ar"
    tenant.org.refresh_from_db()
    assert (tenant.org.name_ar, tenant.org.name_en) == ("شركة alpha", "Alpha Co")


def test_organization_update_rejects_invalid_values_as_domain_errors(tenant):
    with pytest.raises(DomainError) as error:
        organization_update(
            org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"timezone": "Mars/Olympus"}
        )
    assert error.value.field == "timezone"
    with pytest.raises(DomainError) as error:
        organization_update(
            org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"vat_rate": Decimal("101")}
        )
    assert error.value.field == "vat_rate"
    tenant.org.refresh_from_db()
    assert (tenant.org.timezone, tenant.org.vat_rate) == ("Asia/Riyadh", Decimal("15.00"))


def test_logo_upload_is_stored_and_audited(tenant, media):
    organization_update(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"logo": png_upload()})
    tenant.org.refresh_from_db()
    assert tenant.org.logo.name.startswith("logos/logo")
    assert (media / tenant.org.logo.name).exists()
    entry = AuditEntry.objects.filter(organization=tenant.org, action="update").get()
    assert entry.changes == {"logo": ["", tenant.org.logo.name]}
    # False (a cleared form field) removes it.
    organization_update(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"logo": False})
    tenant.org.refresh_from_db()
    assert tenant.org.logo.name == ""


def test_logo_must_be_an_image(tenant, media):
    fake = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'></svg>", content_type="image/png")
    with pytest.raises(DomainError) as error:
        organization_update(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"logo": fake})
    assert (error.value.code, error.value.field) == ("logo_not_image", "logo")
    tenant.org.refresh_from_db()
    assert tenant.org.logo.name == ""
    assert list(media.iterdir()) == []


def test_logo_at_most_2_mb(tenant, media):
    big = SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024), content_type="image/png")
    with pytest.raises(DomainError) as error:
        organization_update(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"logo": big})
    assert error.value.code == "logo_too_large"
    tenant.org.refresh_from_db()
    assert tenant.org.logo.name == ""


# --- memberships ----------------------------------------------------------------------------------


def test_change_role_audits_old_and_new(tenant):
    target = tenant.members[Role.EMPLOYEE]
    membership_change_role(
        org=tenant.org, actor_membership=tenant.members[Role.ADMIN], membership=target, role=Role.SALES
    )
    target.refresh_from_db()
    assert target.role == Role.SALES
    entry = entries_of(target).filter(action="update").get()
    assert entry.changes == {"role": ["employee", "sales"]}
    assert entry.actor == tenant.user(Role.ADMIN)


def test_change_role_to_same_role_writes_nothing(tenant):
    before = audit_count(tenant.org)
    membership_change_role(
        org=tenant.org,
        actor_membership=tenant.members[Role.ADMIN],
        membership=tenant.members[Role.EMPLOYEE],
        role=Role.EMPLOYEE,
    )
    assert audit_count(tenant.org) == before


def test_only_owner_makes_or_changes_owners(tenant):
    admin = tenant.members[Role.ADMIN]
    with pytest.raises(DomainError) as error:
        membership_change_role(
            org=tenant.org, actor_membership=admin, membership=tenant.members[Role.EMPLOYEE], role=Role.OWNER
        )
    assert error.value.code == "owner_only"
    with pytest.raises(DomainError) as error:
        membership_change_role(
            org=tenant.org, actor_membership=admin, membership=tenant.members[Role.OWNER], role=Role.ADMIN
        )
    assert error.value.code == "owner_only"
    with pytest.raises(DomainError):
        membership_deactivate(org=tenant.org, actor_membership=admin, membership=tenant.members[Role.OWNER])
    assert Membership.objects.get(pk=tenant.members[Role.OWNER].pk).role == Role.OWNER
    assert Membership.objects.get(pk=tenant.members[Role.OWNER].pk).is_active


def test_owner_check_uses_the_current_role_not_a_stale_copy(tenant):
    """An admin holding an old copy of a member who has since become owner cannot demote them."""
    stale = Membership.objects.get(pk=tenant.members[Role.EMPLOYEE].pk)
    membership_change_role(
        org=tenant.org, actor_membership=tenant.members[Role.OWNER], membership=stale, role=Role.OWNER
    )
    with pytest.raises(DomainError) as error:
        membership_change_role(
            org=tenant.org, actor_membership=tenant.members[Role.ADMIN], membership=stale, role=Role.SALES
        )
    assert error.value.code == "owner_only"
    assert Membership.objects.get(pk=stale.pk).role == Role.OWNER


def test_last_owner_cannot_be_demoted_or_removed(tenant):
    owner = tenant.members[Role.OWNER]
    with pytest.raises(DomainError) as error:
        membership_change_role(org=tenant.org, actor_membership=owner, membership=owner, role=Role.ADMIN)
    assert error.value.code == "last_owner"
    with pytest.raises(DomainError) as error:
        membership_deactivate(org=tenant.org, actor_membership=owner, membership=owner)
    assert error.value.code == "last_owner"
    owner.refresh_from_db()
    assert (owner.role, owner.is_active) == (Role.OWNER, True)


def test_an_owner_may_step_down_when_another_owner_remains(tenant):
    owner = tenant.members[Role.OWNER]
    second = add_member(tenant.org, Role.OWNER)
    membership_change_role(org=tenant.org, actor_membership=owner, membership=owner, role=Role.ADMIN)
    owner.refresh_from_db()
    assert owner.role == Role.ADMIN
    second.refresh_from_db()
    assert second.role == Role.OWNER


def test_deactivate_audits_and_keeps_the_row(tenant):
    target = tenant.members[Role.SALES]
    membership_deactivate(org=tenant.org, actor_membership=tenant.members[Role.ADMIN], membership=target)
    target.refresh_from_db()
    assert target.is_active is False
    entry = entries_of(target).filter(action="update").get()
    assert entry.changes == {"is_active": ["True", "False"]}


def test_membership_services_need_members_manage(tenant):
    sales = tenant.members[Role.SALES]
    target = tenant.members[Role.EMPLOYEE]
    with pytest.raises(PermissionDeniedError):
        membership_change_role(org=tenant.org, actor_membership=sales, membership=target, role=Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        membership_deactivate(org=tenant.org, actor_membership=sales, membership=target)
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.EMPLOYEE, True)


def test_membership_services_refuse_another_organizations_member(tenant, other_tenant):
    target = other_tenant.members[Role.EMPLOYEE]
    with pytest.raises(DomainError):
        membership_change_role(
            org=tenant.org, actor_membership=tenant.members[Role.OWNER], membership=target, role=Role.ADMIN
        )
    with pytest.raises(DomainError):
        membership_deactivate(org=tenant.org, actor_membership=tenant.members[Role.OWNER], membership=target)
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.EMPLOYEE, True)


# --- switching --------------------------------------------------------------------------------------


def test_organization_switch_to_own_organization(tenant):
    second = organization_create(owner=tenant.owner, name_en="Second", country="AE")
    org = organization_switch(user=tenant.owner, organization_id=tenant.org.pk)
    tenant.owner.refresh_from_db()
    assert org == tenant.org
    assert tenant.owner.last_organization == tenant.org
    organization_switch(user=tenant.owner, organization_id=str(second.pk))
    tenant.owner.refresh_from_db()
    assert tenant.owner.last_organization == second


@pytest.mark.parametrize("bad_id", ["not-a-number", None, ""])
def test_organization_switch_refuses_garbage(tenant, bad_id):
    with pytest.raises(DomainError):
        organization_switch(user=tenant.owner, organization_id=bad_id)


def test_organization_switch_refuses_non_member_and_inactive(tenant, other_tenant):
    with pytest.raises(DomainError):
        organization_switch(user=tenant.owner, organization_id=other_tenant.org.pk)
    tenant.owner.refresh_from_db()
    assert tenant.owner.last_organization == tenant.org
    sales = tenant.members[Role.SALES]
    sales.is_active = False
    sales.save()
    with pytest.raises(DomainError):
        organization_switch(user=sales.user, organization_id=tenant.org.pk)
