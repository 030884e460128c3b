"""Found by QA in a real browser: each test pins one fix."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from mizan.billing.forms.lines import LineChoices
from mizan.billing.models import Tax, TaxKind
from mizan.billing.services.taxes import tax_create
from mizan.core.errors import DomainError
from mizan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_a_standard_tax_at_zero_percent_is_refused(tenant):
    before = Tax.objects.count()
    with pytest.raises(DomainError) as error:
        tax_create(
            org=tenant.org,
            actor_membership=tenant.members[Role.OWNER],
            data={"name_en": "VAT 0", "rate": Decimal("0"), "kind": TaxKind.STANDARD},
        )
    assert error.value.code == "billing.standard_rate_zero"
    assert Tax.objects.count() == before


def test_the_line_editor_offers_no_rate_that_ended_long_ago(tenant):
    """The Saudi 5% ended on 2020-06-30: not offered on new lines; 15% and the 0% kinds are."""
    org = tenant.org
    offered = {tax.rate for tax in LineChoices.for_org(org).taxes.values() if tax.kind == TaxKind.STANDARD}
    assert offered == {Decimal("15")}
    recent = Tax.objects.filter(organization=org, rate=Decimal("15")).first()
    Tax.objects.filter(pk=recent.pk).update(valid_to=org.today() - datetime.timedelta(days=30))
    assert str(recent.pk) in LineChoices.for_org(org).taxes  # a rate ended last month stays offered
