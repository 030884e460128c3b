"""Recurring invoices: schedules, one invoice per period whatever happens, catch-up, month ends."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction
from django.db.utils import load_backend

from mizan.billing.models import Invoice, RecurringLine, RecurringSchedule
from mizan.billing.services import recurring
from mizan.billing.services.recurring import (
    add_months,
    generation_actor,
    next_period_date,
    recurring_invoices_generate,
    recurring_period_generate,
    recurring_schedule_create,
    recurring_schedule_delete,
    recurring_schedule_generate_due,
    recurring_schedule_set_active,
    recurring_schedule_update,
)
from mizan.billing.tests.factories import (
    RECEIVABLE,
    REVENUE,
    VAT,
    billing_member,
    line,
    make_client,
    role_balance,
    standard_tax,
)
from mizan.core.background import periodic_jobs
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry, Notification
from mizan.core.roles import Role
from mizan.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db


def _year(org) -> int:
    return org.today().year


def make_schedule(tenant, *, start: datetime.date, **data) -> RecurringSchedule:
    org = tenant.org
    lines = data.pop("lines", None) or [line(description="Monthly retainer", unit_price="1000", tax=standard_tax(org))]
    return recurring_schedule_create(
        org=org,
        actor_membership=billing_member(tenant),
        data={
            "name": "Retainer",
            "company": data.pop("company", None) or make_client(org),
            "start_date": start,
            **data,
        },
        lines=lines,
    )


def periods(schedule: RecurringSchedule) -> list[datetime.date]:
    return list(
        Invoice.objects.filter(recurring_schedule=schedule)
        .order_by("recurring_period")
        .values_list("recurring_period", flat=True)
    )


# --- Dates ---------------------------------------------------------------------------------------


def test_month_arithmetic_keeps_the_start_day():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2025, 12, 15), 1) == datetime.date(2026, 1, 15)
    schedule = RecurringSchedule(start_date=datetime.date(2025, 1, 31), frequency=RecurringSchedule.Frequency.MONTHLY)
    # From Feb 28 the next date is Mar 31 again (counted from the start, not from the shortened date).
    assert next_period_date(schedule, datetime.date(2025, 1, 31)) == datetime.date(2025, 2, 28)
    assert next_period_date(schedule, datetime.date(2025, 2, 28)) == datetime.date(2025, 3, 31)
    assert next_period_date(schedule, datetime.date(2025, 4, 30)) == datetime.date(2025, 5, 31)
    schedule.frequency = RecurringSchedule.Frequency.QUARTERLY
    assert next_period_date(schedule, datetime.date(2025, 1, 31)) == datetime.date(2025, 4, 30)
    assert next_period_date(schedule, datetime.date(2025, 4, 30)) == datetime.date(2025, 7, 31)
    schedule.frequency = RecurringSchedule.Frequency.YEARLY
    schedule.start_date = datetime.date(2024, 2, 29)
    assert next_period_date(schedule, datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)
    assert next_period_date(schedule, datetime.date(2027, 2, 28)) == datetime.date(2028, 2, 29)


# --- Writing schedules ------------------------------------------------------------------------------


def test_create_freezes_totals_and_lines_and_starts_on_the_start_date(other_tenant):
    org = other_tenant.org
    start = datetime.date(_year(org), 1, 31)
    schedule = make_schedule(other_tenant, start=start, frequency="quarterly", discount_percent="10")
    assert schedule.next_date == start and schedule.is_active and schedule.frequency == "quarterly"
    assert schedule.net_total == Decimal("900.00") and schedule.tax_total == Decimal("126.00")
    assert schedule.total == Decimal("1026.00")
    assert schedule.payment_term is not None and schedule.payment_term.days == 30  # the default term
    assert schedule.language == "both" and schedule.created_by == billing_member(other_tenant).user
    assert list(schedule.lines.values_list("description", "net_amount")) == [("Monthly retainer", Decimal("900.00"))]
    content_type = ContentType.objects.get_for_model(RecurringSchedule)
    assert (
        AuditEntry.objects.filter(content_type=content_type, object_id=str(schedule.pk), action="create").count() == 1
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"name": ""}, "billing.name_required"),
        ({"frequency": "weekly"}, "billing.frequency_invalid"),
        ({"end_date": datetime.date(2000, 1, 1)}, "billing.end_before_start"),
        ({"currency": "XXX"}, "billing.currency_unknown"),
        ({"lines": [line(quantity="0")]}, "billing.quantity_invalid"),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_written(other_tenant, data, code):
    with pytest.raises(DomainError) as error:
        make_schedule(other_tenant, start=datetime.date(_year(other_tenant.org), 3, 1), **data)
    assert error.value.code == code
    assert not RecurringSchedule.objects.exists() and not RecurringLine.objects.exists()


def test_a_client_of_another_organization_is_refused(tenant, other_tenant):
    with pytest.raises(DomainError) as error:
        make_schedule(other_tenant, start=datetime.date(_year(other_tenant.org), 3, 1), company=make_client(tenant.org))
    assert error.value.code == "not_found"
    assert not RecurringSchedule.objects.exists()


def test_a_member_without_billing_edit_cannot_create(other_tenant):
    with pytest.raises(PermissionDeniedError):
        recurring_schedule_create(
            org=other_tenant.org,
            actor_membership=other_tenant.members[Role.SALES],
            data={"name": "X", "company": make_client(other_tenant.org), "start_date": other_tenant.org.today()},
            lines=[line()],
        )
    assert not RecurringSchedule.objects.exists()


def test_update_replaces_lines_and_guards_next_date(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    start = datetime.date(_year(org), 1, 15)
    schedule = make_schedule(other_tenant, start=start)
    recurring_invoices_generate(today=datetime.date(_year(org), 2, 20))  # Jan 15 and Feb 15
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(_year(org), 3, 15)
    updated = recurring_schedule_update(
        org=org,
        actor_membership=member,
        schedule=schedule,
        data={"name": "Support", "auto_post": True},
        lines=[line(description="Support", unit_price="500")],
    )
    assert updated.name == "Support" and updated.auto_post and updated.total == Decimal("500.00")
    assert list(updated.lines.values_list("description", flat=True)) == ["Support"]
    for data, code in (
        ({"next_date": datetime.date(_year(org), 2, 15)}, "billing.next_already_billed"),
        ({"start_date": datetime.date(_year(org), 1, 1)}, "billing.start_fixed"),
    ):
        with pytest.raises(DomainError) as error:
            recurring_schedule_update(org=org, actor_membership=member, schedule=schedule, data=data)
        assert error.value.code == code
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(_year(org), 3, 15) and schedule.start_date == start


def test_pause_resume_and_delete_keep_the_invoices(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    schedule = make_schedule(other_tenant, start=datetime.date(_year(org), 1, 10))
    today = datetime.date(_year(org), 1, 20)
    recurring_schedule_set_active(org=org, actor_membership=member, schedule=schedule, is_active=False)
    assert recurring_invoices_generate(today=today) == 0
    recurring_schedule_set_active(org=org, actor_membership=member, schedule=schedule, is_active=True)
    assert recurring_invoices_generate(today=today) == 1
    recurring_schedule_delete(org=org, actor_membership=member, schedule=schedule)
    assert not RecurringSchedule.objects.exists()
    invoice = Invoice.objects.get()
    assert invoice.recurring_schedule_id is None and invoice.recurring_period == datetime.date(_year(org), 1, 10)


# --- Generation -------------------------------------------------------------------------------------------


def test_generation_run_twice_gives_one_invoice_per_period(other_tenant):
    org = other_tenant.org
    start = datetime.date(_year(org), 3, 5)
    schedule = make_schedule(other_tenant, start=start)
    today = datetime.date(_year(org), 3, 20)
    assert recurring_invoices_generate(today=today) == 1
    assert recurring_invoices_generate(today=today) == 0
    assert recurring_period_generate(schedule_id=schedule.pk, today=today).advanced is False
    invoice = Invoice.objects.get()
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(_year(org), 4, 5) and schedule.last_generated_at is not None
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None
    assert invoice.recurring_schedule == schedule and invoice.recurring_period == start
    assert invoice.issue_date == start and invoice.due_date == start + datetime.timedelta(days=30)
    assert invoice.company == schedule.company and invoice.total == Decimal("1140.00")
    assert list(invoice.lines.values_list("description", "gross_amount")) == [("Monthly retainer", Decimal("1140.00"))]
    assert invoice.created_by == billing_member(other_tenant).user


def test_a_stale_second_worker_never_bills_a_period_twice(other_tenant):
    """A run that read the schedule before the first one committed (no lock held): the period
    already has its invoice, so it is skipped and only the date moves on; the constraint backs it."""
    org = other_tenant.org
    start = datetime.date(_year(org), 3, 5)
    schedule = make_schedule(other_tenant, start=start)
    today = datetime.date(_year(org), 3, 20)
    assert recurring_invoices_generate(today=today) == 1
    RecurringSchedule.objects.filter(pk=schedule.pk).update(next_date=start)  # what the stale worker saw
    result = recurring_period_generate(schedule_id=schedule.pk, today=today)
    assert result.advanced and result.invoice is None
    assert periods(schedule) == [start]
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(_year(org), 4, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        invoice = Invoice.objects.get()
        invoice.pk = None
        invoice.save()
    assert Invoice.objects.count() == 1


def test_a_duplicate_insert_is_skipped_by_the_constraint(other_tenant, monkeypatch):
    """Even when the existence check is fooled (a concurrent insert), the unique constraint stops
    the second invoice and the period is consumed once."""
    org = other_tenant.org
    start = datetime.date(_year(org), 3, 5)
    schedule = make_schedule(other_tenant, start=start)
    recurring_invoices_generate(today=start)
    RecurringSchedule.objects.filter(pk=schedule.pk).update(next_date=start)

    class BlindInvoice:
        """What the generation sees when another run's insert is not visible to it yet."""

        class objects:
            @staticmethod
            def filter(**kwargs):
                return Invoice.objects.none()

    monkeypatch.setattr(recurring, "Invoice", BlindInvoice)
    result = recurring_period_generate(schedule_id=schedule.pk, today=start)
    monkeypatch.undo()
    assert result.advanced and result.invoice is None
    assert Invoice.objects.filter(recurring_schedule=schedule).count() == 1


def test_catch_up_of_three_missed_months_with_month_end_dates(other_tenant):
    org = other_tenant.org
    year = _year(org)
    schedule = make_schedule(other_tenant, start=datetime.date(year, 1, 31))
    assert recurring_invoices_generate(today=datetime.date(year, 4, 15)) == 3
    february_end = datetime.date(year, 3, 1) - datetime.timedelta(days=1)
    expected = [datetime.date(year, 1, 31), february_end, datetime.date(year, 3, 31)]
    assert periods(schedule) == expected
    assert list(Invoice.objects.order_by("issue_date").values_list("issue_date", flat=True)) == expected
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(year, 4, 30)
    assert recurring_invoices_generate(today=datetime.date(year, 4, 30)) == 1
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(year, 5, 31)


def test_the_scan_limit_leaves_the_rest_for_the_next_scan(other_tenant):
    org = other_tenant.org
    year = _year(org)
    schedule = make_schedule(other_tenant, start=datetime.date(year, 1, 1))
    assert recurring_invoices_generate(today=datetime.date(year, 5, 1), limit=2) == 2
    assert recurring_invoices_generate(today=datetime.date(year, 5, 1), limit=2) == 2
    assert recurring_invoices_generate(today=datetime.date(year, 5, 1), limit=2) == 1
    assert len(periods(schedule)) == 5


def test_end_date_stops_the_schedule(other_tenant):
    org = other_tenant.org
    year = _year(org)
    schedule = make_schedule(
        other_tenant, start=datetime.date(year, 1, 10), end_date=datetime.date(year, 3, 10), frequency="monthly"
    )
    assert recurring_invoices_generate(today=datetime.date(year, 8, 1)) == 3
    assert periods(schedule) == [datetime.date(year, month, 10) for month in (1, 2, 3)]
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(year, 4, 10)
    assert recurring_invoices_generate(today=datetime.date(year, 12, 31)) == 0
    with pytest.raises(DomainError) as error:
        recurring_schedule_generate_due(org=org, actor_membership=billing_member(other_tenant), schedule=schedule)
    assert error.value.code == "billing.schedule_finished"


def test_auto_post_posts_with_a_number_and_a_ledger_entry(other_tenant):
    org = other_tenant.org
    year = _year(org)
    client = make_client(org)
    schedule = make_schedule(other_tenant, start=datetime.date(year, 1, 5), auto_post=True, company=client)
    assert recurring_invoices_generate(today=datetime.date(year, 2, 5)) == 2
    first, second = Invoice.objects.order_by("recurring_period")
    assert (first.status, first.number, second.number) == (Invoice.Status.POSTED, 1, 2)
    assert first.display_number == f"INV-{year}-00001" and first.posted_by == billing_member(other_tenant).user
    assert JournalEntry.objects.filter(organization=org, state="posted").count() == 2
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("2280.00")
    assert role_balance(org, REVENUE) == Decimal("-2000.00")
    assert role_balance(org, VAT) == Decimal("-280.00")
    assert schedule.invoices.count() == 2


def test_a_failed_posting_keeps_the_draft_notifies_the_creator_and_advances(other_tenant):
    org = other_tenant.org
    year = _year(org)
    creator = billing_member(other_tenant).user
    creator.language = "en"  # the notification is written in the creator's language
    creator.save(update_fields=["language"])
    schedule = make_schedule(other_tenant, start=datetime.date(year, 1, 5), auto_post=True, currency="USD")
    assert recurring_invoices_generate(today=datetime.date(year, 1, 6)) == 1  # no USD rate: cannot post
    invoice = Invoice.objects.get()
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None and invoice.currency == "USD"
    assert not JournalEntry.objects.filter(organization=org).exists()
    schedule.refresh_from_db()
    assert schedule.next_date == datetime.date(year, 2, 5)
    notification = Notification.objects.get(user=creator)
    assert notification.message.startswith("The recurring invoice “Retainer” created a draft for Jan 5, ")
    assert "could not post it" in notification.message
    assert notification.url.endswith(f"/invoices/{invoice.pk}/")


def test_a_simulated_crash_leaves_nothing_and_the_next_run_bills_once(other_tenant, monkeypatch):
    org = other_tenant.org
    start = datetime.date(_year(org), 6, 1)
    schedule = make_schedule(other_tenant, start=start, auto_post=True)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed after the invoice was written")

    monkeypatch.setattr(recurring, "next_period_date", crash)
    assert recurring_invoices_generate(today=start) == 0  # the error is logged, the scan goes on
    assert not Invoice.objects.exists() and not JournalEntry.objects.filter(organization=org).exists()
    schedule.refresh_from_db()
    assert schedule.next_date == start and schedule.last_generated_at is None
    monkeypatch.undo()
    assert recurring_invoices_generate(today=start) == 1
    assert recurring_invoices_generate(today=start) == 0
    assert periods(schedule) == [start]
    assert Invoice.objects.get().status == Invoice.Status.POSTED


def test_a_failing_schedule_notifies_once_and_does_not_stop_the_others(other_tenant):
    org = other_tenant.org
    start = datetime.date(_year(org), 6, 1)
    broken = make_schedule(other_tenant, start=start)
    fine = make_schedule(other_tenant, start=start)
    tax = standard_tax(org)
    tax.is_active = False
    tax.save(update_fields=["is_active"])  # the broken schedule's tax: its invoice cannot be created
    RecurringLine.objects.filter(schedule=fine).update(tax=None)
    assert recurring_invoices_generate(today=start) == 1
    assert recurring_invoices_generate(today=start) == 0
    assert periods(fine) == [start] and periods(broken) == []
    broken.refresh_from_db()
    assert broken.next_date == start  # tried again at the next scan
    assert Notification.objects.filter(user=billing_member(other_tenant).user).count() == 1


def test_background_runs_as_the_creator_else_the_owner(other_tenant):
    org = other_tenant.org
    schedule = make_schedule(other_tenant, start=datetime.date(_year(org), 6, 1))
    assert generation_actor(schedule) == billing_member(other_tenant)
    creator = billing_member(other_tenant)
    creator.role = Role.SALES  # can no longer issue invoices
    creator.save(update_fields=["role"])
    assert generation_actor(schedule).user == other_tenant.owner
    assert recurring_invoices_generate(today=datetime.date(_year(org), 6, 1)) == 1
    assert Invoice.objects.get().created_by == other_tenant.owner


def test_generate_now_as_the_member_and_refusals(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    first = add_months(org.today().replace(day=1), -2)
    schedule = make_schedule(other_tenant, start=first)
    invoices = recurring_schedule_generate_due(org=org, actor_membership=member, schedule=schedule)
    assert [invoice.recurring_period for invoice in invoices] == [first, add_months(first, 1), add_months(first, 2)]
    assert {invoice.created_by for invoice in invoices} == {member.user}
    with pytest.raises(DomainError) as error:
        recurring_schedule_generate_due(org=org, actor_membership=member, schedule=schedule)
    assert error.value.code == "billing.nothing_due"
    recurring_schedule_set_active(org=org, actor_membership=member, schedule=schedule, is_active=False)
    with pytest.raises(DomainError) as error:
        recurring_schedule_generate_due(org=org, actor_membership=member, schedule=schedule)
    assert error.value.code == "billing.schedule_paused"
    assert Invoice.objects.count() == 3


def test_each_organization_bills_on_its_own_today(other_tenant):
    org = other_tenant.org
    schedule = make_schedule(other_tenant, start=org.today() + datetime.timedelta(days=1))
    assert recurring_invoices_generate() == 0
    schedule.refresh_from_db()
    assert schedule.next_date == org.today() + datetime.timedelta(days=1)


def test_billing_registers_its_periodic_scans():
    from mizan.billing.services.reminders import payment_reminders_send

    jobs = {job.name: job for job in periodic_jobs()}
    assert jobs["billing.recurring_invoices"].function is recurring_invoices_generate
    assert jobs["billing.recurring_invoices"].every_seconds == 300
    assert jobs["billing.payment_reminders"].function is payment_reminders_send


# --- Two workers at the same time ---------------------------------------------------------------------------


@pytest.fixture
def shared_database(tmp_path, django_db_blocker) -> Iterator[None]:
    """A database several threads can write at once (in-memory SQLite answers "table is locked")."""
    original = connections["default"]
    if original.vendor != "sqlite" or not original.is_in_memory_db():
        yield
        return
    settings_dict = {**original.settings_dict, "NAME": str(tmp_path / "concurrent.sqlite3")}
    original_settings = connections.settings["default"]
    replacement = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    with django_db_blocker.unblock():
        connections["default"] = replacement
        connections.settings["default"] = settings_dict
        ContentType.objects.clear_cache()
        try:
            call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
            yield
        finally:
            replacement.close()
            connections["default"] = original
            connections.settings["default"] = original_settings
            ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_the_same_time_bill_each_period_once(shared_database, other_tenant):
    org = other_tenant.org
    year = _year(org)
    schedules = [make_schedule(other_tenant, start=datetime.date(year, 1, day)) for day in (1, 2, 3)]
    today = datetime.date(year, 3, 15)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(recurring_invoices_generate(today=today))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(results) == 9
    for schedule in schedules:
        assert len(periods(schedule)) == 3
        schedule.refresh_from_db()
        assert schedule.next_date.month == 4
