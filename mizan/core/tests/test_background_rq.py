"""The RQ backend (Redis): enqueue through it and run a burst worker with run_worker."""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.crypto import get_random_string

from mizan.core.background import enqueue_run_on_commit, task_runs_reap
from mizan.core.models import Notification, TaskRun, User
from mizan.core.services.organizations import organization_create
from mizan.core.tests.background_tasks import demo_effect

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: no Redis to run the RQ backend against")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis at REDIS_URL is unreachable: {error}")
    return url


@pytest.fixture
def rq_queue(settings):
    """A queue of its own (so leftovers from other runs never interfere), removed afterwards."""
    url = _redis_url()
    name = f"mizan-test-{get_random_string(8).lower()}"
    # "default" too: django-tasks-rq reads results through the default queue's connection.
    settings.RQ_QUEUES = {name: {"URL": url, "DEFAULT_TIMEOUT": 60}, "default": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    settings.TASK_BACKEND = "rq"
    import django_rq

    yield name
    queue = django_rq.get_queue(name)
    queue.empty()
    queue.delete(delete_jobs=True)


def _org_and_user():
    user = User.objects.create(email="rq-owner@example.com")
    return organization_create(owner=user, name_en="Acme", country="SA"), user


def test_rq_backend_runs_tasks_under_a_lease(rq_queue):
    org, user = _org_and_user()
    task = demo_effect.using(queue_name=rq_queue)
    enqueue_run_on_commit(task, args=[org.pk, user.pk, 1], key="demo:1")
    run = TaskRun.objects.get()
    assert (run.status, run.backend, run.queue_name) == (TaskRun.Status.QUEUED, "default", rq_queue)
    assert run.result_id  # the RQ job id

    call_command("run_worker", "--burst", "--no-fork", f"--queue-name={rq_queue}", stdout=StringIO())

    run.refresh_from_db()
    assert (run.status, run.attempts) == (TaskRun.Status.SUCCEEDED, 1)
    assert list(Notification.objects.values_list("message", flat=True)) == ["demo-1"]
    assert task.get_backend().get_result(run.result_id).status == "SUCCESSFUL"


def test_rq_reaper_requeues_a_lost_run_as_a_new_job(rq_queue):
    org, user = _org_and_user()
    enqueue_run_on_commit(demo_effect.using(queue_name=rq_queue), args=[org.pk, user.pk, 2], key="demo:2")
    run = TaskRun.objects.get()
    past = timezone.now() - timedelta(minutes=5)
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRun.Status.RUNNING, attempts=1, worker_id="dead", lease_expires_at=past
    )
    first_job = run.result_id
    assert task_runs_reap().requeued == [str(run.pk)]
    run.refresh_from_db()
    assert run.status == TaskRun.Status.QUEUED
    assert run.result_id and run.result_id != first_job

    call_command("run_worker", "--burst", "--no-fork", f"--queue-name={rq_queue}", stdout=StringIO())

    run.refresh_from_db()
    # Both jobs ran; the lease let one of them do the work, and once() kept the effect single.
    assert (run.status, run.attempts) == (TaskRun.Status.SUCCEEDED, 2)
    assert list(Notification.objects.values_list("message", flat=True)) == ["demo-2"]
