"""`seed_demo` fills the three demo organizations with a lived-in CRM, once."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from mizan.core.demo import OWNER_EMAIL
from mizan.core.models import Membership, Organization, User
from mizan.crm.models import Activity, Company, Contact, Deal, FollowUp, Lead, Stage
from mizan.crm.selectors.timeline import cold_deals, my_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> dict[str, Organization]:
    call_command("seed_demo", stdout=StringIO())
    return {org.country: org for org in Organization.objects.all()}


def test_every_demo_organization_has_clients_leads_deals_and_history(seeded):
    for country in ("SA", "EG", "AE"):
        org = seeded[country]
        assert Company.objects.filter(organization=org).count() >= 2
        assert Contact.objects.filter(organization=org).count() >= 3
        statuses = set(Lead.objects.filter(organization=org).values_list("status", flat=True))
        assert {"new", "contacted", "qualified", "disqualified"} <= statuses
        deals = Deal.objects.filter(organization=org)
        stages_used = set(deals.values_list("stage__name_en", flat=True))
        pipeline_stages = set(
            Stage.objects.filter(organization=org, pipeline__is_default=True).values_list("name_en", flat=True)
        )
        assert pipeline_stages <= stages_used, country
        lost = deals.get(status=Deal.Status.LOST)
        assert lost.lost_reason_id is not None
        assert deals.filter(status=Deal.Status.WON).count() == 1
        kinds = set(Activity.objects.filter(organization=org).values_list("kind", flat=True))
        assert {"note", "call", "meeting", "email", "stage_change"} <= kinds
        converted = Lead.objects.filter(organization=org, status="converted").values("converted_deal")
        per_deal = deals.exclude(pk__in=converted).annotate(n=Count("activities")).values_list("n", flat=True)
        assert min(per_deal) >= 4


def test_saudi_companies_have_valid_vat_and_e164_phones(seeded):
    converted = Lead.objects.filter(status="converted").values("converted_company")
    companies = Company.objects.filter(organization=seeded["SA"]).exclude(pk__in=converted)
    assert companies.count() == 3
    for company in companies:
        assert re.fullmatch(r"3\d{13}3", company.vat_number), company.vat_number
        assert re.fullmatch(r"\+966\d{8,9}", company.phone)
        assert company.name_ar and company.name_latin
    cities = set(companies.values_list("city", flat=True))
    assert {"الرياض", "جدة"} <= cities
    assert {"القاهرة", "الإسكندرية"} <= set(
        Company.objects.filter(organization=seeded["EG"]).values_list("city", flat=True)
    )
    assert {"Dubai", "Abu Dhabi"} <= set(
        Company.objects.filter(organization=seeded["AE"]).values_list("city", flat=True)
    )


def test_my_day_of_the_demo_owner_and_sales_member_has_content(seeded):
    saudi = seeded["SA"]
    owner = Membership.objects.get(organization=saudi, user__email=OWNER_EMAIL)
    day = my_day(org=saudi, membership=owner)
    assert day.overdue and day.due_today
    sales = Membership.objects.get(organization=saudi, role="sales")
    sales_day = my_day(org=saudi, membership=sales)
    assert sales_day.overdue and sales_day.deals_without_next_step and sales_day.cold_deals
    assert cold_deals(org=saudi, membership=owner).count() >= 2
    # next steps are kept by the follow-up service
    for deal in Deal.objects.filter(organization=saudi, status="open"):
        earliest = FollowUp.objects.filter(deal=deal, completed_at__isnull=True).order_by("due_at").first()
        assert deal.next_step_due_at == (earliest.due_at if earliest else None)


def test_seeding_again_adds_nothing(seeded):
    before = (Company.objects.count(), Deal.objects.count(), Activity.objects.count(), FollowUp.objects.count())
    call_command("seed_demo", stdout=StringIO())
    after = (Company.objects.count(), Deal.objects.count(), Activity.objects.count(), FollowUp.objects.count())
    assert after == before
    assert User.objects.filter(email=OWNER_EMAIL).count() == 1
