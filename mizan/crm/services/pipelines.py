"""Pipelines, their ordered stages and lost reasons: what an admin configures (CRM_MANAGE).

A pipeline is usable only when it has at least one open, one won and one lost stage: the board
needs somewhere to start, and won/lost must always have a destination.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_deleted, audit_record, model_update
from mizan.crm.models import Deal, LostReason, Pipeline, Stage

PIPELINE_FIELDS = ["name_ar", "name_en", "position", "is_default", "is_active"]
STAGE_FIELDS = ["name_ar", "name_en", "probability", "kind", "cold_after_days"]
LOST_REASON_FIELDS = ["name_ar", "name_en", "is_active"]

#: (Arabic, English, probability, kind, going cold after days) of the pipeline every new organization gets.
DEFAULT_STAGES: list[tuple[str, str, int, str, int]] = [
    ("جديدة", "New", 10, Stage.Kind.OPEN, 7),
    ("مؤهلة", "Qualified", 30, Stage.Kind.OPEN, 14),
    ("عرض سعر", "Proposal", 60, Stage.Kind.OPEN, 14),
    ("تفاوض", "Negotiation", 80, Stage.Kind.OPEN, 10),
    ("رابحة", "Won", 100, Stage.Kind.WON, 0),
    ("خاسرة", "Lost", 0, Stage.Kind.LOST, 0),
]
DEFAULT_LOST_REASONS: list[tuple[str, str]] = [
    ("السعر مرتفع", "Price too high"),
    ("اختار منافسًا", "Chose a competitor"),
    ("لا توجد ميزانية", "No budget"),
    ("التوقيت غير مناسب", "Bad timing"),
    ("لا رد من العميل", "No response"),
    ("لا حاجة فعلية", "No real need"),
]
DEFAULT_PIPELINE_NAME = ("المبيعات", "Sales")

_NAME_REQUIRED = gettext_lazy("Enter a name in Arabic or in English.")


def pipeline_create_default(*, org: Organization) -> Pipeline:
    """Install the default pipeline (New -> ... -> Won / Lost) and lost reasons, in both languages.

    Runs inside organization_create, so it writes no audit entries of its own: the organization's
    creation is the recorded event. Does nothing if the organization already has a pipeline.
    """
    existing = Pipeline.objects.filter(organization=org).order_by("position", "id").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        pipeline = Pipeline.objects.create(
            organization=org, name_ar=DEFAULT_PIPELINE_NAME[0], name_en=DEFAULT_PIPELINE_NAME[1], is_default=True
        )
        Stage.objects.bulk_create(
            Stage(
                organization=org,
                pipeline=pipeline,
                name_ar=name_ar,
                name_en=name_en,
                probability=probability,
                kind=kind,
                cold_after_days=cold_after_days,
                position=index,
            )
            for index, (name_ar, name_en, probability, kind, cold_after_days) in enumerate(DEFAULT_STAGES)
        )
        LostReason.objects.bulk_create(
            LostReason(organization=org, name_ar=name_ar, name_en=name_en) for name_ar, name_en in DEFAULT_LOST_REASONS
        )
    return pipeline


def crm_organization_initializer(org: Organization, *args: Any, **kwargs: Any) -> None:
    """Registered with register_organization_initializer; accepts (org, membership) or org=, owner=."""
    pipeline_create_default(org=org)


# --- Pipelines ---------------------------------------------------------------------------------


def pipeline_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> Pipeline:
    """A new pipeline with the given stages (list of dicts), or the default six when none are given."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _require_name(data)
    stages = data.get("stages")
    if stages is None:
        stages = [
            {"name_ar": ar, "name_en": en, "probability": p, "kind": kind, "cold_after_days": days}
            for ar, en, p, kind, days in DEFAULT_STAGES
        ]
    _check_stage_kinds([stage.get("kind", Stage.Kind.OPEN) for stage in stages])
    with transaction.atomic():
        next_position = (Pipeline.objects.filter(organization=org).aggregate(top=Max("position"))["top"] or 0) + 1
        pipeline = Pipeline(
            organization=org,
            name_ar=(data.get("name_ar") or "").strip(),
            name_en=(data.get("name_en") or "").strip(),
            position=data.get("position", next_position),
            is_active=data.get("is_active", True),
            is_default=bool(data.get("is_default")) or not Pipeline.objects.filter(organization=org).exists(),
        )
        _full_clean(pipeline)
        pipeline.save()
        if pipeline.is_default:
            Pipeline.objects.filter(organization=org).exclude(pk=pipeline.pk).update(is_default=False)
        audit_created(org=org, actor=actor_membership.user, instance=pipeline)
        for index, stage_data in enumerate(stages):
            stage = Stage(organization=org, pipeline=pipeline, position=index)
            for name in STAGE_FIELDS:
                if name in stage_data:
                    setattr(stage, name, stage_data[name])
            _validate_stage(stage)
            stage.save()
            audit_created(org=org, actor=actor_membership.user, instance=stage)
    return pipeline


def pipeline_update(
    *, org: Organization, actor_membership: Membership, pipeline: Pipeline, data: dict[str, Any]
) -> Pipeline:
    """Rename, reorder, (de)activate a pipeline; making it the default clears the flag elsewhere."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _same_org(org, pipeline)
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    _require_name({**{"name_ar": pipeline.name_ar, "name_en": pipeline.name_en}, **data})
    if pipeline.is_default and data.get("is_default") is False:
        raise DomainError("default_required", _("Make another pipeline the default instead."), field="is_default")
    if data.get("is_active") is False and (data.get("is_default", pipeline.is_default)):
        raise DomainError("default_inactive", _("The default pipeline cannot be deactivated."), field="is_active")
    with transaction.atomic():
        _model_update(org=org, actor=actor_membership.user, instance=pipeline, data=data, fields=PIPELINE_FIELDS)
        if pipeline.is_default:
            Pipeline.objects.filter(organization=org).exclude(pk=pipeline.pk).update(is_default=False)
    return pipeline


def pipeline_delete(*, org: Organization, actor_membership: Membership, pipeline: Pipeline) -> None:
    """Only a pipeline without deals, and never the default one."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _same_org(org, pipeline)
    if pipeline.is_default:
        raise DomainError("default_pipeline", _("The default pipeline cannot be deleted."))
    if Deal.objects.filter(organization=org, pipeline=pipeline).exists():
        raise DomainError("pipeline_has_deals", _("This pipeline has deals; deactivate it instead."))
    with transaction.atomic():
        for stage in pipeline.stages.all():
            audit_deleted(org=org, actor=actor_membership.user, instance=stage)
        audit_deleted(org=org, actor=actor_membership.user, instance=pipeline)
        pipeline.delete()


# --- Stages ------------------------------------------------------------------------------------


def stage_create(*, org: Organization, actor_membership: Membership, pipeline: Pipeline, data: dict[str, Any]) -> Stage:
    """Add a stage at the end of the pipeline (or at data["position"])."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _same_org(org, pipeline)
    _require_name(data)
    with transaction.atomic():
        top = Stage.objects.filter(organization=org, pipeline=pipeline).aggregate(top=Max("position"))["top"]
        stage = Stage(organization=org, pipeline=pipeline, position=(top + 1) if top is not None else 0)
        for name in [*STAGE_FIELDS, "position"]:
            if name in data and data[name] is not None:
                setattr(stage, name, data[name].strip() if isinstance(data[name], str) else data[name])
        _validate_stage(stage)
        stage.save()
        audit_created(org=org, actor=actor_membership.user, instance=stage)
    return stage


def stage_update(*, org: Organization, actor_membership: Membership, stage: Stage, data: dict[str, Any]) -> Stage:
    """Edit a stage; changing its kind must leave the pipeline with an open, a won and a lost stage,
    and a stage holding deals keeps its kind (their status follows it)."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _same_org(org, stage)
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    _require_name({**{"name_ar": stage.name_ar, "name_en": stage.name_en}, **data})
    new_kind = data.get("kind", stage.kind)
    with transaction.atomic():
        if new_kind != stage.kind:
            if Deal.objects.filter(organization=org, stage=stage).exists():
                raise DomainError(
                    "stage_has_deals", _("This stage has deals, so its kind cannot change."), field="kind"
                )
            kinds = list(
                Stage.objects.filter(organization=org, pipeline_id=stage.pipeline_id)
                .exclude(pk=stage.pk)
                .values_list("kind", flat=True)
            )
            _check_stage_kinds([*kinds, new_kind])
        _model_update(
            org=org, actor=actor_membership.user, instance=stage, data=data, fields=[*STAGE_FIELDS, "position"]
        )
    return stage


def stage_delete(*, org: Organization, actor_membership: Membership, stage: Stage) -> None:
    """Only an empty stage, and not the last open, won or lost one of its pipeline."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _same_org(org, stage)
    with transaction.atomic():
        if Deal.objects.filter(organization=org, stage=stage).exists():
            raise DomainError("stage_has_deals", _("Move this stage's deals elsewhere before deleting it."))
        kinds = list(
            Stage.objects.filter(organization=org, pipeline_id=stage.pipeline_id)
            .exclude(pk=stage.pk)
            .values_list("kind", flat=True)
        )
        _check_stage_kinds(kinds)
        audit_deleted(org=org, actor=actor_membership.user, instance=stage)
        stage.delete()


def stage_reorder(
    *, org: Organization, actor_membership: Membership, pipeline: Pipeline, stage_ids: list[int]
) -> list[Stage]:
    """Put the pipeline's stages in this order; the list must name each of its stages exactly once."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _same_org(org, pipeline)
    with transaction.atomic():
        stages = {stage.pk: stage for stage in Stage.objects.filter(organization=org, pipeline=pipeline)}
        try:
            ordered_ids = [int(pk) for pk in stage_ids]
        except (TypeError, ValueError):
            ordered_ids = []
        if sorted(ordered_ids) != sorted(stages):
            raise DomainError("invalid_order", _("List every stage of this pipeline exactly once."))
        changed = []
        for position, pk in enumerate(ordered_ids):
            stage = stages[pk]
            if stage.position != position:
                audit_record(
                    org=org,
                    actor=actor_membership.user,
                    instance=stage,
                    action="update",
                    changes={"position": [str(stage.position), str(position)]},
                )
                stage.position = position
                changed.append(stage)
        Stage.objects.bulk_update(changed, ["position"])
    return [stages[pk] for pk in ordered_ids]


# --- Lost reasons ------------------------------------------------------------------------------


def lost_reason_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> LostReason:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _require_name(data)
    reason = LostReason(
        organization=org,
        name_ar=(data.get("name_ar") or "").strip(),
        name_en=(data.get("name_en") or "").strip(),
        is_active=data.get("is_active", True),
    )
    _full_clean(reason)
    with transaction.atomic():
        reason.save()
        audit_created(org=org, actor=actor_membership.user, instance=reason)
    return reason


def lost_reason_update(
    *, org: Organization, actor_membership: Membership, reason: LostReason, data: dict[str, Any]
) -> LostReason:
    """Rename or retire a reason (deals keep the reason they were lost for)."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    _same_org(org, reason)
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    _require_name({**{"name_ar": reason.name_ar, "name_en": reason.name_en}, **data})
    with transaction.atomic():
        _model_update(org=org, actor=actor_membership.user, instance=reason, data=data, fields=LOST_REASON_FIELDS)
    return reason


# --- Helpers -----------------------------------------------------------------------------------


def _same_org(org: Organization, instance: Any) -> None:
    if instance.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))


def _require_name(data: dict[str, Any]) -> None:
    if not ((data.get("name_ar") or "").strip() or (data.get("name_en") or "").strip()):
        raise DomainError("name_required", str(_NAME_REQUIRED), field="name_ar")


def _check_stage_kinds(kinds: list[str]) -> None:
    missing = [kind for kind in Stage.Kind.values if kind not in kinds]
    if missing:
        raise DomainError(
            "stage_kinds_required",
            _("A pipeline needs at least one open stage, one won stage and one lost stage."),
            field="kind",
        )


def _validate_stage(stage: Stage) -> None:
    if stage.kind not in Stage.Kind.values:
        raise DomainError("invalid_kind", _("Choose open, won or lost."), field="kind")
    _full_clean(stage)


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean(exclude=["organization", "pipeline"])
    except ValidationError as error:
        raise _domain_error(error) from None


def _model_update(*, org: Organization, actor: Any, instance: Any, data: dict[str, Any], fields: list[str]) -> None:
    try:
        model_update(org=org, actor=actor, instance=instance, data=data, fields=fields)
    except ValidationError as error:
        raise _domain_error(error) from None


def _domain_error(error: ValidationError) -> DomainError:
    if hasattr(error, "error_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return DomainError("invalid", messages[0], field=None if field == NON_FIELD_ERRORS else field)
    return DomainError("invalid", error.messages[0])
