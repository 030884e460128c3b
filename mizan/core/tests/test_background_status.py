"""The system status page: health, workers, counts, failed tasks and Retry, per organization."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from mizan.core.models import AuditEntry, Notification, TaskRun, WorkerHeartbeat
from mizan.core.models.background import WORKER_LOST
from mizan.core.roles import Role

URL = reverse("core:system_status")


def _failed_run(org, user, n: int, *, organization=True) -> TaskRun:
    return TaskRun.objects.create(
        task_path="mizan.core.tests.background_tasks.demo_effect",
        args=[org.pk, user.pk, n],
        key=f"demo:{n}",
        organization=org if organization else None,
        status=TaskRun.Status.FAILED,
        attempts=5,
        max_attempts=5,
        last_error=WORKER_LOST,
        finished_at=timezone.now(),
    )


def test_status_page_shows_health_counts_and_own_failed_tasks(tenant, other_tenant, settings):
    settings.TASK_BACKEND = "database"
    mine = _failed_run(tenant.org, tenant.owner, 1)
    theirs = _failed_run(other_tenant.org, other_tenant.owner, 2)
    TaskRun.objects.create(task_path="x.y", status=TaskRun.Status.QUEUED)
    response = client_for(tenant.owner).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "sqlite" in page or "postgresql" in page
    assert 'id="queued-count">1<' in page and 'id="failed-count">2<' in page
    assert "No worker seen in the last minute" in page
    assert "The worker running this task stopped before it finished (worker lost)." in page
    assert reverse("core:task_run_retry", args=[mine.pk]) in page
    assert reverse("core:task_run_retry", args=[theirs.pk]) not in page
    assert "demo:2" not in page
    assert "1 failed task belongs to another organization" in page


def test_recent_worker_heartbeat_clears_the_warning(tenant, settings):
    settings.TASK_BACKEND = "database"
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="host:1:abc", hostname="host", pid=1, backend="database", started_at=now, last_seen=now
    )
    page = client_for(tenant.user(Role.ADMIN)).get(URL).content.decode()
    assert "host:1:abc" in page
    assert "No worker seen in the last minute" not in page
    WorkerHeartbeat.objects.update(last_seen=now - timedelta(minutes=2))
    assert "No worker seen in the last minute" in client_for(tenant.owner).get(URL).content.decode()


def test_only_owners_and_admins_see_the_page(tenant):
    for role in (Role.SALES, Role.ACCOUNTANT, Role.EMPLOYEE, Role.PROJECT_MANAGER):
        assert client_for(tenant.user(role)).get(URL).status_code == 403
    assert client_for(tenant.user(Role.ADMIN)).get(URL).status_code == 200


def test_retry_requeues_runs_and_audits(tenant, django_capture_on_commit_callbacks):
    run = _failed_run(tenant.org, tenant.owner, 3)
    client = client_for(tenant.user(Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:task_run_retry", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    # The immediate test backend ran it again at once: the effect happened, the run succeeded.
    assert (run.status, run.attempts) == (TaskRun.Status.SUCCEEDED, 1)
    assert list(Notification.objects.values_list("message", flat=True)) == ["demo-3"]
    entry = AuditEntry.objects.get(organization=tenant.org, object_id=str(run.pk))
    assert entry.changes["status"] == ["failed", "queued"]
    assert entry.actor == tenant.user(Role.ADMIN)


def test_retry_refuses_unfailed_runs_and_get(tenant):
    run = _failed_run(tenant.org, tenant.owner, 4)
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.SUCCEEDED)
    client = client_for(tenant.owner)
    url = reverse("core:task_run_retry", args=[run.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Only a failed task can be retried." in response.content.decode()
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    assert not AuditEntry.objects.filter(object_id=str(run.pk)).exists()


def test_another_organizations_run_is_404_and_unchanged(tenant, other_tenant):
    theirs = _failed_run(other_tenant.org, other_tenant.owner, 5)
    orphan = _failed_run(other_tenant.org, other_tenant.owner, 6, organization=False)
    client = client_for(tenant.owner)
    for run in (theirs, orphan):  # two organizations exist: installation-wide runs need a staff user
        assert client.post(reverse("core:task_run_retry", args=[run.pk])).status_code == 404
        run.refresh_from_db()
        assert (run.status, run.attempts) == (TaskRun.Status.FAILED, 5)
    assert client.post("/system/tasks/not-a-uuid/retry/").status_code == 404
    assert Notification.objects.count() == 0
    # Staff (the installation's operators) do see and may retry work that belongs to no organization.
    tenant.owner.is_staff = True
    tenant.owner.save(update_fields=["is_staff"])
    page = client.get(URL).content.decode()
    assert reverse("core:task_run_retry", args=[orphan.pk]) in page
    assert reverse("core:task_run_retry", args=[theirs.pk]) not in page


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("core:sign_in") in response["Location"]
