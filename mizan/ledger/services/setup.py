"""Books of a new organization: its country's chart, the default journals, the current fiscal year."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mizan.ledger.charts import JOURNALS, chart_template_for
from mizan.ledger.models import Account, Journal
from mizan.ledger.services.periods import fiscal_year_install_current


def chart_install(*, org: Any, country: str | None = None) -> list[Account]:
    """Create the chart of `country` (default: the organization's) in an empty chart."""
    template = chart_template_for(country or org.country)
    with transaction.atomic():
        accounts = Account.objects.bulk_create(
            Account(
                organization=org,
                code=item.code,
                name_ar=item.name_ar,
                name_en=item.name_en,
                type=item.type,
                role=item.role,
                reconcile=item.reconcile,
            )
            for item in template
        )
        by_code = {account.code: account for account in accounts}
        children = []
        for item in template:
            if item.parent:
                account = by_code[item.code]
                account.parent = by_code[item.parent]
                children.append(account)
        Account.objects.bulk_update(children, ["parent"])
    return accounts


def journals_install(*, org: Any) -> list[Journal]:
    roles = {
        account.role: account
        for account in Account.objects.filter(organization=org, role__isnull=False).order_by("code")
        if account.role
    }
    return Journal.objects.bulk_create(
        Journal(
            organization=org,
            code=item.code,
            name_ar=item.name_ar,
            name_en=item.name_en,
            kind=item.kind,
            default_account=roles.get(item.default_account_role) if item.default_account_role else None,
        )
        for item in JOURNALS
    )


def ledger_organization_initialize(org: Any, owner_membership: Any) -> None:
    """Registered with core's organization_create: runs inside its transaction."""
    if Account.objects.filter(organization=org).exists():
        return
    chart_install(org=org)
    journals_install(org=org)
    fiscal_year_install_current(org=org)
