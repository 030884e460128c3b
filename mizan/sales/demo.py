"""Demo catalog: consulting, a monthly retainer and an implementation project, priced in SAR, EGP and AED."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mizan.billing.models import Tax, TaxKind
from mizan.core.models import Membership
from mizan.core.roles import Role
from mizan.sales.models import Product
from mizan.sales.services.catalog import product_create

_DEMO_PRODUCTS = [
    ("CONSULT-H", "ساعة استشارات", "Consulting hour", "hour", {"SAR": "450", "EGP": "2500", "AED": "440"}),
    ("RETAINER-M", "اشتراك دعم شهري", "Monthly retainer", "month", {"SAR": "7500", "EGP": "45000", "AED": "7300"}),
    ("IMPL-P", "مشروع تطبيق", "Implementation project", "project", {"SAR": "60000", "EGP": "350000", "AED": "58000"}),
]


def sales_demo_seed(result: Any) -> None:
    """Registered with core's demo seeding; skips an organization that already has demo products."""
    for org in result.organizations:
        if Product.objects.filter(organization=org, code="CONSULT-H").exists():
            continue
        owner = Membership.objects.filter(organization=org, role=Role.OWNER, is_active=True).first()
        if owner is None:
            continue
        tax = Tax.objects.filter(organization=org, kind=TaxKind.STANDARD, is_active=True, valid_to__isnull=True).first()
        for code, name_ar, name_en, unit, prices in _DEMO_PRODUCTS:
            product_create(
                org=org,
                actor_membership=owner,
                data={"code": code, "name_ar": name_ar, "name_en": name_en, "unit": unit, "default_tax": tax},
                prices={currency: Decimal(price) for currency, price in prices.items()},
            )
