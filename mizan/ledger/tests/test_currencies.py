"""Exchange rates, foreign-currency lines and the realized FX difference."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.roles import Role
from mizan.ledger.models import ExchangeRate, JournalEntry, JournalLine
from mizan.ledger.services.currencies import (
    exchange_rate_for,
    exchange_rate_set,
    exchange_rates_import,
    fx_realized_gain_loss,
)
from mizan.ledger.services.entries import journal_entry_create
from mizan.ledger.tests.conftest import account, journal

pytestmark = pytest.mark.django_db


def test_rate_lookup_uses_the_latest_rate_on_or_before_the_date(tenant, accountant):
    org = tenant.org
    exchange_rate_set(org=org, actor_membership=accountant, currency="USD", date=datetime.date(2024, 1, 1), rate="3.75")
    exchange_rate_set(
        org=org, actor_membership=accountant, currency="USD", date=datetime.date(2024, 3, 1), rate="3.7600"
    )
    assert exchange_rate_for(org=org, currency="USD", day=datetime.date(2024, 2, 28)) == Decimal("3.75")
    assert exchange_rate_for(org=org, currency="USD", day=datetime.date(2024, 3, 1)) == Decimal("3.76")
    assert exchange_rate_for(org=org, currency="SAR", day=datetime.date(2000, 1, 1)) == 1
    with pytest.raises(DomainError) as error:
        exchange_rate_for(org=org, currency="USD", day=datetime.date(2023, 12, 31))
    assert error.value.code == "ledger.no_exchange_rate"
    # Entering a rate again for the same day corrects it.
    exchange_rate_set(org=org, actor_membership=accountant, currency="USD", date=datetime.date(2024, 3, 1), rate="3.77")
    assert ExchangeRate.objects.filter(organization=org).count() == 2


@pytest.mark.parametrize(
    ("currency", "rate"), [("SAR", "1"), ("USD", "0"), ("USD", "-1"), ("XXX", "1"), ("USD", "abc")]
)
def test_bad_rates_are_refused(tenant, accountant, currency, rate):
    with pytest.raises(DomainError):
        exchange_rate_set(
            org=tenant.org, actor_membership=accountant, currency=currency, date=datetime.date(2024, 1, 1), rate=rate
        )
    assert ExchangeRate.objects.count() == 0


def test_rates_need_the_manage_capability(tenant):
    with pytest.raises(PermissionDeniedError):
        exchange_rate_set(
            org=tenant.org,
            actor_membership=tenant.members[Role.SALES],
            currency="USD",
            date=datetime.date(2024, 1, 1),
            rate="3",
        )


def test_csv_import_all_or_nothing(tenant, accountant):
    org = tenant.org
    result = exchange_rates_import(
        org=org, actor_membership=accountant, text="currency,date,rate\nUSD,2024-01-01,3.75\nEUR,2024-01-01,4.1\n"
    )
    assert (result.created, result.updated) == (2, 0)
    result = exchange_rates_import(org=org, actor_membership=accountant, text="USD,2024-01-01,3.76\n")
    assert (result.created, result.updated) == (0, 1)
    with pytest.raises(DomainError) as error:
        exchange_rates_import(org=org, actor_membership=accountant, text="GBP,2024-01-02,4.7\nUSD,01/02/2024,3.7\n")
    assert "2" in error.value.message
    assert ExchangeRate.objects.filter(organization=org).count() == 2
    assert ExchangeRate.objects.get(organization=org, currency="USD").rate == Decimal("3.76")


def test_foreign_currency_line_keeps_amount_rate_and_base(tenant, accountant):
    org = tenant.org
    exchange_rate_set(org=org, actor_membership=accountant, currency="USD", date=org.today(), rate="3.75")
    entry = journal_entry_create(
        org=org,
        actor_membership=accountant,
        journal=journal(org, "BNK"),
        date=org.today(),
        currency="USD",
        lines=[
            {"account": account(org, "1120"), "debit": "400.00"},
            {"account": account(org, "1130"), "credit": "400.00"},
        ],
        post=True,
    )
    lines = list(entry.lines.order_by("position"))
    assert [(line.currency, line.amount_currency, line.exchange_rate, line.debit, line.credit) for line in lines] == [
        ("USD", Decimal("400"), Decimal("3.75"), Decimal("1500"), Decimal("0")),
        ("USD", Decimal("-400"), Decimal("3.75"), Decimal("0"), Decimal("1500")),
    ]


def test_conversion_rounding_becomes_an_explicit_line(tenant, accountant):
    org = tenant.org
    lines = [
        {"account": account(org, "1120"), "debit": "0.01", "exchange_rate": "3.755"},
        {"account": account(org, "1120"), "debit": "0.01", "exchange_rate": "3.755"},
        {"account": account(org, "1130"), "credit": "0.02", "exchange_rate": "3.755"},
    ]
    entry = journal_entry_create(
        org=org,
        actor_membership=accountant,
        journal=journal(org, "BNK"),
        date=org.today(),
        currency="USD",
        lines=lines,
        post=True,
    )
    rows = list(entry.lines.order_by("position").values_list("account__role", "debit", "credit"))
    # 0.01 x 3.755 = 0.03755 -> 0.04 twice; 0.02 x 3.755 = 0.0751 -> 0.08: 0.08 = 0.08, no rounding line
    assert len(rows) == 3
    lines[0]["debit"] = lines[1]["debit"] = "0.03"
    lines[2]["credit"] = "0.06"
    entry = journal_entry_create(
        org=org,
        actor_membership=accountant,
        journal=journal(org, "BNK"),
        date=org.today(),
        currency="USD",
        lines=lines,
        post=True,
    )
    rows = list(entry.lines.order_by("position").values_list("account__role", "debit", "credit"))
    # 0.03 x 3.755 = 0.11265 -> 0.11 twice = 0.22; 0.06 x 3.755 = 0.2253 -> 0.23: 0.01 of rounding
    assert rows[-1] == ("rounding", Decimal("0.010"), Decimal("0.000"))
    debit = sum(row[1] for row in rows)
    credit = sum(row[2] for row in rows)
    assert debit == credit


def test_mixed_currency_imbalance_is_not_hidden_as_rounding(tenant, accountant):
    org = tenant.org
    with pytest.raises(DomainError) as error:
        journal_entry_create(
            org=org,
            actor_membership=accountant,
            journal=journal(org),
            date=org.today(),
            lines=[
                {"account": account(org, "1120"), "debit": "1.00", "currency": "USD", "exchange_rate": "3.755"},
                {"account": account(org, "1130"), "credit": "3.75"},
            ],
            post=True,
        )
    assert error.value.code == "ledger.unbalanced"
    assert JournalEntry.objects.count() == JournalLine.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "original", "settlement", "expected"),
    [
        (Decimal("1000"), Decimal("3.75"), Decimal("3.76"), Decimal("10.00")),  # receivable, rate up: gain
        (Decimal("1000"), Decimal("3.75"), Decimal("3.70"), Decimal("-50.00")),  # receivable, rate down: loss
        (Decimal("-1000"), Decimal("3.75"), Decimal("3.76"), Decimal("-10.00")),  # payable, rate up: loss
        (Decimal("333.33"), Decimal("3.7512"), Decimal("3.7587"), Decimal("2.50")),  # each side rounded first
    ],
)
def test_fx_realized_gain_loss(tenant, amount, original, settlement, expected):
    result = fx_realized_gain_loss(
        org=tenant.org, amount_currency=amount, currency="USD", original_rate=original, settlement_rate=settlement
    )
    assert result == expected


def test_fx_in_base_currency_is_zero_and_floats_are_refused(tenant):
    org = tenant.org
    assert (
        fx_realized_gain_loss(
            org=org,
            amount_currency=Decimal("5"),
            currency="SAR",
            original_rate=Decimal("1"),
            settlement_rate=Decimal("1"),
        )
        == 0
    )
    with pytest.raises(TypeError):
        fx_realized_gain_loss(
            org=org, amount_currency=1.5, currency="USD", original_rate=Decimal("1"), settlement_rate=Decimal("2")
        )
