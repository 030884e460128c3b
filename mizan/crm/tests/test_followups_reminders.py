"""Follow-up reminders: the periodic scan sends each one exactly once, however often and however
concurrently it runs; and the worker's periodic-job registry that runs the scan."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend

from mizan.core import background
from mizan.core.background import periodic_jobs, periodic_jobs_run, register_periodic
from mizan.core.models import Notification
from mizan.core.roles import Role
from mizan.crm.models import FollowUp
from mizan.crm.services.timeline import (
    follow_up_reminder_send,
    follow_up_reminders_due,
    follow_up_reminders_send,
)
from mizan.crm.tests.timeline_helpers import make_deal

NOW = datetime.datetime(2026, 3, 2, 6, 0, tzinfo=datetime.UTC)  # 09:00 in Riyadh


def _follow_up(tenant, *, title: str, remind_at, assignee=None, **extra) -> FollowUp:
    deal = extra.pop("deal", None) or make_deal(tenant.org)
    return FollowUp.objects.create(
        organization=tenant.org,
        title=title,
        due_at=NOW + datetime.timedelta(hours=2),
        remind_at=remind_at,
        assignee=assignee or tenant.user(Role.SALES),
        deal=deal,
        **extra,
    )


@pytest.mark.django_db
def test_due_reminders_are_sent_once_even_when_the_scan_runs_again(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    due = _follow_up(tenant, title="Send proposal", remind_at=NOW - datetime.timedelta(minutes=5))
    exact = _follow_up(tenant, title="Exactly now", remind_at=NOW)
    _follow_up(tenant, title="Later", remind_at=NOW + datetime.timedelta(minutes=1))
    _follow_up(tenant, title="No reminder", remind_at=None)
    _follow_up(tenant, title="Done already", remind_at=NOW - datetime.timedelta(hours=1), completed_at=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        first = follow_up_reminders_send(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        second = follow_up_reminders_send(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        third = follow_up_reminders_send(now=NOW + datetime.timedelta(seconds=30))

    assert (first, second, third) == (2, 0, 0)
    assert sorted(message.subject for message in mailoutbox) == ["Reminder: Exactly now", "Reminder: Send proposal"]
    assert all(message.to == [tenant.user(Role.SALES).email] for message in mailoutbox)
    notifications = Notification.objects.filter(organization=tenant.org, user=tenant.user(Role.SALES))
    assert sorted(notifications.values_list("message", flat=True)) == [
        "Reminder: Exactly now",
        "Reminder: Send proposal",
    ]
    due.refresh_from_db()
    exact.refresh_from_db()
    assert due.reminder_sent_at == NOW and exact.reminder_sent_at == NOW
    assert FollowUp.objects.filter(reminder_sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_reminder_is_in_the_assignees_language_with_the_due_time_in_the_org_zone(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    assignee = tenant.user(Role.SALES)
    assignee.language = "en"
    assignee.save()
    _follow_up(tenant, title="Call Omar", remind_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_reminders_send(now=NOW)
    body = mailoutbox[0].body
    assert "Call Omar" in body
    assert "11:00" in body or "11:00 AM" in body  # due 08:00 UTC = 11:00 in Riyadh
    assert "Website redesign" in body


@pytest.mark.django_db
def test_a_scan_working_from_a_stale_list_sends_nothing_twice(tenant, mailoutbox, django_capture_on_commit_callbacks):
    """Two scans overlap: both listed the same reminders before either claimed one."""
    for index in range(3):
        _follow_up(tenant, title=f"Task {index}", remind_at=NOW - datetime.timedelta(minutes=index))
    stale = follow_up_reminders_due(now=NOW)
    assert len(stale) == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert follow_up_reminders_send(now=NOW) == 3
    with django_capture_on_commit_callbacks(execute=True):
        late_results = [follow_up_reminder_send(follow_up_id=pk, now=NOW) for pk in stale]

    assert late_results == [False, False, False]
    assert len(mailoutbox) == 3
    assert Notification.objects.filter(organization=tenant.org).exclude(message="").count() == 3


@pytest.mark.django_db
def test_assignee_who_left_gets_nothing_and_the_reminder_is_spent(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    follow_up = _follow_up(tenant, title="Orphan", remind_at=NOW)
    membership = tenant.members[Role.SALES]
    membership.is_active = False
    membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_up_reminders_send(now=NOW) == 1
        assert follow_up_reminders_send(now=NOW) == 0
    assert mailoutbox == []
    assert Notification.objects.filter(user=membership.user).count() == 0
    follow_up.refresh_from_db()
    assert follow_up.reminder_sent_at == NOW


@pytest.fixture
def shared_database(tmp_path, django_db_blocker) -> Iterator[None]:
    """A database several threads can write at once. In-memory SQLite (shared cache) answers
    "table is locked" instead of waiting, so such runs use a temporary SQLite file instead."""
    original = connections["default"]
    if original.vendor != "sqlite" or not original.is_in_memory_db():
        yield
        return
    settings_dict = {**original.settings_dict, "NAME": str(tmp_path / "concurrent.sqlite3")}
    original_settings = connections.settings["default"]
    replacement = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    with django_db_blocker.unblock():
        connections["default"] = replacement
        connections.settings["default"] = settings_dict  # new connections (other threads) open the file too
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
def test_two_scans_running_at_the_same_time_send_each_reminder_once(shared_database, tenant, mailoutbox):
    for index in range(10):
        _follow_up(tenant, title=f"Task {index}", remind_at=NOW - datetime.timedelta(minutes=index))
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            barrier.wait()
            results.append(follow_up_reminders_send(now=NOW))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(results) == 10
    assert len(mailoutbox) == 10
    assert len({message.subject for message in mailoutbox}) == 10


# --- The periodic-job registry ------------------------------------------------------------------


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(background, "_PERIODIC_JOBS", {})


def test_periodic_jobs_run_when_due_and_a_failure_does_not_stop_the_others(clean_registry, caplog):
    calls: list[str] = []
    clock = [1000.0]

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    register_periodic("broken", 10, broken)
    register_periodic("fine", 30, lambda: calls.append("fine"))

    assert periodic_jobs_run(clock=lambda: clock[0]) == ["broken", "fine"]
    clock[0] += 10
    assert periodic_jobs_run(clock=lambda: clock[0]) == ["broken"]
    clock[0] += 20
    assert periodic_jobs_run(clock=lambda: clock[0]) == ["broken", "fine"]
    assert calls == ["broken", "fine", "broken", "broken", "fine"]
    assert "Periodic job broken failed" in caplog.text


def test_registering_a_name_again_replaces_the_job(clean_registry):
    register_periodic("job", 5, lambda: None)
    register_periodic("job", 7, lambda: None)
    assert [(job.name, job.every_seconds) for job in periodic_jobs()] == [("job", 7.0)]
    with pytest.raises(ValueError, match="positive"):
        register_periodic("bad", 0, lambda: None)


def test_the_crm_registers_its_reminder_scan():
    jobs = {job.name: job for job in periodic_jobs()}
    assert jobs["crm.follow_up_reminders"].function is follow_up_reminders_send
    assert jobs["crm.follow_up_reminders"].every_seconds == 60


@pytest.mark.django_db
def test_the_worker_housekeeping_tick_runs_the_periodic_jobs(clean_registry):
    from mizan.core.management.commands.run_worker import Housekeeping

    calls: list[str] = []
    register_periodic("probe", 60, lambda: calls.append("ran"))
    housekeeping = Housekeeping(worker_id="test:1:abc", backend="database", interval=1)
    housekeeping.tick()
    assert calls == ["ran"]
