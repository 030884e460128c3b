"""Routes of the system area (included by mizan.core.urls, namespace core)."""

urlpatterns: list = []
