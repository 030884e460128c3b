from decimal import Decimal

import pytest
from django.http import Http404

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.models import AuditEntry, Membership, Organization
from mizan.core.roles import Role
from mizan.core.services.organizations import organization_create
from mizan.core.tests.factories import make_user


@pytest.mark.parametrize(
    ("country", "currency", "vat", "tz"),
    [
        ("EG", "EGP", Decimal("14.00"), "Africa/Cairo"),
        ("SA", "SAR", Decimal("15.00"), "Asia/Riyadh"),
        ("AE", "AED", Decimal("5.00"), "Asia/Dubai"),
    ],
)
def test_organization_create_applies_country_defaults(db, country, currency, vat, tz):
    owner = make_user()
    org = organization_create(owner=owner, name_en="Acme", country=country)
    org.refresh_from_db()
    assert (org.base_currency, org.vat_rate, org.timezone) == (currency, vat, tz)
    assert Membership.objects.get(organization=org).role == Role.OWNER
    # The organization and the owner's membership (domain apps' initializers may audit their own setup).
    core_records = AuditEntry.objects.filter(organization=org, action="create", content_type__app_label="core")
    assert sorted(core_records.values_list("content_type__model", flat=True)) == ["membership", "organization"]


def test_other_country_requires_currency_and_timezone(db):
    owner = make_user()
    with pytest.raises(DomainError) as error:
        organization_create(owner=owner, name_en="Acme", country="OTHER")
    assert error.value.field == "base_currency"
    assert Organization.objects.count() == 0
    org = organization_create(
        owner=owner, name_en="Acme", country="OTHER", base_currency="USD", timezone_name="Europe/London"
    )
    assert (org.base_currency, org.timezone, org.vat_rate) == ("USD", "Europe/London", Decimal("0.00"))


def test_unknown_country_creates_nothing(db):
    with pytest.raises(DomainError) as error:
        organization_create(owner=make_user(), name_en="Acme", country="XX")
    assert error.value.code == "unknown_country"
    assert Organization.objects.count() == 0
    assert Membership.objects.count() == 0


def test_access_or_404_hides_other_organization(tenant, other_tenant):
    membership = other_tenant.members[Role.SALES]
    with pytest.raises(Http404):
        access_or_404(Membership, org=tenant.org, pk=membership.pk)
    assert access_or_404(Membership, org=other_tenant.org, pk=membership.pk) == membership
    with pytest.raises(Http404):
        access_or_404(Membership, org=tenant.org, pk="not-a-number")
