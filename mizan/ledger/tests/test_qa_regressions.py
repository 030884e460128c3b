"""Regressions found using the ledger in a browser as an accountant would (Arabic and English)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import client_for
from mizan.core.roles import Role
from mizan.ledger.models import ExchangeRate, JournalEntry, JournalLine
from mizan.ledger.numbers import normalize_number
from mizan.ledger.report_forms import default_period
from mizan.ledger.selectors.reports import Comparison, comparison_range
from mizan.ledger.services.opening import opening_balances_parse
from mizan.ledger.services.periods import period_close, period_for_date
from mizan.ledger.tests.conftest import account, journal, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant_client(tenant):
    return client_for(tenant.user(Role.ACCOUNTANT))


def _entry_payload(tenant, debit: str, credit: str) -> dict[str, str]:
    org = tenant.org
    return {
        "journal": str(journal(org).pk),
        "date": org.today().isoformat(),
        "currency": org.base_currency,
        "exchange_rate": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "2",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-account": str(account(org, "5300").pk),
        "lines-0-debit": debit,
        "lines-1-account": str(account(org, "1110").pk),
        "lines-1-credit": credit,
        "action": "post",
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("١٬٢٠٠٫٥٠", "1200.50"),
        ("1,200.50", "1200.50"),
        ("۱۲۰۰٫۵", "1200.5"),
        (" 12 ", "12"),
        ("abc", "abc"),
        # A decimal comma is not read as a thousands separator (10,5 would become 105): refused.
        ("10,5", "10,5"),
        ("1,20", "1,20"),
    ],
)
def test_normalize_number(typed, expected):
    assert normalize_number(typed) == expected


@pytest.mark.parametrize("typed", ["١٬٢٠٠٫٥٠", "1,200.50"])
def test_entry_form_reads_amounts_the_live_check_calls_balanced(tenant, accountant_client, typed):
    """The live check (ledger-entry-form.js) accepts Arabic digits and separators: so must the server."""
    response = accountant_client.post(reverse("ledger:entry_create"), _entry_payload(tenant, typed, typed))
    entry = JournalEntry.objects.get(organization=tenant.org)
    assert response.status_code == 302 and entry.is_posted
    assert sorted(JournalLine.objects.filter(entry=entry).values_list("debit", "credit")) == [
        (Decimal("0"), Decimal("1200.50")),
        (Decimal("1200.50"), Decimal("0")),
    ]


def test_entry_form_still_refuses_junk_amounts(tenant, accountant_client):
    response = accountant_client.post(reverse("ledger:entry_create"), _entry_payload(tenant, "12x", "12x"))
    assert response.status_code == 200
    assert not JournalEntry.objects.filter(organization=tenant.org).exists()


def test_exchange_rate_form_reads_an_arabic_decimal(tenant):
    owner = client_for(tenant.owner)
    response = owner.post(
        reverse("ledger:exchange_rate_list"), {"currency": "USD", "date": "2026-05-01", "rate": "٣٫٧٥"}
    )
    assert response.status_code == 302
    assert ExchangeRate.objects.get(organization=tenant.org, currency="USD").rate == Decimal("3.75")


def test_opening_import_reads_arabic_numbers(tenant):
    plan = opening_balances_parse(org=tenant.org, text="1120,١٬٠٠٠٫٥٠,\n2110,,1000.50\n")
    assert (plan.total_debit, plan.total_credit, plan.difference) == (
        Decimal("1000.50"),
        Decimal("1000.50"),
        Decimal("0"),
    )


def test_refused_reversal_keeps_the_typed_date_and_memo(tenant, accountant_client, accountant):
    org = tenant.org
    entry = post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    period_close(org=org, actor_membership=accountant, period=period_for_date(org=org, day=org.today()))
    typed = org.today().isoformat()
    response = accountant_client.post(
        reverse("ledger:entry_reverse", args=[entry.pk]),
        {"date": typed, "memo": "Wrong customer"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "closed" in page  # the reason is shown
    assert f'value="{typed}"' in page and 'value="Wrong customer"' in page
    assert not JournalEntry.objects.filter(reversal_of=entry).exists()


def test_report_filters_show_the_default_period(tenant, accountant_client):
    start, end = default_period(tenant.org)
    page = accountant_client.get(reverse("ledger:report_trial_balance")).content.decode()
    assert f'name="date_from" value="{start.isoformat()}"' in page
    assert f'name="date_to" value="{end.isoformat()}"' in page
    page = accountant_client.get(reverse("ledger:report_balance_sheet")).content.decode()
    assert f'name="as_of" value="{tenant.org.today().isoformat()}"' in page


def test_same_period_last_year_covers_february_29():
    day = datetime.date
    assert comparison_range(day(2025, 2, 1), day(2025, 2, 28), Comparison.PREVIOUS_YEAR) == (
        day(2024, 2, 1),
        day(2024, 2, 29),
    )
    assert comparison_range(day(2024, 2, 1), day(2024, 2, 29), Comparison.PREVIOUS_YEAR) == (
        day(2023, 2, 1),
        day(2023, 2, 28),
    )
    assert comparison_range(day(2025, 2, 10), day(2025, 2, 20), Comparison.PREVIOUS_YEAR) == (
        day(2024, 2, 10),
        day(2024, 2, 20),
    )


def test_ledger_css_indents_sub_accounts_and_contains_scrolled_tables(tenant, accountant_client):
    """Bootstrap's `.table-sm > :not(caption) > * > *` padding outranked `.ledger-depth-1`, and
    visually hidden labels escaped `.table-responsive`, widening phone pages to 800px and more."""
    css = (Path(settings.BASE_DIR) / "mizan/core/static/core/css/ledger.css").read_text()
    assert ".table > tbody > tr > td.ledger-depth-1" in css
    assert ".table-responsive { position: relative; }" in css
    for name in ("account_list", "journal_list", "entry_create"):
        assert "core/css/ledger.css" in accountant_client.get(reverse(f"ledger:{name}")).content.decode()
