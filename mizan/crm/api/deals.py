"""CRM deals API: pipelines (stages nested), stages, lost reasons, deals with move/won/lost/reopen
actions, and the weighted forecast. Writes go through the services; reads through the selectors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.models import Membership
from mizan.core.roles import Capability
from mizan.crm.filters.deals import DEAL_DEFAULT_ORDERING, DEAL_ORDERING, DealFilterSet
from mizan.crm.models import Company, Contact, Deal, LeadSource, LostReason, Pipeline, Stage
from mizan.crm.selectors.deals import deal_queryset, lost_reason_list, pipeline_with_stages, stage_list
from mizan.crm.selectors.forecast import forecast_build
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.deals import deal_create, deal_mark_lost, deal_mark_won, deal_move, deal_reopen, deal_update
from mizan.crm.services.pipelines import (
    lost_reason_create,
    lost_reason_update,
    pipeline_create,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_update,
)

# --- Serializers ----------------------------------------------------------------------------------


class StageOutputSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Stage
        fields = ["id", "pipeline", "name", "name_ar", "name_en", "position", "probability", "kind", "cold_after_days"]
        read_only_fields = fields

    def get_name(self, stage: Stage) -> str:
        return str(stage)


class PipelineOutputSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    stages = StageOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "name_ar", "name_en", "position", "is_default", "is_active", "stages"]
        read_only_fields = fields

    def get_name(self, pipeline: Pipeline) -> str:
        return str(pipeline)


class StageInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    kind = serializers.ChoiceField(choices=Stage.Kind.choices, required=False)
    cold_after_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    position = serializers.IntegerField(min_value=0, required=False)


class StageCreateInputSerializer(StageInputSerializer):
    pipeline = serializers.IntegerField(help_text="The pipeline's id.")


class PipelineInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_default = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    stages = StageInputSerializer(
        many=True, required=False, help_text="Only on creation; without it the usual six stages are created."
    )


class LostReasonOutputSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = LostReason
        fields = ["id", "name", "name_ar", "name_en", "is_active"]
        read_only_fields = fields

    def get_name(self, reason: LostReason) -> str:
        return str(reason)


class LostReasonInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class DealOutputSerializer(serializers.ModelSerializer):
    company_name = serializers.SerializerMethodField()
    stage_name = serializers.SerializerMethodField()
    owner_email = serializers.SerializerMethodField()
    contacts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "company",
            "company_name",
            "contacts",
            "pipeline",
            "stage",
            "stage_name",
            "position",
            "value",
            "currency",
            "expected_close_date",
            "owner",
            "owner_email",
            "source",
            "status",
            "closed_at",
            "lost_reason",
            "lost_note",
            "stage_entered_at",
            "last_activity_at",
            "next_step_due_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_company_name(self, deal: Deal) -> str | None:
        return str(deal.company) if deal.company_id else None

    def get_stage_name(self, deal: Deal) -> str:
        return str(deal.stage)

    def get_owner_email(self, deal: Deal) -> str | None:
        return deal.owner.email if deal.owner_id else None


class DealInputSerializer(serializers.Serializer):
    """Ids are resolved inside the caller's organization (another organization's id is a 404)."""

    title = serializers.CharField(max_length=200, required=False)
    pipeline = serializers.IntegerField(required=False, help_text="Default: the default pipeline. Create only.")
    stage = serializers.IntegerField(required=False, help_text="Default: the first open stage. Create only.")
    company = serializers.IntegerField(required=False, allow_null=True)
    contacts = serializers.ListField(child=serializers.IntegerField(), required=False)
    value = serializers.DecimalField(max_digits=20, decimal_places=3, min_value=0, required=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    expected_close_date = serializers.DateField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False, allow_null=True, help_text="A member's user id.")
    source = serializers.IntegerField(required=False, allow_null=True)
    next_step_due_at = serializers.DateTimeField(required=False, allow_null=True)
    lost_reason = serializers.IntegerField(required=False, help_text="Only when created in a lost stage.")
    lost_note = serializers.CharField(required=False, allow_blank=True)


class DealMoveInputSerializer(serializers.Serializer):
    stage = serializers.IntegerField(help_text="A stage of the deal's own pipeline.")
    position = serializers.IntegerField(min_value=0, required=False, help_text="0-based place in the column.")
    lost_reason = serializers.IntegerField(required=False, help_text="Required when the stage is a lost stage.")
    lost_note = serializers.CharField(required=False, allow_blank=True)


class DealLostInputSerializer(serializers.Serializer):
    reason = serializers.IntegerField(help_text="One of the organization's lost reasons.")
    note = serializers.CharField(required=False, allow_blank=True)


class ForecastRowOutputSerializer(serializers.Serializer):
    month = serializers.DateField()
    currency = serializers.CharField()
    pipeline = serializers.IntegerField(allow_null=True)
    owner = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=24, decimal_places=3)
    weighted = serializers.DecimalField(max_digits=24, decimal_places=3)


class ForecastOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    by_month = ForecastRowOutputSerializer(many=True)
    by_pipeline = ForecastRowOutputSerializer(many=True)
    by_owner = ForecastRowOutputSerializer(many=True)


class ForecastQueryInputSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    pipeline = serializers.IntegerField(required=False)
    owner = serializers.IntegerField(required=False)


# --- Resolving ids inside the organization ----------------------------------------------------------


def _linked_or_404(view: OrganizationViewSet, model: type, pk: Any, *, already_linked: set[int]) -> Any:
    """A company or contact to link: one the member may see (CRM visibility), or one the deal
    already has (so an edit may resend it); anything else is a 404, never a name leaked back."""
    if pk in already_linked:
        return access_or_404(model, org=view.org, pk=pk)
    return crm_visible_or_404(model.objects.all(), org=view.org, membership=view.membership, pk=pk)


def _resolve_deal_data(view: OrganizationViewSet, data: dict[str, Any], deal: Deal | None = None) -> dict[str, Any]:
    org = view.org
    resolved = dict(data)
    for name, model in (
        ("pipeline", Pipeline),
        ("stage", Stage),
        ("source", LeadSource),
        ("lost_reason", LostReason),
    ):
        if resolved.get(name) is not None:
            resolved[name] = access_or_404(model, org=org, pk=resolved[name])
    if resolved.get("company") is not None:
        linked = {deal.company_id} if deal is not None and deal.company_id else set()
        resolved["company"] = _linked_or_404(view, Company, resolved["company"], already_linked=linked)
    if "contacts" in resolved:
        linked = {contact.pk for contact in deal.contacts.all()} if deal is not None else set()
        resolved["contacts"] = [_linked_or_404(view, Contact, pk, already_linked=linked) for pk in resolved["contacts"]]
    if resolved.get("owner") is not None:
        membership = access_or_404(
            Membership.objects.select_related("user"), org=org, pk=resolved["owner"], field="user_id"
        )
        resolved["owner"] = membership.user
    return resolved


# --- Viewsets ----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: PipelineOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: PipelineOutputSerializer, **error_responses(401, 403, 404)}),
)
class PipelineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Pipelines with their stages in order."""

    serializer_class = PipelineOutputSerializer
    queryset = Pipeline.objects.none()
    ordering_fields = ["position", "created_at"]
    required_capability = Capability.CRM_VIEW
    action_capabilities = {"create": Capability.CRM_MANAGE, "partial_update": Capability.CRM_MANAGE}

    def get_org_queryset(self):  # type: ignore[no-untyped-def]
        return pipeline_with_stages(org=self.org)

    @extend_schema(
        request=PipelineInputSerializer, responses={201: PipelineOutputSerializer, **error_responses(400, 401, 403)}
    )
    def create(self, request: Request) -> Response:
        serializer = PipelineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pipeline = pipeline_create(org=self.org, actor_membership=self.membership, data=serializer.validated_data)
        return Response(PipelineOutputSerializer(self._fresh(pipeline.pk)).data, status=201)

    @extend_schema(
        request=PipelineInputSerializer,
        responses={200: PipelineOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        pipeline = self.get_object()
        serializer = PipelineInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {key: value for key, value in serializer.validated_data.items() if key != "stages"}
        pipeline_update(org=self.org, actor_membership=self.membership, pipeline=pipeline, data=data)
        return Response(PipelineOutputSerializer(self._fresh(pipeline.pk)).data)

    def _fresh(self, pk: int) -> Pipeline:
        return pipeline_with_stages(org=self.org).get(pk=pk)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("pipeline", int, description="Only this pipeline's stages.")],
        responses={200: StageOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: StageOutputSerializer, **error_responses(401, 403, 404)}),
)
class StageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = StageOutputSerializer
    queryset = Stage.objects.none()
    ordering_fields = ["position"]
    required_capability = Capability.CRM_VIEW
    action_capabilities = {
        "create": Capability.CRM_MANAGE,
        "partial_update": Capability.CRM_MANAGE,
        "destroy": Capability.CRM_MANAGE,
    }

    def get_org_queryset(self):  # type: ignore[no-untyped-def]
        stages = stage_list(org=self.org)
        pipeline = self.request.query_params.get("pipeline")
        if self.action == "list" and pipeline:
            stages = stages.filter(pipeline=access_or_404(Pipeline, org=self.org, pk=pipeline))
        return stages

    @extend_schema(
        request=StageCreateInputSerializer,
        responses={201: StageOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        serializer = StageCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        pipeline = access_or_404(Pipeline, org=self.org, pk=data.pop("pipeline"))
        stage = stage_create(org=self.org, actor_membership=self.membership, pipeline=pipeline, data=data)
        return Response(StageOutputSerializer(stage).data, status=201)

    @extend_schema(
        request=StageInputSerializer, responses={200: StageOutputSerializer, **error_responses(400, 401, 403, 404)}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        stage = self.get_object()
        serializer = StageInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        stage_update(org=self.org, actor_membership=self.membership, stage=stage, data=serializer.validated_data)
        return Response(StageOutputSerializer(stage).data)

    @extend_schema(request=None, responses={204: None, **error_responses(400, 401, 403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        stage_delete(org=self.org, actor_membership=self.membership, stage=self.get_object())
        return Response(status=204)


@extend_schema_view(
    list=extend_schema(responses={200: LostReasonOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: LostReasonOutputSerializer, **error_responses(401, 403, 404)}),
)
class LostReasonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = LostReasonOutputSerializer
    queryset = LostReason.objects.none()
    ordering_fields = ["name_ar", "name_en", "created_at"]
    required_capability = Capability.CRM_VIEW
    action_capabilities = {"create": Capability.CRM_MANAGE, "partial_update": Capability.CRM_MANAGE}

    def get_org_queryset(self):  # type: ignore[no-untyped-def]
        return lost_reason_list(org=self.org)

    @extend_schema(
        request=LostReasonInputSerializer, responses={201: LostReasonOutputSerializer, **error_responses(400, 401, 403)}
    )
    def create(self, request: Request) -> Response:
        serializer = LostReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = lost_reason_create(org=self.org, actor_membership=self.membership, data=serializer.validated_data)
        return Response(LostReasonOutputSerializer(reason).data, status=201)

    @extend_schema(
        request=LostReasonInputSerializer,
        responses={200: LostReasonOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        reason = self.get_object()
        serializer = LostReasonInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lost_reason_update(
            org=self.org, actor_membership=self.membership, reason=reason, data=serializer.validated_data
        )
        return Response(LostReasonOutputSerializer(reason).data)


_DEAL_ACTION_RESPONSES = {200: DealOutputSerializer, **error_responses(400, 401, 403, 404)}


@extend_schema_view(
    list=extend_schema(responses={200: DealOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: DealOutputSerializer, **error_responses(401, 403, 404)}),
)
class DealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Deals this member may see (sales members with "own" visibility: their own)."""

    serializer_class = DealOutputSerializer
    queryset = Deal.objects.none()
    filterset_class = DealFilterSet
    ordering_fields = DEAL_ORDERING
    ordering = DEAL_DEFAULT_ORDERING
    required_capability = Capability.CRM_VIEW
    action_capabilities = {
        "create": Capability.CRM_EDIT,
        "partial_update": Capability.CRM_EDIT,
        "move": Capability.CRM_EDIT,
        "won": Capability.CRM_EDIT,
        "lost": Capability.CRM_EDIT,
        "reopen": Capability.CRM_EDIT,
    }

    def get_org_queryset(self):  # type: ignore[no-untyped-def]
        return deal_queryset(org=self.org, membership=self.membership).prefetch_related("contacts")

    def _fresh(self, pk: int) -> Deal:
        return self.get_org_queryset().get(pk=pk)

    @extend_schema(
        request=DealInputSerializer, responses={201: DealOutputSerializer, **error_responses(400, 401, 403, 404)}
    )
    def create(self, request: Request) -> Response:
        serializer = DealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _resolve_deal_data(self, serializer.validated_data)
        deal = deal_create(org=self.org, actor_membership=self.membership, data=data)
        return Response(DealOutputSerializer(self._fresh(deal.pk)).data, status=201)

    @extend_schema(request=DealInputSerializer, responses=_DEAL_ACTION_RESPONSES)
    def partial_update(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        serializer = DealInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {
            key: value
            for key, value in serializer.validated_data.items()
            if key not in {"pipeline", "stage", "lost_reason", "lost_note"}
        }
        deal_update(
            org=self.org, actor_membership=self.membership, deal=deal, data=_resolve_deal_data(self, data, deal)
        )
        return Response(DealOutputSerializer(self._fresh(deal.pk)).data)

    @extend_schema(
        request=DealMoveInputSerializer,
        responses=_DEAL_ACTION_RESPONSES,
        description="Move to a stage of the deal's pipeline (a won/lost stage wins/loses it).",
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        serializer = DealMoveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stage = access_or_404(Stage, org=self.org, pk=data["stage"])
        reason = access_or_404(LostReason, org=self.org, pk=data["lost_reason"]) if "lost_reason" in data else None
        deal_move(
            org=self.org,
            actor_membership=self.membership,
            deal=deal,
            stage=stage,
            position=data.get("position"),
            lost_reason=reason,
            lost_note=data.get("lost_note", ""),
        )
        return Response(DealOutputSerializer(self._fresh(deal.pk)).data)

    @extend_schema(request=None, responses=_DEAL_ACTION_RESPONSES, description="Mark an open deal as won.")
    @action(detail=True, methods=["post"])
    def won(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        deal_mark_won(org=self.org, actor_membership=self.membership, deal=deal)
        return Response(DealOutputSerializer(self._fresh(deal.pk)).data)

    @extend_schema(request=DealLostInputSerializer, responses=_DEAL_ACTION_RESPONSES, description="Mark as lost.")
    @action(detail=True, methods=["post"])
    def lost(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        serializer = DealLostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = access_or_404(LostReason, org=self.org, pk=serializer.validated_data["reason"])
        deal_mark_lost(
            org=self.org,
            actor_membership=self.membership,
            deal=deal,
            reason=reason,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(DealOutputSerializer(self._fresh(deal.pk)).data)

    @extend_schema(request=None, responses=_DEAL_ACTION_RESPONSES, description="Reopen a won or lost deal.")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        deal_reopen(org=self.org, actor_membership=self.membership, deal=deal)
        return Response(DealOutputSerializer(self._fresh(deal.pk)).data)


class ForecastViewSet(OrganizationViewSet):
    """The weighted forecast (value x stage probability) by month of expected close, per currency."""

    queryset = Deal.objects.none()
    required_capability = Capability.CRM_VIEW
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[ForecastQueryInputSerializer],
        responses={200: ForecastOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request) -> Response:
        query = ForecastQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        if "pipeline" in params:
            params["pipeline"] = access_or_404(Pipeline, org=self.org, pk=params["pipeline"])
        if "owner" in params:
            params["owner"] = access_or_404(
                Membership.objects.select_related("user"), org=self.org, pk=params["owner"], field="user_id"
            ).user
        result = forecast_build(org=self.org, membership=self.membership, **params)
        body: dict[str, Any] = {
            "base_currency": result.base_currency,
            "by_month": [],
            "by_pipeline": [],
            "by_owner": [],
        }
        for table in result.tables:
            for month in table.months:
                body["by_month"].append(_forecast_row(month, table.currency, None, None, table.by_month[month]))
            for (month, pipeline_id), cell in sorted(
                table.by_pipeline.items(), key=lambda item: (item[0][0], item[0][1])
            ):
                body["by_pipeline"].append(_forecast_row(month, table.currency, pipeline_id, None, cell))
            for (month, owner_id), cell in sorted(
                table.by_owner.items(), key=lambda item: (item[0][0], item[0][1] or 0)
            ):
                body["by_owner"].append(_forecast_row(month, table.currency, None, owner_id, cell))
        return Response(ForecastOutputSerializer(body).data)


def _forecast_row(month: Any, currency: str, pipeline: int | None, owner: int | None, cell: Any) -> dict[str, Any]:
    return {
        "month": month,
        "currency": currency,
        "pipeline": pipeline,
        "owner": owner,
        "count": cell.count,
        "value": cell.value,
        "weighted": cell.weighted,
    }


def register(router: SimpleRouter) -> None:
    """Add this area's viewsets to the /api/v1/crm/ router (basenames prefixed crm-)."""
    router.register("pipelines", PipelineViewSet, basename="crm-pipeline")
    router.register("stages", StageViewSet, basename="crm-stage")
    router.register("lost-reasons", LostReasonViewSet, basename="crm-lost-reason")
    router.register("deals", DealViewSet, basename="crm-deal")
    router.register("forecast", ForecastViewSet, basename="crm-forecast")
