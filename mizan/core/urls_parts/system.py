"""Routes of the system area (included by mizan.core.urls, namespace core)."""

from django.urls import path

from mizan.core.views import system

urlpatterns = [
    path("system/status/", system.system_status_view, name="system_status"),
    path("system/tasks/<uuid:pk>/retry/", system.task_run_retry_view, name="task_run_retry"),
]
