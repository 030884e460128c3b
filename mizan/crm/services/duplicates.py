"""Merging duplicate companies and contacts into the record the user keeps.

Everything that points at the merged record moves to the kept one: every foreign key of every
app (contacts, deals, activities, follow-ups, leads' conversion links, and later invoices and
projects) is found through the model's relations, so a new app's links move without touching
this module. Empty fields of the kept record are filled from the merged one; the merged record
is deactivated (not deleted: its audit history and links stay readable). Both records get an
audit entry and the kept one a system event on its timeline, all in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.models import AuditEntry, Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_changes, audit_record, audit_values
from mizan.crm.models import Activity, Company, Contact
from mizan.crm.services.activities import activity_log
from mizan.crm.services.clients import company_search_name, contact_search_name, ensure_visible

COMPANY_FILL_FIELDS = [
    "name_ar",
    "name_latin",
    "email",
    "phone",
    "website",
    "vat_number",
    "commercial_registration",
    "country",
    "city",
    "address",
    "industry",
    "owner",
    "notes",
]
CONTACT_FILL_FIELDS = ["company", "name_ar", "name_latin", "job_title", "email", "phone", "mobile", "owner", "notes"]


def company_merge(*, org: Organization, actor_membership: Membership, keep: Company, merge: Company) -> Company:
    """Merge `merge` into `keep`; returns the kept company."""
    return _merge(
        org=org,
        actor_membership=actor_membership,
        model=Company,
        keep=keep,
        merge=merge,
        fill_fields=COMPANY_FILL_FIELDS,
        search_name=company_search_name,
    )


def contact_merge(*, org: Organization, actor_membership: Membership, keep: Contact, merge: Contact) -> Contact:
    """Merge `merge` into `keep`; returns the kept contact."""
    return _merge(
        org=org,
        actor_membership=actor_membership,
        model=Contact,
        keep=keep,
        merge=merge,
        fill_fields=CONTACT_FILL_FIELDS,
        search_name=contact_search_name,
    )


def _merge(
    *,
    org: Organization,
    actor_membership: Membership,
    model: type[Company] | type[Contact],
    keep: Any,
    merge: Any,
    fill_fields: list[str],
    search_name: Any,
) -> Any:
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, keep, merge)
    if keep.pk == merge.pk:
        raise DomainError("merge_self", _("Choose two different records to merge."))
    actor = actor_membership.user
    with transaction.atomic():
        locked = {record.pk: record for record in model.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
        keep, merge = locked[keep.pk], locked[merge.pk]
        if not merge.is_active:
            raise DomainError("merge_inactive", _("This record was already merged or deactivated."))
        moved = _move_relations(model=model, keep=keep, merge=merge)
        if model is Company:
            # The merged company's journal lines are the kept one's now: its open items follow.
            from mizan.ledger.services.open_items import open_items_refresh_partners

            open_items_refresh_partners(org=org, partner_ids=[keep.pk, merge.pk])
        keep.tags.add(*merge.tags.all())
        before = audit_values(keep)
        for name in fill_fields:
            attname = model._meta.get_field(name).attname
            if getattr(keep, attname) in (None, "") and getattr(merge, attname) not in (None, ""):
                if name == "company" and merge.company_id == keep.pk:
                    continue
                setattr(keep, attname, getattr(merge, attname))
        keep.search_name = search_name(keep)
        keep.save()
        merged_label, kept_label = _audit_label(merge), _audit_label(keep)
        changes = audit_changes(before, audit_values(keep))
        changes.pop("search_name", None)
        changes["merged_from"] = [None, merged_label]
        audit_record(org=org, actor=actor, instance=keep, action=AuditEntry.Action.UPDATE, changes=changes)
        merge.is_active = False
        merge.save(update_fields=["is_active", "updated_at"])
        audit_record(
            org=org,
            actor=actor,
            instance=merge,
            action=AuditEntry.Action.UPDATE,
            changes={"is_active": ["True", "False"], "merged_into": [None, kept_label]},
        )
        activity_log(
            org=org,
            actor=actor,
            kind=Activity.Kind.SYSTEM,
            subject=_("“{name}” was merged into this record").format(name=merge.display_name()),
            body=_moved_summary(moved),
            **{"company" if model is Company else "contact": keep},
        )
    return keep


def _move_relations(*, model: type[models.Model], keep: Any, merge: Any) -> dict[str, int]:
    """Point every foreign key and many-to-many link at `keep`; {related model label: rows moved}."""
    moved: dict[str, int] = {}
    for relation in model._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        related = relation.related_model
        if not getattr(related, "moved_by_merge", True):
            continue
        if relation.many_to_many:
            count = _move_many_to_many(relation, keep=keep, merge=merge)
        elif relation.one_to_many and not related._meta.auto_created:  # auto_created: an M2M through table
            name = relation.field.name
            count = related._base_manager.filter(**{name: merge}).update(**{name: keep})
        else:
            continue
        if count:
            label = str(related._meta.verbose_name_plural)
            moved[label] = moved.get(label, 0) + count
    return moved


def _move_many_to_many(relation: Any, *, keep: Any, merge: Any) -> int:
    """Links to `merge` (e.g. a deal's contacts) become links to `keep`, without doubling a link."""
    through = relation.through
    owner_column = relation.field.m2m_column_name()  # e.g. deal_id
    target_column = relation.field.m2m_reverse_name()  # e.g. contact_id
    already = through.objects.filter(**{target_column: keep.pk}).values(owner_column)
    links = through.objects.filter(**{target_column: merge.pk})
    count = links.exclude(**{f"{owner_column}__in": already}).update(**{target_column: keep.pk})
    links.delete()
    return count


def _audit_label(record: Any) -> str:
    """Id and both names: the audit trail reads the same in either language."""
    return f"#{record.pk} " + " / ".join(name for name in (record.name_ar, record.name_latin) if name)


def _moved_summary(moved: dict[str, int]) -> str:
    if not moved:
        return _("Nothing else pointed at the merged record.")
    lines = [_("{what}: {count}").format(what=what, count=count) for what, count in sorted(moved.items())]
    return _("Moved to this record:") + "\n" + "\n".join(lines)
