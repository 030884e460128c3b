"""Routes of the organizations area (included by mizan.core.urls, namespace core)."""

urlpatterns: list = []
