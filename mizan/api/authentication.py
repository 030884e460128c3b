from rest_framework.authentication import SessionAuthentication


class OrganizationSessionAuthentication(SessionAuthentication):
    """Session sign-in for the browser; the organization comes from the session."""


class ApiTokenAuthentication(SessionAuthentication):
    """Placeholder replaced by the token implementation."""

    def authenticate(self, request):  # type: ignore[override]
        return None
