"""OpenAPI extensions: how the schema describes Mizan's token authentication.

Imported from ApiConfig.ready() so drf-spectacular registers it before any schema is built.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "mizan.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token (`mzn_…`) created on the API tokens page. It acts in the one "
                "organization it was created for. `Authorization: Token <token>` is accepted too."
            ),
        }


class OrganizationSessionScheme(OpenApiAuthenticationExtension):
    target_class = "mizan.api.authentication.OrganizationSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": (
                "The browser session of a signed-in user (unsafe methods need the X-CSRFToken header). "
                "It acts in the organization currently chosen in the web interface."
            ),
        }
