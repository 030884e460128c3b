"""The audit trail: one call per business write, in the writer's transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from mizan.core.models import AuditEntry


def audit_values(instance: models.Model, exclude: tuple[str, ...] = ("created_at", "updated_at")) -> dict[str, Any]:
    """A record's concrete field values as JSON-safe strings, for diffing."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        value = getattr(instance, field.attname)
        values[field.name] = None if value is None else str(value)
    return values


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Only the fields whose value changed, as {field: [old, new]}."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def audit_record(
    *,
    org: Any,
    actor: Any,
    instance: models.Model,
    action: str,
    changes: dict[str, list[Any]],
) -> AuditEntry:
    """Write one audit entry; must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records.")
    return AuditEntry.objects.create(
        organization_id=org.pk,
        actor_id=getattr(actor, "pk", None),
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
    )


def audit_created(*, org: Any, actor: Any, instance: models.Model) -> AuditEntry:
    after = audit_values(instance)
    return audit_record(
        org=org, actor=actor, instance=instance, action=AuditEntry.Action.CREATE, changes=audit_changes({}, after)
    )


def audit_deleted(*, org: Any, actor: Any, instance: models.Model) -> AuditEntry:
    before = audit_values(instance)
    return audit_record(
        org=org, actor=actor, instance=instance, action=AuditEntry.Action.DELETE, changes=audit_changes(before, {})
    )


def model_update(
    *, org: Any, actor: Any, instance: models.Model, data: dict[str, Any], fields: list[str]
) -> tuple[models.Model, bool]:
    """Apply allowed fields, validate, save and audit the change; returns (instance, changed)."""
    before = audit_values(instance)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    instance.full_clean()
    changes = audit_changes(before, audit_values(instance))
    if not changes:
        return instance, False
    with transaction.atomic():
        instance.save()
        audit_record(org=org, actor=actor, instance=instance, action=AuditEntry.Action.UPDATE, changes=changes)
    return instance, True
