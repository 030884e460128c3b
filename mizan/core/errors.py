"""The one error type business rules raise; views and the API turn it into a response."""

from __future__ import annotations


class DomainError(Exception):
    """A broken business rule: a stable machine code, a translated message, maybe a field."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class PermissionDeniedError(DomainError):
    """The member's role lacks the capability; raised before anything is written."""

    def __init__(self, message: str, capability: str) -> None:
        super().__init__("permission_denied", message)
        self.capability = capability
