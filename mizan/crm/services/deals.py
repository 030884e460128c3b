"""Deals: creating, editing, moving through stages, winning, losing and reopening.

Status follows the stage's kind. Allowed transitions (one service each):

    open -> open (deal_move), open -> won (deal_mark_won), open -> lost (deal_mark_lost),
    won/lost -> open (deal_reopen, or deal_move into an open stage).

Every stage change records a DealStageChange with the seconds spent in the previous stage and a
"stage_change" activity on the timeline; every change is audited in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_changes, audit_created, audit_record, audit_values
from mizan.crm.models import Activity, Company, Contact, Deal, DealStageChange, LeadSource, LostReason, Pipeline, Stage
from mizan.crm.selectors.visibility import sees_all_crm_records
from mizan.crm.services.activities import activity_log

_CURRENCIES = {code for code, _label in CURRENCY_CHOICES}

#: Fields deal_update reads from `data`; stage and status change only through their own services.
DEAL_UPDATE_FIELDS = [
    "title",
    "company",
    "contacts",
    "value",
    "currency",
    "expected_close_date",
    "owner",
    "source",
    "next_step_due_at",
]


def deal_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> Deal:
    """A new deal at the end of its stage's column.

    `data`: title (required), pipeline (default: the organization's default pipeline), stage (default:
    the pipeline's first open stage; must belong to the pipeline), company, contacts, value (>= 0),
    currency (default: the organization's base currency), expected_close_date, owner (default: the
    actor), source, next_step_due_at; lost_reason/lost_note when created in a lost stage.
    """
    require_capability(actor_membership, Capability.CRM_EDIT)
    actor = actor_membership.user
    pipeline = data.get("pipeline") or _default_pipeline(org)
    _check_same_org(org, pipeline, field="pipeline")
    stage = data.get("stage") or _first_stage(pipeline, Stage.Kind.OPEN)
    _check_same_org(org, stage, field="stage")
    if stage.pipeline_id != pipeline.pk:
        raise _other_pipeline_error()
    fields = _clean_fields(org=org, actor_membership=actor_membership, data=data, partial=False)
    contacts = fields.pop("contacts", [])
    now = timezone.now()
    deal = Deal(organization=org, pipeline=pipeline, stage=stage, stage_entered_at=now, **fields)
    deal.currency = deal.currency or org.base_currency
    if deal.owner_id is None and "owner" not in data:
        deal.owner = actor
    _apply_stage_status(deal, stage, now=now, reason=data.get("lost_reason"), note=data.get("lost_note", ""))
    with transaction.atomic():
        top = Deal.objects.filter(organization=org, stage=stage).aggregate(top=Max("position"))["top"]
        deal.position = 0 if top is None else top + 1
        _save(deal)
        if contacts:
            deal.contacts.set(contacts)
        DealStageChange.objects.create(
            organization=org, deal=deal, from_stage=None, to_stage=stage, changed_by=actor, changed_at=now
        )
        audit_created(org=org, actor=actor, instance=deal)
    return deal


def deal_update(*, org: Organization, actor_membership: Membership, deal: Deal, data: dict[str, Any]) -> Deal:
    """Edit a deal's fields (not its stage or status: see deal_move, deal_mark_won/lost, deal_reopen)."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    _check_same_org(org, deal)
    fields = _clean_fields(org=org, actor_membership=actor_membership, data=data, partial=True)
    contacts = fields.pop("contacts", None)
    with transaction.atomic():
        locked = _lock(org, deal)
        before = audit_values(locked)
        before_contacts = sorted(locked.contacts.values_list("pk", flat=True))
        for name, value in fields.items():
            setattr(locked, name, value)
        changes = audit_changes(before, audit_values(locked))
        if changes:
            _save(locked)
        if contacts is not None:
            after_contacts = sorted(contact.pk for contact in contacts)
            if after_contacts != before_contacts:
                locked.contacts.set(contacts)
                changes["contacts"] = [before_contacts, after_contacts]
        if changes:
            audit_record(org=org, actor=actor_membership.user, instance=locked, action="update", changes=changes)
    _refresh(deal, locked)
    return deal


def deal_move(
    *,
    org: Organization,
    actor_membership: Membership,
    deal: Deal,
    stage: Stage,
    position: int | None = None,
    lost_reason: LostReason | None = None,
    lost_note: str = "",
) -> Deal:
    """Move a deal to `stage` (of its own pipeline) at `position` (0-based index in the column; None
    = the end). Into a won or lost stage it is won or lost (a lost stage needs `lost_reason`); a
    closed deal moved into an open stage is reopened. Reordering inside a column changes no stage."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    _check_same_org(org, deal)
    _check_same_org(org, stage, field="stage")
    if stage.pipeline_id != deal.pipeline_id:
        raise _other_pipeline_error()
    if position is not None:
        try:
            position = int(position)
        except (TypeError, ValueError):
            raise DomainError("invalid_position", _("The position must be a whole number."), field="position") from None
        if position < 0:
            raise DomainError("invalid_position", _("The position must be a whole number."), field="position")
    with transaction.atomic():
        locked = _lock(org, deal)
        if locked.stage_id == stage.pk:
            locked.position = _insert_in_column(org=org, deal=locked, stage=stage, index=position)
            Deal.objects.filter(pk=locked.pk).update(position=locked.position)
        else:
            closed = locked.status != Deal.Status.OPEN
            if closed and stage.kind != Stage.Kind.OPEN:
                raise DomainError(
                    "deal_closed", _("This deal is already closed. Reopen it before moving it."), field="stage"
                )
            _change_stage(
                org=org,
                actor=actor_membership.user,
                deal=locked,
                stage=stage,
                index=position,
                reason=lost_reason,
                note=lost_note,
            )
    _refresh(deal, locked)
    return deal


def deal_mark_won(*, org: Organization, actor_membership: Membership, deal: Deal, stage: Stage | None = None) -> Deal:
    """Win an open deal: it moves to the pipeline's won stage (or the given one)."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    _check_same_org(org, deal)
    target = stage or _first_stage(deal.pipeline, Stage.Kind.WON)
    if target.kind != Stage.Kind.WON:
        raise DomainError("not_won_stage", _("Choose a won stage."), field="stage")
    if deal.status != Deal.Status.OPEN:
        raise DomainError("deal_closed", _("Only an open deal can be marked as won or lost."))
    return deal_move(org=org, actor_membership=actor_membership, deal=deal, stage=target)


def deal_mark_lost(
    *,
    org: Organization,
    actor_membership: Membership,
    deal: Deal,
    reason: LostReason | None,
    note: str = "",
    stage: Stage | None = None,
) -> Deal:
    """Lose an open deal with a reason (required, one of the organization's) and an optional note."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    _check_same_org(org, deal)
    target = stage or _first_stage(deal.pipeline, Stage.Kind.LOST)
    if target.kind != Stage.Kind.LOST:
        raise DomainError("not_lost_stage", _("Choose a lost stage."), field="stage")
    if deal.status != Deal.Status.OPEN:
        raise DomainError("deal_closed", _("Only an open deal can be marked as won or lost."))
    return deal_move(
        org=org, actor_membership=actor_membership, deal=deal, stage=target, lost_reason=reason, lost_note=note
    )


def deal_reopen(*, org: Organization, actor_membership: Membership, deal: Deal, stage: Stage | None = None) -> Deal:
    """Reopen a won or lost deal in `stage`, by default the open stage it was closed from."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    _check_same_org(org, deal)
    if deal.status == Deal.Status.OPEN:
        raise DomainError("deal_open", _("This deal is already open."))
    target = stage or _stage_before_closing(deal) or _first_stage(deal.pipeline, Stage.Kind.OPEN)
    if target.kind != Stage.Kind.OPEN:
        raise DomainError("not_open_stage", _("Choose an open stage."), field="stage")
    return deal_move(org=org, actor_membership=actor_membership, deal=deal, stage=target)


# --- Moving ------------------------------------------------------------------------------------


def _change_stage(
    *,
    org: Organization,
    actor: Any,
    deal: Deal,
    stage: Stage,
    index: int | None,
    reason: LostReason | None,
    note: str,
) -> None:
    """Record the time spent in the old stage, move, set the status, log the activity, audit."""
    now = timezone.now()
    before = audit_values(deal)
    old_stage = deal.stage
    old_position = deal.position
    seconds = max(0, int((now - deal.stage_entered_at).total_seconds()))
    _apply_stage_status(deal, stage, now=now, reason=reason, note=note)
    deal.position = _insert_in_column(org=org, deal=deal, stage=stage, index=index)
    deal.stage = stage
    deal.stage_entered_at = now
    _save(deal)
    Deal.objects.filter(organization=org, stage=old_stage, position__gt=old_position).exclude(pk=deal.pk).update(
        position=F("position") - 1
    )
    DealStageChange.objects.create(
        organization=org,
        deal=deal,
        from_stage=old_stage,
        to_stage=stage,
        changed_by=actor,
        changed_at=now,
        seconds_in_previous=seconds,
    )
    with translation.override(org.language):  # stored text: one language for the whole team
        subject = _("Moved from “{old}” to “{new}”").format(old=old_stage, new=stage)
        body = _stage_change_body(deal)
    activity_log(
        org=org,
        actor=actor,
        kind=Activity.Kind.STAGE_CHANGE,
        subject=subject,
        body=body,
        occurred_at=now,
        deal=deal,
    )
    audit_record(
        org=org, actor=actor, instance=deal, action="update", changes=audit_changes(before, audit_values(deal))
    )
    if deal.last_activity_at is None or deal.last_activity_at < now:
        deal.last_activity_at = now  # activity_log updated the row; keep the instance in step


def _stage_change_body(deal: Deal) -> str:
    if deal.status == Deal.Status.WON:
        return _("The deal was won.")
    if deal.status == Deal.Status.LOST:
        reason = str(deal.lost_reason) if deal.lost_reason else ""
        return _("The deal was lost: {reason}").format(reason=reason) + (
            f"\n{deal.lost_note}" if deal.lost_note else ""
        )
    return ""


def _apply_stage_status(
    deal: Deal, stage: Stage, *, now: Any, reason: LostReason | None = None, note: str = ""
) -> None:
    """Status, closing time and lost reason follow the kind of the stage the deal enters."""
    if stage.kind == Stage.Kind.LOST:
        if reason is None:
            raise DomainError("lost_reason_required", _("Choose why the deal was lost."), field="reason")
        _check_same_org_id(deal.organization_id, reason, field="reason")
        if not reason.is_active:
            raise DomainError("lost_reason_inactive", _("Choose one of the current lost reasons."), field="reason")
        deal.status = Deal.Status.LOST
        deal.closed_at = now
        deal.lost_reason = reason
        deal.lost_note = (note or "").strip()
    elif stage.kind == Stage.Kind.WON:
        deal.status = Deal.Status.WON
        deal.closed_at = now
        deal.lost_reason = None
        deal.lost_note = ""
    else:
        deal.status = Deal.Status.OPEN
        deal.closed_at = None
        deal.lost_reason = None
        deal.lost_note = ""


def _insert_in_column(*, org: Organization, deal: Deal, stage: Stage, index: int | None) -> int:
    """Make room at `index` among the column's other cards and return the deal's new position.

    Columns are kept numbered 0..n-1, so making room is one UPDATE; a column found with gaps or
    ties (older data) is renumbered once.
    """
    others = list(
        Deal.objects.filter(organization=org, stage=stage)
        .exclude(pk=deal.pk)
        .order_by("position", "id")
        .values_list("id", "position")
    )
    index = len(others) if index is None else min(index, len(others))
    if all(position == number for number, (_pk, position) in enumerate(others)):
        Deal.objects.filter(organization=org, stage=stage, position__gte=index).exclude(pk=deal.pk).update(
            position=F("position") + 1
        )
        return index
    renumbered = [
        Deal(pk=pk, position=number if number < index else number + 1)
        for number, (pk, position) in enumerate(others)
        if position != (number if number < index else number + 1)
    ]
    Deal.objects.bulk_update(renumbered, ["position"], batch_size=500)
    return index


def _stage_before_closing(deal: Deal) -> Stage | None:
    change = (
        DealStageChange.objects.filter(deal=deal, to_stage_id=deal.stage_id, from_stage__kind=Stage.Kind.OPEN)
        .select_related("from_stage")
        .order_by("-changed_at", "-id")
        .first()
    )
    if change and change.from_stage and change.from_stage.pipeline_id == deal.pipeline_id:
        return change.from_stage
    return None


# --- Input checks ------------------------------------------------------------------------------


def _clean_fields(
    *, org: Organization, actor_membership: Membership, data: dict[str, Any], partial: bool
) -> dict[str, Any]:
    """The deal fields from `data`, checked: same organization, value >= 0, known currency."""
    fields: dict[str, Any] = {}
    if "title" in data or not partial:
        title = (data.get("title") or "").strip()
        if not title:
            raise DomainError("title_required", _("Enter the deal's title."), field="title")
        fields["title"] = title
    if "value" in data or not partial:
        fields["value"] = _clean_value(data.get("value"))
    if "currency" in data:
        currency = (data.get("currency") or "").upper() or org.base_currency
        if currency not in _CURRENCIES:
            raise DomainError("invalid_currency", _("Choose a valid currency."), field="currency")
        fields["currency"] = currency
    for name, model in (("company", Company), ("source", LeadSource)):
        if name in data:
            value = data.get(name)
            if value is not None:
                _check_instance(org, value, model, field=name)
            fields[name] = value
    if "contacts" in data:
        contacts = list(data.get("contacts") or [])
        for contact in contacts:
            _check_instance(org, contact, Contact, field="contacts")
        fields["contacts"] = contacts
    if "owner" in data:
        owner = data.get("owner")
        _check_owner(org, actor_membership, owner)
        fields["owner"] = owner
    for name in ("expected_close_date", "next_step_due_at"):
        if name in data:
            fields[name] = data.get(name)
    return fields


def _clean_value(raw: Any) -> Decimal:
    if raw in (None, ""):
        return Decimal("0")
    if isinstance(raw, float):
        raw = str(raw)
    try:
        value = Decimal(raw)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError("invalid_value", _("Enter a valid amount."), field="value") from None
    if not value.is_finite():
        raise DomainError("invalid_value", _("Enter a valid amount."), field="value")
    if value < 0:
        raise DomainError("negative_value", _("A deal's value cannot be negative."), field="value")
    return value


def _check_owner(org: Organization, actor_membership: Membership, owner: Any) -> None:
    """The owner is an active member; a sales member who sees only their own deals keeps them."""
    sees_all = sees_all_crm_records(org=org, membership=actor_membership)
    if owner is None:
        if not sees_all:
            raise DomainError("invalid_owner", _("You can only own your deals yourself."), field="owner")
        return
    if not Membership.objects.filter(organization=org, user_id=owner.pk, is_active=True).exists():
        raise DomainError("invalid_owner", _("Choose a member of this organization."), field="owner")
    if owner.pk != actor_membership.user_id and not sees_all:
        raise DomainError("invalid_owner", _("You can only own your deals yourself."), field="owner")


def _check_instance(org: Organization, value: Any, model: type, *, field: str) -> None:
    if not isinstance(value, model) or value.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."), field=field)


def _check_same_org(org: Organization, instance: Any, *, field: str | None = None) -> None:
    _check_same_org_id(org.pk, instance, field=field)


def _check_same_org_id(org_id: int, instance: Any, *, field: str | None = None) -> None:
    if instance is None or instance.organization_id != org_id:
        raise DomainError("not_found", _("Not found."), field=field)


def _other_pipeline_error() -> DomainError:
    return DomainError(
        "stage_other_pipeline",
        _("This stage belongs to another pipeline. Choose a stage of the deal's pipeline."),
        field="stage",
    )


def _default_pipeline(org: Organization) -> Pipeline:
    pipeline = (
        Pipeline.objects.filter(organization=org, is_active=True).order_by("-is_default", "position", "id").first()
    )
    if pipeline is None:
        raise DomainError("no_pipeline", _("Create a pipeline first."), field="pipeline")
    return pipeline


def _first_stage(pipeline: Pipeline, kind: str) -> Stage:
    stage = Stage.objects.filter(pipeline=pipeline, kind=kind).order_by("position", "id").first()
    if stage is None:
        raise DomainError(
            "stage_kinds_required",
            _("A pipeline needs at least one open stage, one won stage and one lost stage."),
            field="stage",
        )
    return stage


def _lock(org: Organization, deal: Deal) -> Deal:
    return (
        Deal.objects.select_for_update(of=("self",))
        .select_related("stage", "pipeline")
        .get(organization=org, pk=deal.pk)
    )


def _save(deal: Deal) -> None:
    try:
        deal.full_clean(exclude=["organization", "pipeline", "stage", "company", "source", "owner", "lost_reason"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            field, messages = next(iter(error.message_dict.items()))
            raise DomainError("invalid", messages[0], field=None if field == NON_FIELD_ERRORS else field) from None
        raise DomainError("invalid", error.messages[0]) from None
    deal.save()


def _refresh(target: Deal, source: Deal) -> None:
    """Copy the saved state back to the caller's instance, so it sees the change."""
    if target is source:
        return
    for field in Deal._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for name in ("stage", "pipeline", "lost_reason", "company", "owner", "source"):
        if name in source._state.fields_cache:
            target._state.fields_cache[name] = source._state.fields_cache[name]
        else:
            target._state.fields_cache.pop(name, None)
