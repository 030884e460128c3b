"""One error format for the whole API: {"code", "message", "field"} (+ "errors" when there are several).

Every exception a request can raise for bad input ends here with a 4xx status; only real bugs
reach Django as a 500. Messages are lazily translated, so they come out in the request's language.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from mizan.core.errors import DomainError, PermissionDeniedError

ErrorItem = dict[str, str | None]

_NON_FIELD_KEYS = {api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS}


def error_body(code: str, message: str, field: str | None = None) -> ErrorItem:
    return {"code": code, "message": str(message), "field": field}


def domain_error_status(error: DomainError) -> int:
    """Permission -> 403, an id that is not (or not in this organization) -> 404, else 400."""
    if isinstance(error, PermissionDeniedError):
        return status.HTTP_403_FORBIDDEN
    if error.code == "not_found":
        return status.HTTP_404_NOT_FOUND
    return status.HTTP_400_BAD_REQUEST


def flatten_validation_detail(detail: Any, field: str | None = None) -> list[ErrorItem]:
    """DRF's nested {field: [ErrorDetail]} (or list) as a flat list; nested fields use dots."""
    items: list[ErrorItem] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key in _NON_FIELD_KEYS:
                items.extend(flatten_validation_detail(value, field))
            else:
                items.extend(flatten_validation_detail(value, f"{field}.{key}" if field else key))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                items.extend(flatten_validation_detail(value, f"{field}.{index}" if field else str(index)))
            else:
                items.extend(flatten_validation_detail(value, field))
    else:
        items.append(error_body(getattr(detail, "code", None) or "invalid", str(detail), field))
    return items


def validation_response(items: list[ErrorItem]) -> Response:
    if not items:
        items = [error_body("invalid", _("Invalid input."))]
    body: dict[str, Any] = dict(items[0])
    body["errors"] = items
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _django_validation_items(error: DjangoValidationError) -> list[ErrorItem]:
    if hasattr(error, "error_dict"):
        return [
            error_body(item.code or "invalid", message, None if name == NON_FIELD_ERRORS else name)
            for name, errors in error.error_dict.items()
            for item in errors
            for message in item.messages
        ]
    return [error_body(item.code or "invalid", message) for item in error.error_list for message in item.messages]


def _api_exception_code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every expected failure into the one error format; anything else stays a 500."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=domain_error_status(exc))
    if isinstance(exc, DjangoValidationError):
        return validation_response(_django_validation_items(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        formatted = validation_response(flatten_validation_detail(exc.detail))
        response.data = formatted.data
        return response
    if isinstance(exc.detail, dict | list):
        items = flatten_validation_detail(exc.detail)
        response.data = dict(items[0]) if items else error_body(_api_exception_code(exc), str(exc.default_detail))
        return response
    response.data = error_body(_api_exception_code(exc), str(exc.detail))
    return response
