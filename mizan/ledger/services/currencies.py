"""Exchange rates (manual entry, CSV import) and the realized FX difference of a settlement."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter, round_money
from mizan.core.models import AuditEntry
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_deleted, audit_record
from mizan.ledger.models import ExchangeRate
from mizan.ledger.services.common import require_member_of, require_same_org

_OFFERED_CURRENCIES = {code for code, _label in CURRENCY_CHOICES}
_RATE_PLACES = Decimal("0.00000001")
MAX_IMPORT_ROWS = 5000


def exchange_rate_for(*, org: Any, currency: str, day: datetime.date) -> Decimal:
    """The rate of `currency` on `day`: the latest rate dated on or before it (1 for the base)."""
    if currency == org.base_currency:
        return Decimal("1")
    rate = (
        ExchangeRate.objects.filter(organization=org, currency=currency, date__lte=day)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise DomainError(
            "ledger.no_exchange_rate",
            _("No exchange rate for {currency} on or before {date}: enter one first.").format(
                currency=currency, date=day.isoformat()
            ),
            field="exchange_rate",
        )
    return rate


def _clean_rate(*, org: Any, currency: str, rate: Any, row: int | None = None) -> tuple[str, Decimal]:
    prefix = _("Row {row}: ").format(row=active_formatter().number(row)) if row is not None else ""
    currency = (currency or "").strip().upper()
    if currency not in _OFFERED_CURRENCIES:
        raise DomainError("ledger.currency_unknown", prefix + _("choose a known currency."), field="currency")
    if currency == org.base_currency:
        raise DomainError(
            "ledger.rate_for_base", prefix + _("the base currency has no exchange rate."), field="currency"
        )
    try:
        value = Decimal(str(rate).strip()) if not isinstance(rate, float | bool) else None
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0 or value >= Decimal("1e12"):
        raise DomainError(
            "ledger.rate_invalid", prefix + _("the rate must be a number greater than zero."), field="rate"
        )
    if value != value.quantize(_RATE_PLACES):
        raise DomainError("ledger.rate_precision", prefix + _("a rate has at most 8 decimal places."), field="rate")
    return currency, value


def _upsert(*, org: Any, actor: Any, currency: str, day: datetime.date, rate: Decimal) -> tuple[ExchangeRate, bool]:
    existing = ExchangeRate.objects.select_for_update().filter(organization=org, currency=currency, date=day).first()
    if existing is None:
        created = ExchangeRate.objects.create(organization=org, currency=currency, date=day, rate=rate)
        audit_created(org=org, actor=actor, instance=created)
        return created, True
    if existing.rate != rate:
        audit_record(
            org=org,
            actor=actor,
            instance=existing,
            action=AuditEntry.Action.UPDATE,
            changes={"rate": [str(existing.rate), str(rate)]},
        )
        existing.rate = rate
        existing.save(update_fields=["rate", "updated_at"])
    return existing, False


def exchange_rate_set(
    *, org: Any, actor_membership: Any, currency: str, date: datetime.date, rate: Any
) -> ExchangeRate:
    """Enter (or correct) the rate of a currency on a date. Posted lines keep their own rate."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    currency, value = _clean_rate(org=org, currency=currency, rate=rate)
    with transaction.atomic():
        exchange_rate, _created = _upsert(org=org, actor=actor_membership.user, currency=currency, day=date, rate=value)
    return exchange_rate


def exchange_rate_delete(*, org: Any, actor_membership: Any, exchange_rate: ExchangeRate) -> None:
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    require_same_org(exchange_rate, org)
    with transaction.atomic():
        audit_deleted(org=org, actor=actor_membership.user, instance=exchange_rate)
        exchange_rate.delete()


@dataclass(frozen=True)
class RateImportResult:
    created: int
    updated: int


def exchange_rates_import(*, org: Any, actor_membership: Any, text: str) -> RateImportResult:
    """Import `currency,date,rate` rows (a header row is optional); all rows or none."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(cell.strip() for cell in row)]
    if rows and rows[0] and rows[0][0].strip().lower() == "currency":
        rows = rows[1:]
    if not rows:
        raise DomainError("ledger.import_empty", _("The file has no rates."), field="file")
    if len(rows) > MAX_IMPORT_ROWS:
        raise DomainError(
            "ledger.import_too_large",
            _("Import at most {count} rows at a time.").format(count=active_formatter().number(MAX_IMPORT_ROWS)),
            field="file",
        )
    parsed: dict[tuple[str, datetime.date], Decimal] = {}
    for number, row in enumerate(rows, start=1):
        if len(row) < 3:
            raise DomainError(
                "ledger.import_row",
                _("Row {row}: expected currency, date and rate.").format(row=active_formatter().number(number)),
                field="file",
            )
        try:
            day = datetime.date.fromisoformat(row[1].strip())
        except ValueError:
            raise DomainError(
                "ledger.import_date",
                _("Row {row}: write the date as YYYY-MM-DD.").format(row=active_formatter().number(number)),
                field="file",
            ) from None
        currency, rate = _clean_rate(org=org, currency=row[0], rate=row[2], row=number)
        parsed[(currency, day)] = rate
    created = updated = 0
    with transaction.atomic():
        for (currency, day), rate in parsed.items():
            _rate, was_created = _upsert(org=org, actor=actor_membership.user, currency=currency, day=day, rate=rate)
            created += was_created
            updated += not was_created
    return RateImportResult(created=created, updated=updated)


def fx_realized_gain_loss(
    *, org: Any, amount_currency: Decimal, currency: str, original_rate: Decimal, settlement_rate: Decimal
) -> Decimal:
    """The base-currency difference realized when an open amount is settled at another rate.

    `amount_currency` is signed like a journal line: positive for an asset being collected (a
    receivable), negative for a liability being paid (a payable). A positive result is a gain
    (post it to the fx_gain account), a negative one a loss (fx_loss). Each side is rounded to
    the base currency's minor unit first, as the lines were, so the difference is exact.
    """
    if currency == org.base_currency:
        return round_money(Decimal("0"), org.base_currency)
    for value in (amount_currency, original_rate, settlement_rate):
        if not isinstance(value, Decimal):
            raise TypeError("fx_realized_gain_loss takes Decimal amounts and rates.")
    if original_rate <= 0 or settlement_rate <= 0:
        raise DomainError("ledger.rate_invalid", _("An exchange rate must be greater than zero."))
    base = org.base_currency
    return round_money(amount_currency * settlement_rate, base) - round_money(amount_currency * original_rate, base)
