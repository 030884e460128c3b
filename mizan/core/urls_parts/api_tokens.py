"""Routes of the API tokens area (included by mizan.core.urls, namespace core)."""

urlpatterns: list = []
