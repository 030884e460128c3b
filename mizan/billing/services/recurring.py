"""Recurring invoices (retainers, subscriptions): schedules, and the invoices they generate.

A schedule bills its lines every month, quarter or year from `start_date`; `next_date` is the
date of the next invoice and also names the period it bills (`Invoice.recurring_period`).

Generation (`recurring_invoices_generate`, run by every worker's housekeeping thread, and the
"generate now" button) makes ONE invoice per period, in one transaction per period:

1. lock the schedule row (`select_for_update`) and re-read it: a second worker waits here and
   then sees `next_date` already advanced, so it has nothing to do;
2. create the draft through `invoice_create` with `recurring_schedule` and `recurring_period`:
   the unique constraint `billing_invoice_one_per_recurring_period` is the last guard (a period
   that already has an invoice, e.g. after someone moved `next_date` back, is skipped, not billed
   again);
3. post it when the schedule says so (in a savepoint: a failure, such as a missing exchange rate
   or a date before the last numbered invoice, keeps the draft and notifies the member who set up
   the schedule);
4. advance `next_date` by the frequency, counted from `start_date` so month ends stay month ends
   (Jan 31 -> Feb 28/29 -> Mar 31).

A crash before the commit leaves nothing (no invoice, `next_date` unchanged); after it, the
invoice exists and `next_date` is advanced. Missed periods (a worker down for months) are caught
up one invoice per period, each dated on its own period; nothing is generated after `end_date`.

Who issues the invoices: a background run has no signed-in member, so `invoice_create` and
`invoice_post` (which check `billing.edit`) run as the member who created the schedule while they
are an active member whose role can still issue invoices, else as the organization's owner. The
schedule itself is the authorization (only a member with `billing.edit` can set one up); acting as
a real member keeps the audit trail and the ledger's "posted by" meaningful. "Generate now" runs as
the member who pressed it.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mizan.billing.models import Invoice, RecurringLine, RecurringSchedule
from mizan.billing.services.documents import (
    apply_document_defaults,
    apply_totals,
    check_party,
    clean_currency,
    clean_percent,
    lines_as_input,
    lines_summary,
    price_lines,
    write_lines,
)
from mizan.billing.services.invoices import billing_settings_of, default_payment_term, invoice_create, invoice_post
from mizan.core.access import has_capability, require_capability
from mizan.core.background import once
from mizan.core.errors import DomainError
from mizan.core.formatting import Formatter, active_formatter
from mizan.core.models import AuditEntry, Membership, Organization
from mizan.core.roles import Capability, Role
from mizan.core.services.audit import audit_changes, audit_deleted, audit_record, audit_values
from mizan.core.services.notifications import notification_create
from mizan.ledger.services.common import require_member_of, require_same_org

logger = logging.getLogger("mizan.billing")

SCHEDULE_FIELDS = (
    "name",
    "company",
    "contact",
    "currency",
    "frequency",
    "start_date",
    "end_date",
    "next_date",
    "payment_term",
    "auto_post",
    "discount_percent",
    "prices_include_tax",
    "language",
    "notes",
    "terms",
)
#: How many invoices one periodic scan creates at most; the rest follow at the next scan.
GENERATE_LIMIT = 200


# --- Dates --------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by `months`, on the same day of the month or the month's last day if shorter."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_date(schedule: RecurringSchedule, index: int) -> datetime.date:
    """The date of the schedule's period number `index` (0 = the start date)."""
    return add_months(schedule.start_date, index * RecurringSchedule.MONTHS[schedule.frequency])


def next_period_date(schedule: RecurringSchedule, after: datetime.date) -> datetime.date:
    """The first period date of the schedule strictly after `after`.

    Counted from `start_date` (never from the previous, possibly shortened, date), so a schedule
    starting on Jan 31 bills Feb 28 (29) and then Mar 31 again.
    """
    step = RecurringSchedule.MONTHS[schedule.frequency]
    start = schedule.start_date
    months = (after.year - start.year) * 12 + after.month - start.month
    index = max(months // step, 0)
    candidate = period_date(schedule, index)
    while candidate <= after:
        index += 1
        candidate = period_date(schedule, index)
    return candidate


def schedule_is_finished(schedule: RecurringSchedule) -> bool:
    """Every period up to the last invoice date has been billed."""
    return schedule.end_date is not None and schedule.next_date > schedule.end_date


def schedule_is_due(schedule: RecurringSchedule, today: datetime.date) -> bool:
    return schedule.is_active and schedule.next_date <= today and not schedule_is_finished(schedule)


# --- Writing schedules ----------------------------------------------------------------------------


def _clean_date(value: Any, *, field: str, required: bool) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise DomainError("billing.date_required", _("Enter a date."), field=field)
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise DomainError("billing.date_invalid", _("Enter a valid date."), field=field)
    return value


def _last_period(schedule: RecurringSchedule) -> datetime.date | None:
    if schedule.pk is None:
        return None
    return (
        Invoice.objects.filter(recurring_schedule=schedule)
        .order_by("-recurring_period")
        .values_list("recurring_period", flat=True)
        .first()
    )


def _schedule_values(
    org: Organization, data: dict[str, Any], schedule: RecurringSchedule, *, creating: bool
) -> dict[str, Any]:
    """Merge `data` over the schedule's current values and apply the rules and defaults."""
    settings_row = billing_settings_of(org)
    base = {name: getattr(schedule, name) for name in SCHEDULE_FIELDS} if not creating else {}
    values = {**base, **{name: data[name] for name in SCHEDULE_FIELDS if name in data}}
    values["name"] = str(values.get("name") or "").strip()[:200]
    if not values["name"]:
        raise DomainError("billing.name_required", _("Enter a name for the recurring invoice."), field="name")
    check_party(org, values, related=("contact", "payment_term"))
    values["currency"] = clean_currency(values.get("currency") or org.base_currency)
    values.setdefault("frequency", RecurringSchedule.Frequency.MONTHLY)
    if values["frequency"] not in RecurringSchedule.Frequency.values:
        raise DomainError("billing.frequency_invalid", _("Choose how often to invoice."), field="frequency")
    start_date = _clean_date(values.get("start_date"), field="start_date", required=True)
    end_date = _clean_date(values.get("end_date"), field="end_date", required=False)
    if end_date is not None and end_date < start_date:
        raise DomainError(
            "billing.end_before_start", _("The last invoice date cannot be before the first one."), field="end_date"
        )
    last_period = _last_period(schedule)
    if not creating and last_period is not None and start_date != schedule.start_date:
        raise DomainError(
            "billing.start_fixed",
            _("Invoices were already generated: the first invoice date can no longer change."),
            field="start_date",
        )
    values["start_date"], values["end_date"] = start_date, end_date
    if creating or ("start_date" in data and "next_date" not in data and last_period is None):
        next_date = _clean_date(data.get("next_date"), field="next_date", required=False) or start_date
    else:
        next_date = _clean_date(values.get("next_date"), field="next_date", required=True)
    if next_date < start_date:
        raise DomainError(
            "billing.next_before_start",
            _("The next invoice date cannot be before the first invoice date."),
            field="next_date",
        )
    if last_period is not None and next_date <= last_period:
        raise DomainError(
            "billing.next_already_billed",
            _("The invoice for {date} was already generated: choose a later next invoice date.").format(
                date=active_formatter().date(last_period)
            ),
            field="next_date",
        )
    values["next_date"] = next_date
    if creating and "payment_term" not in data:
        values["payment_term"] = default_payment_term(org)
    values["auto_post"] = bool(values.get("auto_post"))
    values["discount_percent"] = clean_percent(values.get("discount_percent"), field="discount_percent")
    apply_document_defaults(values, settings_row, default_terms=True)
    return values


def _write_schedule(
    *, org: Organization, schedule: RecurringSchedule, values: dict[str, Any], lines: list[dict[str, Any]] | None
) -> RecurringSchedule:
    if lines is None:
        lines = lines_as_input(schedule.lines.select_related("product", "tax", "income_account"))
    cleaned, totals = price_lines(org=org, values=values, lines=lines, day=values["next_date"])
    for name, value in values.items():
        setattr(schedule, name, value)
    apply_totals(schedule, totals)
    schedule.save()
    write_lines(line_model=RecurringLine, parent_field="schedule", parent=schedule, lines=cleaned, totals=totals)
    schedule._lines_summary = lines_summary(cleaned)  # type: ignore[attr-defined]
    return schedule


def recurring_schedule_create(
    *, org: Organization, actor_membership: Membership, data: dict[str, Any], lines: list[dict[str, Any]]
) -> RecurringSchedule:
    """A schedule (active) whose first invoice is due on `start_date`. `data` keys: SCHEDULE_FIELDS."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    schedule = RecurringSchedule(organization=org, created_by=actor_membership.user, is_active=True)
    values = _schedule_values(org, data, schedule, creating=True)
    with transaction.atomic():
        _write_schedule(org=org, schedule=schedule, values=values, lines=lines)
        changes = audit_changes({}, audit_values(schedule))
        changes["lines"] = [None, schedule._lines_summary]  # type: ignore[attr-defined]
        audit_record(
            org=org, actor=actor_membership.user, instance=schedule, action=AuditEntry.Action.CREATE, changes=changes
        )
    return schedule


def _lock(org: Organization, schedule: RecurringSchedule) -> RecurringSchedule:
    try:
        return RecurringSchedule.objects.select_for_update(of=("self",)).get(organization=org, pk=schedule.pk)
    except RecurringSchedule.DoesNotExist:
        raise DomainError("not_found", _("Not found.")) from None


def recurring_schedule_update(
    *,
    org: Organization,
    actor_membership: Membership,
    schedule: RecurringSchedule,
    data: dict[str, Any],
    lines: list[dict[str, Any]] | None = None,
) -> RecurringSchedule:
    """Change the fields present in `data` and, when given, replace the lines (future invoices only)."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock(org, schedule)
        before = audit_values(locked)
        values = _schedule_values(org, data, locked, creating=False)
        _write_schedule(org=org, schedule=locked, values=values, lines=lines)
        changes = audit_changes(before, audit_values(locked))
        if lines is not None:
            changes["lines"] = [None, locked._lines_summary]  # type: ignore[attr-defined]
        audit_record(
            org=org, actor=actor_membership.user, instance=locked, action=AuditEntry.Action.UPDATE, changes=changes
        )
    return locked


def recurring_schedule_set_active(
    *, org: Organization, actor_membership: Membership, schedule: RecurringSchedule, is_active: bool
) -> RecurringSchedule:
    """Pause (no invoice is generated) or resume. Resuming does not bill the paused periods twice:
    periods missed while paused are caught up from `next_date`; move `next_date` to skip them."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock(org, schedule)
        if locked.is_active == is_active:
            return locked
        locked.is_active = is_active
        locked.save(update_fields=["is_active", "updated_at"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            changes={"is_active": [str(not is_active), str(is_active)]},
        )
    return locked


def recurring_schedule_delete(*, org: Organization, actor_membership: Membership, schedule: RecurringSchedule) -> None:
    """Delete the schedule; the invoices it generated stay (they only lose the link)."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock(org, schedule)
        audit_deleted(org=org, actor=actor_membership.user, instance=locked)
        locked.delete()


# --- Generating invoices --------------------------------------------------------------------------


@dataclass
class PeriodResult:
    """What one generation step did: `advanced` when a period was consumed (invoice created, or
    skipped because it already had one); `invoice` when it was created now."""

    advanced: bool
    invoice: Invoice | None = None
    period: datetime.date | None = None
    post_error: str = ""


def generation_actor(schedule: RecurringSchedule) -> Membership | None:
    """Who background generation acts as: the creator while an active member with `billing.edit`,
    else the organization's (first) active owner."""
    memberships = Membership.objects.filter(organization_id=schedule.organization_id, is_active=True).select_related(
        "user", "organization"
    )
    if schedule.created_by_id is not None:
        creator = memberships.filter(user_id=schedule.created_by_id).first()
        if creator is not None and has_capability(creator, Capability.BILLING_EDIT):
            return creator
    return memberships.filter(role=Role.OWNER).order_by("pk").first()


def _invoice_data(schedule: RecurringSchedule, period: datetime.date) -> dict[str, Any]:
    return {
        "company": schedule.company,
        "contact": schedule.contact,
        "currency": schedule.currency,
        "issue_date": period,
        "payment_term": schedule.payment_term,
        "discount_percent": schedule.discount_percent,
        "prices_include_tax": schedule.prices_include_tax,
        "language": schedule.language,
        "notes": schedule.notes,
        "terms": schedule.terms,
    }


def _path(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _notify(*, schedule: RecurringSchedule, actor: Membership, message_for: Any, url: str) -> None:
    """Tell the schedule's creator (or, when they left, the member the run acted as), in their language."""
    org = schedule.organization
    recipients = [schedule.created_by] if schedule.created_by_id is not None else []
    recipients.append(actor.user)
    for user in recipients:
        if Membership.objects.filter(organization=org, user=user, is_active=True).exists():
            with translation.override(user.language or org.language):
                notification_create(org=org, user=user, message=message_for(user), url=url)
            return


def recurring_period_generate(
    *,
    schedule_id: int,
    today: datetime.date | None = None,
    actor_membership: Membership | None = None,
) -> PeriodResult:
    """Generate the invoice of the schedule's next period if it is due (see the module docstring).

    `today` defaults to the organization's today; `actor_membership` to `generation_actor`.
    """
    with transaction.atomic():
        schedule = (
            RecurringSchedule.objects.select_for_update(of=("self",))
            .select_related("organization", "company", "contact", "payment_term", "created_by")
            .filter(pk=schedule_id)
            .first()
        )
        if schedule is None:
            return PeriodResult(advanced=False)
        org = schedule.organization
        if not schedule_is_due(schedule, today or org.today()):
            return PeriodResult(advanced=False)
        actor = actor_membership or generation_actor(schedule)
        if actor is None:
            raise DomainError("billing.no_actor", _("No active member can issue the recurring invoices."))
        period = schedule.next_date
        invoice = None
        if not Invoice.objects.filter(recurring_schedule=schedule, recurring_period=period).exists():
            try:
                invoice = invoice_create(
                    org=org,
                    actor_membership=actor,
                    data=_invoice_data(schedule, period),
                    lines=lines_as_input(schedule.lines.select_related("product", "tax", "income_account")),
                    recurring_schedule=schedule,
                    recurring_period=period,
                )
            except IntegrityError:
                # The one-invoice-per-period constraint (invoice_create's own savepoint rolled back):
                # a run that did not hold the row lock billed this period first. Skip it.
                invoice = None
        old_next = schedule.next_date
        schedule.next_date = next_period_date(schedule, period)
        schedule.last_generated_at = timezone.now()
        schedule.save(update_fields=["next_date", "last_generated_at", "updated_at"])
        audit_record(
            org=org,
            actor=None if actor_membership is None else actor_membership.user,
            instance=schedule,
            action=AuditEntry.Action.UPDATE,
            changes={"next_date": [old_next.isoformat(), schedule.next_date.isoformat()]},
        )
        result = PeriodResult(advanced=True, invoice=invoice, period=period)
        if invoice is not None and schedule.auto_post:
            result.post_error = _post_or_keep_draft(schedule=schedule, actor=actor, invoice=invoice)
            invoice.refresh_from_db()
    return result


def _post_or_keep_draft(*, schedule: RecurringSchedule, actor: Membership, invoice: Invoice) -> str:
    """Post in a savepoint; on a broken rule keep the draft and notify. Returns the error ("" if posted)."""
    try:
        with transaction.atomic():
            invoice_post(org=schedule.organization, actor_membership=actor, invoice=invoice)
    except DomainError as error:
        org = schedule.organization
        period = invoice.recurring_period
        reason = error.message

        def message_for(user: Any) -> str:
            return _("The recurring invoice “{name}” created a draft for {date} but could not post it: {error}").format(
                name=schedule.name,
                date=Formatter.for_org(org, user.language or org.language).date(period),
                error=reason,
            )

        _notify(
            schedule=schedule, actor=actor, message_for=message_for, url=_path("billing:invoice_detail", invoice.pk)
        )
        logger.info("Recurring schedule %s: draft %s kept, posting failed: %s", schedule.pk, invoice.pk, error.code)
        return reason
    return ""


def _notify_failure(*, schedule_id: int, error: Exception) -> None:
    """Tell the creator once per period that its invoice could not be generated (it is retried)."""
    schedule = RecurringSchedule.objects.select_related("organization", "created_by").filter(pk=schedule_id).first()
    if schedule is None:
        return
    actor = generation_actor(schedule)
    if actor is None:
        return
    org = schedule.organization
    reason = error.message if isinstance(error, DomainError) else _("An unexpected error occurred.")
    with once(f"billing:recurring-failed:{schedule.pk}:{schedule.next_date.isoformat()}") as first_time:
        if not first_time:
            return

        def message_for(user: Any) -> str:
            return _("The recurring invoice “{name}” could not generate its invoice for {date}: {error}").format(
                name=schedule.name,
                date=Formatter.for_org(org, user.language or org.language).date(schedule.next_date),
                error=reason,
            )

        _notify(
            schedule=schedule, actor=actor, message_for=message_for, url=_path("billing:recurring_detail", schedule.pk)
        )


def recurring_schedules_due(*, today: datetime.date | None = None, limit: int = GENERATE_LIMIT) -> list[int]:
    """Ids of active, unfinished schedules whose next date may have come, oldest first.

    Without `today` the horizon is tomorrow in UTC (the earliest time zone is at most 14 hours
    ahead): each schedule is then checked against its own organization's today.
    """
    horizon = today or (timezone.now().date() + datetime.timedelta(days=1))
    return list(
        RecurringSchedule.objects.filter(is_active=True, next_date__lte=horizon)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=F("next_date")))
        .order_by("next_date", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def recurring_invoices_generate(*, today: datetime.date | None = None, limit: int = GENERATE_LIMIT) -> int:
    """The periodic scan (every worker runs it): generate every due period, at most `limit`
    invoices; returns how many were created. A failing schedule is logged, its creator notified
    once per period, and it is tried again at the next scan; it does not stop the others."""
    created = 0
    for schedule_id in recurring_schedules_due(today=today, limit=limit):
        while created < limit:
            try:
                result = recurring_period_generate(schedule_id=schedule_id, today=today)
            except Exception as error:
                logger.exception("Recurring schedule %s: could not generate its invoice", schedule_id)
                try:
                    _notify_failure(schedule_id=schedule_id, error=error)
                except Exception:
                    logger.exception("Recurring schedule %s: could not notify the failure", schedule_id)
                break
            if not result.advanced:
                break
            if result.invoice is not None:
                created += 1
    return created


def recurring_schedule_generate_due(
    *, org: Organization, actor_membership: Membership, schedule: RecurringSchedule
) -> list[Invoice]:
    """ "Generate now": every due period of the schedule up to today, as the member who asked.

    Each period is its own transaction (as in the background run): when one fails, the invoices
    of the periods before it stay and the error is raised.
    """
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    require_same_org(schedule, org)
    schedule.refresh_from_db(fields=["next_date", "end_date", "is_active"])
    if not schedule.is_active:
        raise DomainError("billing.schedule_paused", _("This recurring invoice is paused: resume it first."))
    today = org.today()
    if not schedule_is_due(schedule, today):
        if schedule_is_finished(schedule):
            raise DomainError("billing.schedule_finished", _("This recurring invoice has ended."))
        raise DomainError(
            "billing.nothing_due",
            _("No invoice is due yet: the next one is for {date}.").format(
                date=active_formatter().date(schedule.next_date)
            ),
        )
    invoices = []
    while True:
        result = recurring_period_generate(schedule_id=schedule.pk, today=today, actor_membership=actor_membership)
        if not result.advanced:
            break
        if result.invoice is not None:
            invoices.append(result.invoice)
    schedule.refresh_from_db()
    return invoices
