"""Reads of the audit trail: a record's history and the organization-wide log.

Entries come back with `display_changes` attached: rows of (label, old, new) already turned
into words (choice labels, yes/no), so templates stay simple and sensitive fields stay hidden.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from mizan.core.formatting import active_formatter
from mizan.core.models import AuditEntry, Membership, Organization, User

#: Filters the audit log accepts; any other key is ignored.
AUDIT_LOG_FILTERS = ("actor", "content_type", "action", "date_from", "date_to")

#: Never shown, whatever an entry holds.
_HIDDEN_FIELDS = {"password", "token_hash", "totp_secret", "code_hash", "totp_last_used_step"}


@dataclass(frozen=True)
class ChangeRow:
    field: str
    label: str
    old: str
    new: str


def audit_entries_for(*, org: Organization, instance: models.Model, limit: int = 50) -> list[AuditEntry]:
    """The newest entries about one record of `org`, for the history box on its page."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    entries = (
        AuditEntry.objects.filter(organization=org, content_type=content_type, object_id=str(instance.pk))
        .select_related("actor", "content_type")
        .order_by("-created_at", "-id")[:limit]
    )
    return with_display_changes(entries)


def audit_log_entries(*, org: Organization, filters: dict[str, Any] | None = None) -> QuerySet[AuditEntry]:
    """The organization's audit log, newest first, narrowed by the allow-listed filters."""
    queryset = AuditEntry.objects.filter(organization=org).select_related("actor", "content_type")
    filters = {key: value for key, value in (filters or {}).items() if key in AUDIT_LOG_FILTERS and value}
    if "actor" in filters:
        queryset = queryset.filter(actor_id=getattr(filters["actor"], "pk", filters["actor"]))
    if "content_type" in filters:
        queryset = queryset.filter(content_type_id=getattr(filters["content_type"], "pk", filters["content_type"]))
    if "action" in filters:
        queryset = queryset.filter(action=filters["action"])
    if "date_from" in filters:
        queryset = queryset.filter(created_at__gte=_start_of_day(org, filters["date_from"]))
    if "date_to" in filters:
        queryset = queryset.filter(created_at__lt=_start_of_day(org, filters["date_to"] + datetime.timedelta(days=1)))
    return queryset.order_by("-created_at", "-id")


def _start_of_day(org: Organization, day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the organization's time zone: dates mean the business's days."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=org.tz())


def audit_actor_choices(*, org: Organization) -> QuerySet[User]:
    """People who can appear as actors: everyone who is or was a member."""
    user_ids = Membership.objects.filter(organization=org).values("user_id")
    return User.objects.filter(pk__in=user_ids).order_by("full_name", "email")


def audit_content_type_choices(*, org: Organization) -> QuerySet[ContentType]:
    """The record types that actually appear in the organization's log."""
    used = AuditEntry.objects.filter(organization=org).values("content_type_id")
    return ContentType.objects.filter(pk__in=used).order_by("app_label", "model")


def content_type_label(content_type: ContentType) -> str:
    model = content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else content_type.model


def with_display_changes(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Attach `display_changes` and `record_type` to each entry.

    Links to other records are shown by name: one query per related model across all entries
    (never one per entry), restricted to the entry's organization.
    """
    result = list(entries)
    labels = _related_labels(result)
    for entry in result:
        model = entry.content_type.model_class()
        entry.record_type = content_type_label(entry.content_type)
        rows = [
            _change_row(model, name, values, labels)
            for name, values in sorted((entry.changes or {}).items())
            if _is_shown(model, name)
        ]
        # A created record's empty fields say nothing: leave them out.
        entry.display_changes = [row for row in rows if row.old != row.new]
    return result


def _is_shown(model: type[models.Model] | None, name: str) -> bool:
    """Secrets, the organization itself and derived columns (editable=False) are not history."""
    if name in _HIDDEN_FIELDS or name == "organization":
        return False
    field = _field(model, name)
    return field is None or field.editable


def _related_labels(entries: list[AuditEntry]) -> dict[tuple[type[models.Model], str], str]:
    """{(related model, id): label} for every foreign key value the entries mention."""
    wanted: dict[type[models.Model], set[str]] = {}
    organizations: set[int] = set()
    for entry in entries:
        model = entry.content_type.model_class()
        organizations.add(entry.organization_id)
        for name, values in (entry.changes or {}).items():
            field = _field(model, name)
            if isinstance(field, models.ForeignKey) and _is_shown(model, name):
                ids = values if isinstance(values, list | tuple) else [values]
                wanted.setdefault(field.related_model, set()).update(str(v) for v in ids if v not in (None, ""))
    labels: dict[tuple[type[models.Model], str], str] = {}
    for related_model, ids in wanted.items():
        queryset = related_model._default_manager.filter(pk__in=[i for i in ids if i.isdigit()])
        if related_model is User:
            queryset = queryset.filter(memberships__organization_id__in=organizations).distinct()
        elif any(f.name == "organization" for f in related_model._meta.concrete_fields):
            queryset = queryset.filter(organization_id__in=organizations)
        else:
            continue  # not tenant data we can scope: keep the raw id
        labels.update({(related_model, str(obj.pk)): str(obj) for obj in queryset})
    return labels


def _change_row(
    model: type[models.Model] | None, name: str, values: Any, labels: dict[tuple[type[models.Model], str], str]
) -> ChangeRow:
    old, new = [*values, None, None][:2] if isinstance(values, list | tuple) else (None, values)
    field = _field(model, name)
    label = str(field.verbose_name) if field is not None else name
    return ChangeRow(
        field=name, label=label, old=_display_value(field, old, labels), new=_display_value(field, new, labels)
    )


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _display_value(
    field: models.Field | None, value: Any, labels: dict[tuple[type[models.Model], str], str] | None = None
) -> str:
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField) or value in ("True", "False"):
        return _("Yes") if value in ("True", True) else _("No")
    if isinstance(field, models.ForeignKey) and labels is not None:
        return labels.get((field.related_model, str(value)), str(value))
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        return active_formatter().datetime(moment) if moment is not None else str(value)
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return active_formatter().date(day) if day is not None else str(value)
    return str(value)
