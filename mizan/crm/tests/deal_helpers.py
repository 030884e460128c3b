"""Builders shared by the deal, pipeline and forecast tests (deterministic data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from mizan.core.models import AuditEntry, Membership, Organization
from mizan.core.roles import Role
from mizan.crm.models import Company, Deal, LostReason, Pipeline, Stage
from mizan.crm.services.deals import deal_create


def default_pipeline(org: Organization) -> Pipeline:
    return Pipeline.objects.get(organization=org, is_default=True)


def stage_named(pipeline: Pipeline, name_en: str) -> Stage:
    return Stage.objects.get(pipeline=pipeline, name_en=name_en)


def lost_reason(org: Organization) -> LostReason:
    return LostReason.objects.filter(organization=org).order_by("id").first()


def make_company(org: Organization, name: str = "Acme") -> Company:
    return Company.objects.create(organization=org, name_latin=name, search_name=name.lower())


def make_deal(tenant: Any, *, role: str = Role.OWNER, membership: Membership | None = None, **data: Any) -> Deal:
    membership = membership or tenant.members[role]
    data.setdefault("title", "Website redesign")
    data.setdefault("value", Decimal("1000"))
    return deal_create(org=tenant.org, actor_membership=membership, data=data)


def audit_of(instance: Model) -> QuerySet[AuditEntry]:
    content_type = ContentType.objects.get_for_model(instance)
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk))
