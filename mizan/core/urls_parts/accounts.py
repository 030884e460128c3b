"""Routes of the accounts area (included by mizan.core.urls, namespace core)."""

urlpatterns: list = []
