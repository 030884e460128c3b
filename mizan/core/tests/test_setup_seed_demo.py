"""`manage.py seed_demo`: the demo data is complete, created once, and its printed login works."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from mizan.core.demo import DEMO_PASSWORD, OWNER_EMAIL, SAUDI_VAT_NUMBER
from mizan.core.models import AuditEntry, Invitation, Membership, Notification, Organization, User
from mizan.core.roles import Role

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Organization, Membership, Invitation, Notification, AuditEntry)
    }


def test_seed_demo_creates_three_organizations_with_every_role() -> None:
    output = _seed()

    assert "Created the demo organizations" in output
    saudi = Organization.objects.get(vat_number=SAUDI_VAT_NUMBER)
    assert (saudi.name_ar, saudi.name_en, saudi.country) == ("شركة ميزان للاستشارات", "Mizan Consulting", "SA")
    assert saudi.use_arabic_indic_digits is True
    assert saudi.show_hijri_dates is True
    assert saudi.base_currency == "SAR"
    roles = set(Membership.objects.filter(organization=saudi, is_active=True).values_list("role", flat=True))
    assert roles == set(Role.values)

    owner = User.objects.get(email=OWNER_EMAIL)
    countries = set(
        Membership.objects.filter(user=owner, role=Role.OWNER).values_list("organization__country", flat=True)
    )
    assert countries == {"SA", "EG", "AE"}
    assert owner.last_organization == saudi

    pending = [invitation for invitation in Invitation.objects.filter(organization=saudi) if invitation.is_pending()]
    assert len(pending) == 2
    assert Notification.objects.filter(user=owner, organization=saudi, read_at=None).count() >= 2
    # Created through the services: the organization's creation is in its audit trail.
    assert (
        AuditEntry.objects.filter(
            organization=saudi, action="create", changes__name_en=[None, "Mizan Consulting"]
        ).count()
        == 1
    )


def test_seed_demo_twice_creates_nothing_new() -> None:
    _seed()
    before = _counts()

    output = _seed()

    assert "already present" in output
    assert _counts() == before


def test_seed_demo_keeps_existing_data_untouched() -> None:
    _seed()
    owner = User.objects.get(email=OWNER_EMAIL)
    owner.full_name = "Renamed by the user"
    owner.save(update_fields=["full_name"])

    _seed()

    owner.refresh_from_db()
    assert owner.full_name == "Renamed by the user"


def test_printed_login_signs_in_every_demo_member() -> None:
    output = _seed()

    assert f"E-mail:   {OWNER_EMAIL}" in output
    assert f"Password: {DEMO_PASSWORD}" in output
    for email in User.objects.filter(email__endswith="@demo.mizan.local").values_list("email", flat=True):
        assert Client().login(username=email, password=DEMO_PASSWORD), email
