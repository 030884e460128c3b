"""Routes of the API tokens area (included by mizan.core.urls, namespace core)."""

from django.urls import path

from mizan.core.views import api_tokens

urlpatterns = [
    path("settings/api-tokens/", api_tokens.api_token_list, name="api_token_list"),
    path("settings/api-tokens/<int:pk>/revoke/", api_tokens.api_token_revoke_view, name="api_token_revoke"),
]
