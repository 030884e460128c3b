"""Fiscal years, monthly periods, period locking and the year-end closing."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.models import AuditEntry
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_record
from mizan.ledger.models import FiscalYear, Period

#: How many missing fiscal years a posting may open by itself (a typo'd year must not create 900).
AUTO_CREATE_YEARS_AHEAD = 2


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def fiscal_year_start_for(org: Any, day: datetime.date) -> datetime.date:
    """The first day of the fiscal year (starting in org.fiscal_year_start_month) containing `day`."""
    start = datetime.date(day.year, org.fiscal_year_start_month, 1)
    return start if start <= day else start.replace(year=day.year - 1)


def fiscal_year_name(start: datetime.date, end: datetime.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year % 100:02d}"


def _install_year(*, org: Any, actor: Any, start_date: datetime.date, audit: bool = True) -> FiscalYear:
    """Create one year of 12 monthly periods; callers check permission and overlap."""
    end_date = add_months(start_date, 12) - datetime.timedelta(days=1)
    year = FiscalYear.objects.create(
        organization=org, name=fiscal_year_name(start_date, end_date), start_date=start_date, end_date=end_date
    )
    Period.objects.bulk_create(
        Period(
            organization=org,
            fiscal_year=year,
            start_date=add_months(start_date, month),
            end_date=add_months(start_date, month + 1) - datetime.timedelta(days=1),
        )
        for month in range(12)
    )
    if audit:
        audit_created(org=org, actor=actor, instance=year)
    return year


def _check_no_overlap(org: Any, start_date: datetime.date) -> None:
    end_date = add_months(start_date, 12) - datetime.timedelta(days=1)
    if FiscalYear.objects.filter(organization=org, start_date__lte=end_date, end_date__gte=start_date).exists():
        raise DomainError(
            "ledger.fiscal_year_overlaps", _("This fiscal year overlaps an existing one."), field="start_date"
        )


def fiscal_year_install_current(*, org: Any, actor: Any = None) -> FiscalYear:
    """The fiscal year containing today, for a new organization (no permission, no audit: the
    organization's own creation is the audited event)."""
    return _install_year(org=org, actor=actor, start_date=fiscal_year_start_for(org, org.today()), audit=False)


def fiscal_year_create(*, org: Any, actor_membership: Any, start_date: datetime.date | None = None) -> FiscalYear:
    """Open a fiscal year of 12 monthly periods; by default the one after the latest year."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    if start_date is None:
        latest = FiscalYear.objects.filter(organization=org).order_by("-end_date").first()
        if latest is not None:
            start_date = latest.end_date + datetime.timedelta(days=1)
        else:
            start_date = fiscal_year_start_for(org, org.today())
    if start_date.day != 1:
        raise DomainError(
            "ledger.fiscal_year_start", _("A fiscal year starts on the first day of a month."), field="start_date"
        )
    with transaction.atomic():
        _check_no_overlap(org, start_date)
        try:
            with transaction.atomic():
                return _install_year(org=org, actor=actor_membership.user, start_date=start_date)
        except IntegrityError:
            raise DomainError(
                "ledger.fiscal_year_overlaps", _("This fiscal year overlaps an existing one."), field="start_date"
            ) from None


def fiscal_year_for_date(*, org: Any, day: datetime.date, actor: Any = None, create: bool = True) -> FiscalYear:
    """The fiscal year containing `day`. A date just after the latest year opens the missing
    years (at most AUTO_CREATE_YEARS_AHEAD), so postings in a new year do not fail on 1 January."""
    year = FiscalYear.objects.filter(organization=org, start_date__lte=day, end_date__gte=day).first()
    if year is not None:
        return year
    latest = FiscalYear.objects.filter(organization=org).order_by("-end_date").first()
    too_far = (
        latest is None or day < latest.start_date or add_months(latest.end_date, 12 * AUTO_CREATE_YEARS_AHEAD) < day
    )
    if not create or too_far:
        raise DomainError(
            "ledger.no_fiscal_year",
            _("No fiscal year covers {date}. Create the fiscal year first.").format(date=day.isoformat()),
            field="date",
        )
    while latest.end_date < day:
        start = latest.end_date + datetime.timedelta(days=1)
        try:
            with transaction.atomic():
                latest = _install_year(org=org, actor=actor, start_date=start)
        except IntegrityError:  # a concurrent posting opened it first
            latest = FiscalYear.objects.get(organization=org, start_date=start)
    return FiscalYear.objects.get(organization=org, start_date__lte=day, end_date__gte=day)


def period_for_date(*, org: Any, day: datetime.date) -> Period | None:
    return Period.objects.filter(organization=org, start_date__lte=day, end_date__gte=day).first()


#: Set on a Period returned by `lock_period_for_posting` / `posting_period`: its row was read (and
#: on PostgreSQL share-locked) for posting by the transaction that read it.
LOCKED_FOR_POSTING = "_locked_for_posting"


def _period_with_year(*, org: Any, day: datetime.date, lock: bool) -> Period | None:
    """The period containing `day`, its fiscal year loaded, in one statement; share-locked on
    PostgreSQL when `lock` (FOR SHARE OF the period row only)."""
    quote = connection.ops.quote_name
    period_fields = list(Period._meta.concrete_fields)
    year_fields = list(FiscalYear._meta.concrete_fields)
    columns = ", ".join(
        [f"p.{quote(field.column)}" for field in period_fields] + [f"y.{quote(field.column)}" for field in year_fields]
    )
    sql = (
        f"SELECT {columns} FROM {quote(Period._meta.db_table)} p "  # noqa: S608 - identifiers quoted, values bound
        f"INNER JOIN {quote(FiscalYear._meta.db_table)} y ON y.{quote('id')} = p.{quote('fiscal_year_id')} "
        f"WHERE p.{quote('organization_id')} = %s AND p.{quote('start_date')} <= %s AND p.{quote('end_date')} >= %s "
        f"ORDER BY p.{quote('start_date')} LIMIT 1"
    )
    if lock and connection.vendor == "postgresql":
        sql += " FOR SHARE OF p"
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, day, day])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for field, value in zip([*period_fields, *year_fields], row, strict=True):
        column = field.get_col(field.model._meta.db_table)
        converted = value
        for converter in [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]:
            converted = converter(converted, column, connection)
        values.append(converted)
    count = len(period_fields)
    period = Period.from_db(connection.alias, [field.attname for field in period_fields], values[:count])
    year = FiscalYear.from_db(connection.alias, [field.attname for field in year_fields], values[count:])
    period.fiscal_year = year
    return period


def lock_period_for_posting(*, org: Any, day: datetime.date) -> Period:
    """The period containing `day` (with its fiscal year), share-locked until commit so a
    concurrent close waits; one statement.

    PostgreSQL: SELECT ... FOR SHARE (postings do not block each other, a close waits for them).
    SQLite serializes writers, so a plain read is enough there.
    """
    period = _period_with_year(org=org, day=day, lock=True)
    if period is None:
        raise DomainError(
            "ledger.no_period",
            _("No accounting period covers {date}.").format(date=day.isoformat()),
            field="date",
        )
    setattr(period, LOCKED_FOR_POSTING, True)
    return period


def posting_period(*, org: Any, day: datetime.date, actor: Any = None) -> Period:
    """For a posting on `day`: the period, share-locked like `lock_period_for_posting`, with its
    fiscal year as `period.fiscal_year`, in one statement when both exist. Otherwise it opens the
    missing fiscal years as `fiscal_year_for_date` does (or refuses as it does) and then locks
    the period. Whether the period is open is the caller's check (`require_open_period`); the
    ledger checks it when given the period (`journal_entry_create(period=...)`)."""
    period = _period_with_year(org=org, day=day, lock=True)
    if period is None:
        year = fiscal_year_for_date(org=org, day=day, actor=actor)
        period = lock_period_for_posting(org=org, day=day)
        if period.fiscal_year_id == year.pk:
            period.fiscal_year = year
        return period
    setattr(period, LOCKED_FOR_POSTING, True)
    return period


def require_open_period(period: Period) -> None:
    if not period.is_open:
        raise DomainError(
            "ledger.period_closed",
            _("The period {period} is closed: nothing can be posted into it.").format(period=str(period)),
            field="date",
        )


def period_close(*, org: Any, actor_membership: Any, period: Period) -> Period:
    """Lock a period: no entry can be posted into it until it is reopened."""
    require_capability(actor_membership, Capability.LEDGER_CLOSE_PERIOD)
    with transaction.atomic():
        locked = _lock(Period, org, period)
        if not locked.is_open:
            raise DomainError("ledger.period_already_closed", _("This period is already closed."))
        locked.state = Period.State.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor_membership.user
        locked.save(update_fields=["state", "closed_at", "closed_by", "updated_at"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            changes={"state": [Period.State.OPEN, Period.State.CLOSED]},
        )
    return locked


def period_reopen(*, org: Any, actor_membership: Any, period: Period, reason: str = "") -> Period:
    """Reopen a closed period (a separate permission); the audit entry keeps who, when and why."""
    require_capability(actor_membership, Capability.LEDGER_REOPEN_PERIOD)
    with transaction.atomic():
        locked = _lock(Period, org, period)
        if locked.is_open:
            raise DomainError("ledger.period_already_open", _("This period is already open."))
        if locked.fiscal_year.is_closed:
            raise DomainError(
                "ledger.fiscal_year_closed", _("The fiscal year is closed: its periods cannot be reopened.")
            )
        locked.state = Period.State.OPEN
        locked.closed_at = None
        locked.closed_by = None
        locked.save(update_fields=["state", "closed_at", "closed_by", "updated_at"])
        changes: dict[str, list[Any]] = {"state": [Period.State.CLOSED, Period.State.OPEN]}
        if reason.strip():
            changes["reason"] = [None, reason.strip()[:300]]
        audit_record(
            org=org, actor=actor_membership.user, instance=locked, action=AuditEntry.Action.UPDATE, changes=changes
        )
    return locked


def _lock(model: Any, org: Any, instance: Any) -> Any:
    try:
        return model.objects.select_for_update().get(organization=org, pk=instance.pk)
    except model.DoesNotExist:
        raise DomainError("not_found", _("Not found.")) from None


def fiscal_year_close(*, org: Any, actor_membership: Any, fiscal_year: FiscalYear) -> FiscalYear:
    """Year-end closing: move every income and expense balance of the year to retained earnings
    with one posted closing entry (kind "closing") on the last day, then close all periods."""
    from mizan.ledger.services.entries import closing_entry_post  # entries import this module

    require_capability(actor_membership, Capability.LEDGER_CLOSE_PERIOD)
    with transaction.atomic():
        year = _lock(FiscalYear, org, fiscal_year)
        if year.is_closed:
            raise DomainError("ledger.fiscal_year_closed", _("This fiscal year is already closed."))
        earlier_open = FiscalYear.objects.filter(
            organization=org, end_date__lt=year.start_date, state=FiscalYear.State.OPEN
        ).exists()
        if earlier_open:
            raise DomainError("ledger.earlier_year_open", _("Close the earlier fiscal years first."))
        from mizan.ledger.models import JournalEntry

        drafts = JournalEntry.objects.filter(
            organization=org, state=JournalEntry.State.DRAFT, date__gte=year.start_date, date__lte=year.end_date
        ).count()
        if drafts:
            raise DomainError(
                "ledger.drafts_in_year",
                ngettext(
                    "{count} draft entry is dated in this fiscal year: post or delete it first.",
                    "{count} draft entries are dated in this fiscal year: post or delete them first.",
                    drafts,
                ).format(count=active_formatter().number(drafts)),
            )
        closing = closing_entry_post(org=org, actor_membership=actor_membership, fiscal_year=year)
        now = timezone.now()
        Period.objects.filter(organization=org, fiscal_year=year, state=Period.State.OPEN).update(
            state=Period.State.CLOSED, closed_at=now, closed_by=actor_membership.user, updated_at=now
        )
        year.state = FiscalYear.State.CLOSED
        year.closed_at = now
        year.closed_by = actor_membership.user
        year.closing_entry = closing
        year.save(update_fields=["state", "closed_at", "closed_by", "closing_entry", "updated_at"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=year,
            action=AuditEntry.Action.UPDATE,
            changes={
                "state": [FiscalYear.State.OPEN, FiscalYear.State.CLOSED],
                "closing_entry": [None, str(closing.pk) if closing else None],
            },
        )
    return year


ZERO = Decimal("0")
