"""Pipelines, stages and lost reasons: rules of the services and the settings pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import client_for
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.roles import Role
from mizan.core.tests.factories import make_organization
from mizan.crm.models import LostReason, Pipeline, Stage
from mizan.crm.services.pipelines import (
    pipeline_create,
    pipeline_create_default,
    pipeline_delete,
    stage_delete,
    stage_reorder,
    stage_update,
)
from mizan.crm.tests.deal_helpers import audit_of, default_pipeline, make_deal, stage_named

pytestmark = pytest.mark.django_db


def test_default_install_is_idempotent_and_bilingual(tenant):
    org = make_organization(country="EG")
    assert Pipeline.objects.filter(organization=org).count() == 1
    pipeline_create_default(org=org)
    assert Pipeline.objects.filter(organization=org).count() == 1
    assert Stage.objects.filter(organization=org).count() == 6
    assert LostReason.objects.filter(organization=org).exclude(name_ar="").exclude(name_en="").count() == 6


def test_a_pipeline_needs_open_won_and_lost_stages(tenant):
    owner = tenant.members[Role.OWNER]
    with pytest.raises(DomainError) as caught:
        pipeline_create(
            org=tenant.org,
            actor_membership=owner,
            data={"name_en": "Bad", "stages": [{"name_en": "Only", "kind": "open"}, {"name_en": "W", "kind": "won"}]},
        )
    assert caught.value.code == "stage_kinds_required"
    assert Pipeline.objects.filter(organization=tenant.org).count() == 1
    pipeline = default_pipeline(tenant.org)
    with pytest.raises(DomainError):
        stage_delete(org=tenant.org, actor_membership=owner, stage=stage_named(pipeline, "Lost"))
    with pytest.raises(DomainError):
        stage_update(org=tenant.org, actor_membership=owner, stage=stage_named(pipeline, "Won"), data={"kind": "open"})
    assert stage_named(pipeline, "Won").kind == "won"


def test_stage_with_deals_cannot_be_deleted_or_change_kind(tenant):
    owner = tenant.members[Role.OWNER]
    deal = make_deal(tenant)
    with pytest.raises(DomainError):
        stage_delete(org=tenant.org, actor_membership=owner, stage=deal.stage)
    with pytest.raises(DomainError):
        stage_update(org=tenant.org, actor_membership=owner, stage=deal.stage, data={"kind": "won"})
    with pytest.raises(DomainError):
        pipeline_delete(org=tenant.org, actor_membership=owner, pipeline=default_pipeline(tenant.org))
    assert Stage.objects.filter(pk=deal.stage_id, kind="open").exists()


def test_reorder_audits_and_requires_every_stage(tenant):
    owner = tenant.members[Role.OWNER]
    pipeline = default_pipeline(tenant.org)
    ids = list(pipeline.stages.order_by("position").values_list("pk", flat=True))
    with pytest.raises(DomainError):
        stage_reorder(org=tenant.org, actor_membership=owner, pipeline=pipeline, stage_ids=ids[:-1])
    stage_reorder(org=tenant.org, actor_membership=owner, pipeline=pipeline, stage_ids=[ids[1], ids[0], *ids[2:]])
    assert list(pipeline.stages.order_by("position").values_list("pk", flat=True))[:2] == [ids[1], ids[0]]
    assert audit_of(Stage.objects.get(pk=ids[0])).count() == 1


def test_only_crm_managers_configure(tenant):
    with pytest.raises(PermissionDeniedError):
        pipeline_create(org=tenant.org, actor_membership=tenant.members[Role.SALES], data={"name_en": "X"})
    assert client_for(tenant.user(Role.SALES)).get(reverse("crm:pipeline_list")).status_code == 403


def test_settings_pages_create_edit_reorder(tenant, owner_client):
    assert owner_client.get(reverse("crm:pipeline_list")).status_code == 200
    response = owner_client.post(reverse("crm:pipeline_create"), {"name_en": "Renewals", "is_active": "on"})
    pipeline = Pipeline.objects.get(name_en="Renewals")
    assert response.status_code == 302 and pipeline.stages.count() == 6
    assert owner_client.get(reverse("crm:pipeline_edit", args=[pipeline.pk])).status_code == 200
    response = owner_client.post(
        reverse("crm:stage_create", args=[pipeline.pk]),
        {"name_en": "Demo", "probability": "40", "kind": "open", "cold_after_days": "5"},
    )
    assert response.status_code == 302
    demo = Stage.objects.get(pipeline=pipeline, name_en="Demo")
    assert (demo.position, demo.probability, demo.cold_after_days) == (6, 40, 5)
    stages = list(pipeline.stages.order_by("position"))
    data = {f"position_{stage.pk}": str(index + 1) for index, stage in enumerate(stages)}
    data[f"position_{demo.pk}"] = "0"
    owner_client.post(reverse("crm:stage_reorder", args=[pipeline.pk]), data)
    assert pipeline.stages.order_by("position").first() == demo
    response = owner_client.post(
        reverse("crm:stage_edit", args=[demo.pk]),
        {"name_en": "Demo", "probability": "150", "kind": "open", "cold_after_days": "5"},
    )
    assert response.status_code == 400
    assert Stage.objects.get(pk=demo.pk).probability == 40
    response = owner_client.post(reverse("crm:lost_reason_create"), {"name_ar": "سبب", "is_active": "on"})
    assert response.status_code == 302 and LostReason.objects.filter(organization=tenant.org, name_ar="سبب").exists()
    response = owner_client.post(reverse("crm:pipeline_create"), {"name_en": "", "name_ar": ""})
    assert response.status_code == 400
    assert Pipeline.objects.filter(organization=tenant.org).count() == 2


def test_settings_pages_404_for_other_organization(tenant, other_tenant, owner_client):
    pipeline = default_pipeline(other_tenant.org)
    stage = stage_named(pipeline, "New")
    reason = LostReason.objects.filter(organization=other_tenant.org).first()
    assert owner_client.get(reverse("crm:pipeline_edit", args=[pipeline.pk])).status_code == 404
    assert owner_client.post(reverse("crm:pipeline_edit", args=[pipeline.pk]), {"name_en": "Hacked"}).status_code == 404
    assert (
        owner_client.post(
            reverse("crm:stage_edit", args=[stage.pk]),
            {"name_en": "Hacked", "probability": 1, "kind": "open", "cold_after_days": 1},
        ).status_code
        == 404
    )
    assert owner_client.post(reverse("crm:stage_delete", args=[stage.pk])).status_code == 404
    assert (
        owner_client.post(
            reverse("crm:stage_create", args=[pipeline.pk]),
            {"name_en": "X", "probability": 1, "kind": "open", "cold_after_days": 1},
        ).status_code
        == 404
    )
    assert owner_client.post(reverse("crm:pipeline_delete", args=[pipeline.pk])).status_code == 404
    assert (
        owner_client.post(reverse("crm:lost_reason_edit", args=[reason.pk]), {"name_en": "Hacked"}).status_code == 404
    )
    pipeline.refresh_from_db()
    assert pipeline.name_en == "Sales" and stage_named(pipeline, "New").probability == 10
    assert Stage.objects.filter(pipeline=pipeline).count() == 6
    assert not LostReason.objects.filter(name_en="Hacked").exists()
