"""Routes of the shell area (included by mizan.core.urls, namespace core)."""

urlpatterns: list = []
