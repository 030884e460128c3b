"""Enqueue on commit, leases, the reaper and effects-once, in-process (the killed worker: test_background_worker)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from mizan.core import background
from mizan.core.background import enqueue_on_commit, enqueue_run_on_commit, once, task_runs_reap
from mizan.core.models import Notification, TaskEffect, TaskRun, User, WorkerHeartbeat
from mizan.core.models.background import WORKER_LOST
from mizan.core.services.organizations import organization_create
from mizan.core.tests.background_tasks import demo_effect, demo_failure

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
Status = TaskRun.Status


def _org_and_user():
    """An organization and its owner, without password hashing (fast)."""
    user = User.objects.create(email="owner@example.com")
    return organization_create(owner=user, name_en="Acme", country="SA"), user


@pytest.fixture
def org_user(db):
    return _org_and_user()


def _messages() -> list[str]:
    return sorted(Notification.objects.values_list("message", flat=True))


def test_enqueue_on_commit_runs_after_commit(org_user, django_capture_on_commit_callbacks):
    org, user = org_user
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_on_commit(demo_effect, org.pk, user.pk, 1)
        assert TaskRun.objects.count() == 0  # nothing before the commit
    assert len(callbacks) == 1
    run = TaskRun.objects.get()
    assert (run.status, run.attempts, run.task_name) == (Status.SUCCEEDED, 1, "demo_effect")
    assert run.args == [org.pk, user.pk, 1]
    assert run.result_id
    assert _messages() == ["demo-1"]


def test_rolled_back_transaction_enqueues_nothing(org_user, django_capture_on_commit_callbacks):
    org, user = org_user
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(demo_effect, org.pk, user.pk, 1)
        raise RuntimeError("rollback")
    assert callbacks == []
    assert TaskRun.objects.count() == 0
    assert Notification.objects.count() == 0


def test_database_backend_enqueues_inside_the_transaction(org_user, settings):
    """With the database backend the run and the backend row commit or roll back with the caller."""
    settings.TASKS = DATABASE_TASKS
    org, user = org_user
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(demo_effect, org.pk, user.pk, 1)
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("rollback")
    assert DBTaskResult.objects.count() == 0
    assert TaskRun.objects.count() == 0
    enqueue_on_commit(demo_effect, org.pk, user.pk, 2)
    run = TaskRun.objects.get()
    result = DBTaskResult.objects.get()
    assert (run.status, run.result_id, result.status) == (Status.QUEUED, str(result.id), "READY")
    assert result.args_kwargs["kwargs"] == {background.RUN_KWARG: str(run.pk)}


def test_arguments_must_be_json(org_user):
    with pytest.raises(TypeError):
        enqueue_on_commit(demo_effect, org_user[0], 1, 1)  # a model instance, not its id
    assert TaskRun.objects.count() == 0


def test_once_records_the_effect_once(org_user):
    org, user = org_user
    demo_effect.call(org.pk, user.pk, 7)
    demo_effect.call(org.pk, user.pk, 7)
    assert _messages() == ["demo-7"]
    assert TaskEffect.objects.filter(key="demo:7").count() == 1
    with once("demo:7") as first_time:
        assert first_time is False


def test_once_rolls_back_the_key_with_the_effect(db):
    with pytest.raises(RuntimeError), once("k:1") as first_time:
        assert first_time
        raise RuntimeError("effect failed")
    assert not TaskEffect.objects.filter(key="k:1").exists()


def test_failure_is_recorded_on_the_run(db):
    demo_failure.enqueue("boom")
    run = TaskRun.objects.get()
    assert (run.status, run.attempts, run.max_attempts) == (Status.FAILED, 1, 2)
    assert run.last_error == "RuntimeError: boom"
    assert run.finished_at is not None


def test_a_live_lease_is_not_taken_twice(org_user, settings):
    settings.TASKS = DATABASE_TASKS
    org, user = org_user
    enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, 3], key="demo:3")
    run = TaskRun.objects.get()
    assert background._claim(str(run.pk), "worker-a") is not None
    # A second delivery of the same run while worker-a's lease is live does nothing.
    demo_effect.call(org.pk, user.pk, 3, **{background.RUN_KWARG: str(run.pk)})
    run.refresh_from_db()
    assert (run.status, run.worker_id, run.attempts) == (Status.RUNNING, "worker-a", 1)
    assert Notification.objects.count() == 0


def _lose_worker(run: TaskRun, *, seconds_ago: int = 120) -> None:
    """What a SIGKILLed database worker leaves behind: both rows running, the lease expired."""
    past = timezone.now() - timedelta(seconds=seconds_ago)
    DBTaskResult.objects.filter(id=run.result_id).update(status="RUNNING", started_at=past, worker_ids=["dead"])
    TaskRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING,
        attempts=run.attempts + 1,
        worker_id="dead",
        started_at=past,
        heartbeat_at=past,
        lease_expires_at=past + timedelta(seconds=background.lease_seconds()),
    )


def test_reaper_requeues_expired_work_and_fails_the_orphan(org_user, settings):
    settings.TASKS = DATABASE_TASKS
    org, user = org_user
    enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, 4], key="demo:4")
    run = TaskRun.objects.get()
    lost_result = run.result_id
    _lose_worker(run)
    report = task_runs_reap()
    assert report.requeued == [str(run.pk)]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.last_error, run.worker_id) == (Status.QUEUED, 1, WORKER_LOST, "")
    assert run.result_id != lost_result
    orphan = DBTaskResult.objects.get(id=lost_result)
    assert (orphan.status, orphan.exception_class_path) == ("FAILED", "mizan.core.background.WorkerLost")
    fresh = DBTaskResult.objects.get(id=run.result_id)
    assert fresh.status == "READY"
    assert fresh.args_kwargs == {"args": [org.pk, user.pk, 4], "kwargs": {background.RUN_KWARG: str(run.pk)}}
    # A second pass finds nothing to do.
    assert task_runs_reap().requeued == []


def test_reaper_gives_up_after_max_attempts(org_user, settings):
    settings.TASKS = DATABASE_TASKS
    settings.TASK_MAX_ATTEMPTS = 1
    org, user = org_user
    enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, 5])
    run = TaskRun.objects.get()
    _lose_worker(run)
    report = task_runs_reap()
    assert (report.requeued, report.failed) == ([], [str(run.pk)])
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Status.FAILED, 1)
    with translation.override("en"):
        assert "worker lost" in run.error_display
    assert DBTaskResult.objects.get().status == "FAILED"


def test_reaper_leaves_live_leases_alone(org_user, settings):
    settings.TASKS = DATABASE_TASKS
    org, user = org_user
    enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, 6])
    run = TaskRun.objects.get()
    background._claim(str(run.pk), "alive")
    assert task_runs_reap().requeued == []
    run.refresh_from_db()
    assert (run.status, run.worker_id) == (Status.RUNNING, "alive")


def test_reaper_requeues_work_lost_before_it_claimed_its_lease(org_user, settings):
    """Killed between the backend's claim and Mizan's: the run is queued but its attempt is gone."""
    settings.TASKS = DATABASE_TASKS
    org, user = org_user
    enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, 8])
    run = TaskRun.objects.get()
    long_ago = timezone.now() - timedelta(minutes=10)
    TaskRun.objects.filter(pk=run.pk).update(queued_at=long_ago)
    DBTaskResult.objects.filter(id=run.result_id).update(status="RUNNING", started_at=long_ago)
    assert task_runs_reap().requeued == [str(run.pk)]
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Status.QUEUED, 1)
    assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.django_db(transaction=True)
def test_run_worker_burst_runs_the_queue_and_reaps(settings):
    """run_worker on the database backend, in-process: heartbeat, reaper, then every queued task."""
    settings.TASKS = DATABASE_TASKS
    settings.TASK_BACKEND = "database"
    org, user = _org_and_user()
    for n in range(3):
        enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, n], key=f"demo:{n}")
    lost = TaskRun.objects.get(key="demo:2")
    _lose_worker(lost)
    call_command("run_worker", "--burst", "--interval=0", "--housekeeping-interval=0.2", stdout=StringIO())
    assert _messages() == ["demo-0", "demo-1", "demo-2"]
    assert set(TaskRun.objects.values_list("status", flat=True)) == {Status.SUCCEEDED}
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
    assert WorkerHeartbeat.objects.count() == 0  # removed when the worker stopped


def test_reap_tasks_command(org_user, settings, capsys):
    settings.TASKS = DATABASE_TASKS
    org, user = org_user
    enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, 9])
    _lose_worker(TaskRun.objects.get())
    call_command("reap_tasks")
    assert "Re-queued 1, failed 0." in capsys.readouterr().out
    assert TaskRun.objects.get().status == Status.QUEUED
