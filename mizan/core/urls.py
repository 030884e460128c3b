"""The web routes of core; each area keeps its own list so areas grow independently."""

from django.urls import path

from mizan.core.urls_parts import accounts, api_tokens, organizations, shell, system
from mizan.core.views import home

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    *accounts.urlpatterns,
    *api_tokens.urlpatterns,
    *organizations.urlpatterns,
    *shell.urlpatterns,
    *system.urlpatterns,
]
