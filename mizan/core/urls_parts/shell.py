"""Routes of the shell area (included by mizan.core.urls, namespace core)."""

from django.urls import path

from mizan.core.views import shell

urlpatterns = [
    path("language/", shell.language_switch, name="language_switch"),
    path("search/", shell.search, name="search"),
    path("notifications/", shell.notification_list_view, name="notification_list"),
    path("notifications/read-all/", shell.notification_mark_all_read_view, name="notification_mark_all_read"),
    path("notifications/<int:pk>/read/", shell.notification_mark_read_view, name="notification_mark_read"),
]
