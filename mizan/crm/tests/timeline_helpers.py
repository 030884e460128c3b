"""Deterministic CRM records for the timeline, follow-up and My day tests (written directly, so
these tests do not depend on the other CRM areas' services)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mizan.core.models import Organization
from mizan.crm.models import Activity, Company, Contact, Deal, Lead, Pipeline, Stage


def make_company(org: Organization, *, owner: Any = None, name: str = "Acme", **extra: Any) -> Company:
    return Company.objects.create(organization=org, name_latin=name, owner=owner, **extra)


def make_contact(
    org: Organization, *, company: Company | None = None, owner: Any = None, name: str = "Sara", **extra: Any
) -> Contact:
    return Contact.objects.create(organization=org, company=company, name_latin=name, owner=owner, **extra)


def make_lead(org: Organization, *, owner: Any = None, title: str = "Website lead", **extra: Any) -> Lead:
    return Lead.objects.create(organization=org, title=title, owner=owner, **extra)


def make_stage(
    org: Organization, *, cold_after_days: int = 14, kind: str = Stage.Kind.OPEN, position: int = 0
) -> Stage:
    pipeline = Pipeline.objects.filter(organization=org, name_en="Test pipeline").first() or Pipeline.objects.create(
        organization=org, name_en="Test pipeline", position=99
    )
    return Stage.objects.create(
        organization=org,
        pipeline=pipeline,
        name_en=f"Stage {position}",
        position=position,
        kind=kind,
        cold_after_days=cold_after_days,
    )


def make_deal(
    org: Organization,
    *,
    stage: Stage | None = None,
    owner: Any = None,
    company: Company | None = None,
    title: str = "Website redesign",
    stage_entered_at: datetime.datetime | None = None,
    **extra: Any,
) -> Deal:
    stage = stage or make_stage(org)
    return Deal.objects.create(
        organization=org,
        title=title,
        company=company,
        pipeline=stage.pipeline,
        stage=stage,
        value=Decimal("1000.000"),
        currency=org.base_currency,
        owner=owner,
        stage_entered_at=stage_entered_at or timezone.now(),
        **extra,
    )


def make_activities(org: Organization, count: int, *, start: datetime.datetime, **links: Any) -> list[Activity]:
    """`count` notes, one minute apart, the newest at `start + count - 1` minutes."""
    return Activity.objects.bulk_create(
        [
            Activity(
                organization=org,
                kind=Activity.Kind.NOTE,
                subject=f"Note {index}",
                body=f"Body {index}",
                occurred_at=start + datetime.timedelta(minutes=index),
                **links,
            )
            for index in range(count)
        ]
    )
