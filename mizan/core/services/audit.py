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


def _entry(
    *, org: Any, actor: Any, instance: models.Model, action: str, changes: dict[str, list[Any]], object_repr: str | None
) -> AuditEntry:
    return AuditEntry(
        organization_id=org.pk,
        actor_id=getattr(actor, "pk", None),
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=(str(instance) if object_repr is None else object_repr)[:200],
        changes=changes,
    )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records.")


class AuditBatch:
    """The audit entries of one transaction, written together (one INSERT) by `flush`.

    A service that records several entries creates one batch inside its `transaction.atomic()`
    block, passes it to `audit_record(..., batch=...)` (and to the services it calls), and
    flushes it before the block ends, so the entries still commit or roll back with the change.
    Each entry is built when recorded (who, what, the record's id and text at that moment); only
    the INSERT waits. An entry recorded inside a savepoint that is rolled back while the outer
    transaction goes on would survive the rollback: record into a batch only from code whose
    errors end the whole transaction.
    """

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def __len__(self) -> int:
        return len(self.entries)

    def record(
        self,
        *,
        org: Any,
        actor: Any,
        instance: models.Model,
        action: str,
        changes: dict[str, list[Any]],
        object_repr: str | None = None,
    ) -> AuditEntry:
        """Add one (unsaved) entry; `object_repr` overrides str(instance) (e.g. its text before a change)."""
        _require_transaction()
        if instance.pk is None:
            raise ValueError("Audit a record once it has been saved.")
        entry = _entry(org=org, actor=actor, instance=instance, action=action, changes=changes, object_repr=object_repr)
        self.entries.append(entry)
        return entry

    def flush(self) -> list[AuditEntry]:
        """Write the recorded entries, in the order recorded, with one INSERT (inside the transaction)."""
        _require_transaction()
        entries, self.entries = self.entries, []
        if entries:
            AuditEntry.objects.bulk_create(entries)
        return entries


def audit_record(
    *,
    org: Any,
    actor: Any,
    instance: models.Model,
    action: str,
    changes: dict[str, list[Any]],
    batch: AuditBatch | None = None,
) -> AuditEntry:
    """Write one audit entry; must run inside the transaction of the change it records.

    With `batch`, the entry is built now and written by `batch.flush()` (before commit).
    """
    if batch is not None:
        return batch.record(org=org, actor=actor, instance=instance, action=action, changes=changes)
    _require_transaction()
    entry = _entry(org=org, actor=actor, instance=instance, action=action, changes=changes, object_repr=None)
    entry.save(force_insert=True)
    return entry


def audit_created(*, org: Any, actor: Any, instance: models.Model, batch: AuditBatch | None = None) -> AuditEntry:
    after = audit_values(instance)
    return audit_record(
        org=org,
        actor=actor,
        instance=instance,
        action=AuditEntry.Action.CREATE,
        changes=audit_changes({}, after),
        batch=batch,
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
