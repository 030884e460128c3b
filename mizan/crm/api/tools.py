"""/api/v1/crm/ tools: lead imports, web forms, lead-scoring rules, duplicates and merging.

Same selectors and services as the web pages; ids in the path or the payload resolve inside the
organization (and the CRM visibility rule), anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import GenericViewSet

from mizan.api.base import OrganizationScopedMixin, OrganizationViewSet, error_responses
from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.crm.models import Company, Contact, ImportJob, LeadScoringRule, LeadSource, WebForm
from mizan.crm.selectors.duplicates import COMPANIES, CONTACTS, KINDS, REASON_LABELS, duplicate_pairs
from mizan.crm.selectors.tools import import_job_list, scoring_rule_list, web_form_list
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.duplicates import company_merge, contact_merge
from mizan.crm.services.imports import (
    IMPORT_FIELDS,
    import_job_create,
    import_job_set_mapping,
    import_job_start,
    import_preview,
)
from mizan.crm.services.scoring import scoring_rule_create, scoring_rule_delete, scoring_rule_update
from mizan.crm.services.web_forms import web_form_create, web_form_regenerate_key, web_form_update

# --- imports ---------------------------------------------------------------------------------


class ImportRowErrorOutputSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row number in the file (the header is row 1).")
    messages = serializers.ListField(child=serializers.CharField())


class ImportJobOutputSerializer(serializers.ModelSerializer):
    errors = ImportRowErrorOutputSerializer(many=True, read_only=True)
    mapping = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    headers = serializers.ListField(child=serializers.CharField(), read_only=True)
    default_source_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "original_name",
            "file_format",
            "encoding",
            "delimiter",
            "headers",
            "mapping",
            "default_source_id",
            "status",
            "total",
            "processed",
            "created",
            "failed",
            "errors",
            "last_error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportJobUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8, UTF-16 or Windows-1256; , ; or tab) or XLSX, header row first.")


class ImportJobStartInputSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text="{lead field: column index}. Fields: " + ", ".join(IMPORT_FIELDS) + ". Omit to keep the suggestion.",
    )
    default_source_id = serializers.IntegerField(required=False, allow_null=True)


class ImportPreviewRowOutputSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    values = serializers.DictField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())


@extend_schema_view(
    list=extend_schema(responses={200: ImportJobOutputSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(
        description="Progress of an import; poll it while `status` is queued or running.",
        responses={200: ImportJobOutputSerializer, **error_responses(401, 403, 404)},
    ),
)
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = ImportJobOutputSerializer
    queryset = ImportJob.objects.none()
    required_capability = Capability.CRM_EDIT
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    ordering_fields = ["created_at", "status"]

    def get_org_queryset(self) -> QuerySet[ImportJob]:
        return import_job_list(org=self.org, membership=self.membership)

    @extend_schema(
        request={"multipart/form-data": ImportJobUploadInputSerializer},
        responses={201: ImportJobOutputSerializer, **error_responses(400, 401, 403)},
        description="Upload a file. The answer holds its columns and a suggested `mapping`; then call `start`.",
    )
    def create(self, request: Request) -> Response:
        serializer = ImportJobUploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = import_job_create(
            org=self.org, actor_membership=self.membership, upload=serializer.validated_data["file"]
        )
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ImportPreviewRowOutputSerializer(many=True), **error_responses(401, 403, 404)},
        description="The first rows as they would be imported with the current mapping, each with its problems.",
    )
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        rows = import_preview(org=self.org, job=job)
        data = [{"row": row.number, "values": row.values, "errors": row.errors} for row in rows]
        return Response(ImportPreviewRowOutputSerializer(data, many=True).data)

    @extend_schema(
        request=ImportJobStartInputSerializer,
        responses={200: ImportJobOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Set the mapping (optional) and start the background import; also resumes a failed one.",
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        job = self.get_object()
        serializer = ImportJobStartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED):
            source_id = serializer.validated_data.get("default_source_id")
            source = access_or_404(LeadSource, org=self.org, pk=source_id) if source_id else None
            import_job_set_mapping(
                org=self.org,
                actor_membership=self.membership,
                job=job,
                mapping=serializer.validated_data.get("mapping", job.mapping),
                default_source=source,
            )
        job = import_job_start(org=self.org, actor_membership=self.membership, job=job)
        return Response(ImportJobOutputSerializer(job).data)


# --- web forms -------------------------------------------------------------------------------


class WebFormOutputSerializer(serializers.ModelSerializer):
    source_id = serializers.IntegerField(allow_null=True, read_only=True)
    owner_id = serializers.IntegerField(allow_null=True, read_only=True)
    fields = serializers.ListField(child=serializers.CharField(), read_only=True)
    public_path = serializers.SerializerMethodField()

    class Meta:
        model = WebForm
        fields = [
            "id",
            "name",
            "key",
            "public_path",
            "is_active",
            "source_id",
            "owner_id",
            "thank_you_message",
            "fields",
            "submission_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_public_path(self, web_form: WebForm) -> str:
        return reverse("crm:web_form_public", args=[web_form.key])


class WebFormInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    is_active = serializers.BooleanField(required=False)
    source_id = serializers.IntegerField(required=False, allow_null=True)
    owner_id = serializers.IntegerField(required=False, allow_null=True)
    thank_you_message = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=WebForm.Field.choices), required=False, help_text="Fields shown."
    )


@extend_schema_view(
    list=extend_schema(responses={200: WebFormOutputSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: WebFormOutputSerializer, **error_responses(401, 403, 404)}),
)
class WebFormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = WebFormOutputSerializer
    queryset = WebForm.objects.none()
    required_capability = Capability.CRM_MANAGE
    ordering_fields = ["name", "created_at"]

    def get_org_queryset(self) -> QuerySet[WebForm]:
        return web_form_list(org=self.org)

    def _data(self, validated: dict[str, Any]) -> dict[str, Any]:
        data = dict(validated)
        if "source_id" in data:
            source_id = data.pop("source_id")
            data["source"] = access_or_404(LeadSource, org=self.org, pk=source_id) if source_id else None
        if "owner_id" in data:
            data["owner"] = data.pop("owner_id")
        return data

    @extend_schema(
        request=WebFormInputSerializer, responses={201: WebFormOutputSerializer, **error_responses(400, 401, 403, 404)}
    )
    def create(self, request: Request) -> Response:
        serializer = WebFormInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        web_form = web_form_create(
            org=self.org, actor_membership=self.membership, data=self._data(serializer.validated_data)
        )
        return Response(WebFormOutputSerializer(web_form).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebFormInputSerializer, responses={200: WebFormOutputSerializer, **error_responses(400, 401, 403, 404)}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        web_form = self.get_object()
        serializer = WebFormInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        web_form = web_form_update(
            org=self.org,
            actor_membership=self.membership,
            web_form=web_form,
            data=self._data(serializer.validated_data),
        )
        return Response(WebFormOutputSerializer(web_form).data)

    @extend_schema(
        request=None,
        responses={200: WebFormOutputSerializer, **error_responses(401, 403, 404)},
        description="A new public key: the old address and embed code stop working.",
    )
    @action(detail=True, methods=["post"], url_path="regenerate-key")
    def regenerate_key(self, request: Request, pk: str) -> Response:
        web_form = web_form_regenerate_key(org=self.org, actor_membership=self.membership, web_form=self.get_object())
        return Response(WebFormOutputSerializer(web_form).data)


# --- scoring rules ---------------------------------------------------------------------------


class ScoringRuleOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadScoringRule
        fields = ["id", "label", "condition", "argument", "points", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class ScoringRuleInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=150)
    condition = serializers.ChoiceField(choices=LeadScoringRule.Condition.choices)
    argument = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="field_present: a lead field name; source_is: a lead source id; activity_count_at_least: N; "
        "country_is: a two-letter country code; e-mail domain conditions: empty.",
    )
    points = serializers.IntegerField(min_value=-1000, max_value=1000)
    is_active = serializers.BooleanField(required=False)


@extend_schema_view(
    list=extend_schema(responses={200: ScoringRuleOutputSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: ScoringRuleOutputSerializer, **error_responses(401, 403, 404)}),
    destroy=extend_schema(responses={204: None, **error_responses(401, 403, 404)}),
)
class ScoringRuleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, OrganizationViewSet
):
    """Changing a rule re-scores every lead of the organization in the background."""

    serializer_class = ScoringRuleOutputSerializer
    queryset = LeadScoringRule.objects.none()
    required_capability = Capability.CRM_MANAGE
    ordering_fields = ["points", "created_at"]

    def get_org_queryset(self) -> QuerySet[LeadScoringRule]:
        return scoring_rule_list(org=self.org)

    @extend_schema(
        request=ScoringRuleInputSerializer,
        responses={201: ScoringRuleOutputSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        serializer = ScoringRuleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = scoring_rule_create(org=self.org, actor_membership=self.membership, data=serializer.validated_data)
        return Response(ScoringRuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ScoringRuleInputSerializer,
        responses={200: ScoringRuleOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        rule = self.get_object()
        serializer = ScoringRuleInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = scoring_rule_update(
            org=self.org, actor_membership=self.membership, rule=rule, data=serializer.validated_data
        )
        return Response(ScoringRuleOutputSerializer(rule).data)

    def perform_destroy(self, instance: LeadScoringRule) -> None:
        scoring_rule_delete(org=self.org, actor_membership=self.membership, rule=instance)


# --- duplicates ------------------------------------------------------------------------------


class DuplicateRecordOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class DuplicatePairOutputSerializer(serializers.Serializer):
    first = DuplicateRecordOutputSerializer()
    second = DuplicateRecordOutputSerializer()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=list(REASON_LABELS)), help_text="name, phone, email or domain."
    )


class DuplicatePageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = DuplicatePairOutputSerializer(many=True)


class MergeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(COMPANIES, "companies"), (CONTACTS, "contacts")])
    keep_id = serializers.IntegerField()
    merge_id = serializers.IntegerField()


class MergeOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kept = DuplicateRecordOutputSerializer()


def _record(record: Company | Contact) -> dict[str, Any]:
    return {"id": record.pk, "display_name": record.display_name(), "email": record.email, "phone": record.phone}


class DuplicateViewSet(OrganizationScopedMixin, GenericViewSet):
    """Likely duplicate pairs of the records the member may see, and merging a pair."""

    required_capability = Capability.CRM_EDIT
    serializer_class = DuplicatePairOutputSerializer
    queryset = Company.objects.none()  # for the schema only; pairs come from the duplicates selector
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KINDS), description="companies (default) or contacts"),
            OpenApiParameter("offset", OpenApiTypes.INT),
            OpenApiParameter("limit", OpenApiTypes.INT, description="At most 200 (default 50)."),
        ],
        responses={200: DuplicatePageOutputSerializer, **error_responses(400, 401, 403)},
    )
    def list(self, request: Request) -> Response:
        kind = request.query_params.get("kind", COMPANIES)
        if kind not in KINDS:
            raise DomainError("invalid_kind", _("Choose companies or contacts."), field="kind")
        try:
            offset = max(0, int(request.query_params.get("offset", 0)))
            limit = min(200, max(1, int(request.query_params.get("limit", 50))))
        except ValueError:
            raise DomainError("invalid_page", _("Offset and limit must be whole numbers."), field="offset") from None
        pairs, total = duplicate_pairs(org=self.org, membership=self.membership, kind=kind, offset=offset, limit=limit)
        results = [{"first": _record(p.first), "second": _record(p.second), "reasons": p.reasons} for p in pairs]
        return Response(DuplicatePageOutputSerializer({"count": total, "results": results}).data)

    @extend_schema(
        request=MergeInputSerializer,
        responses={200: MergeOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Merge `merge_id` into `keep_id`: links move, empty fields are filled, the merged record is "
        "deactivated; both get an audit entry.",
    )
    @action(detail=False, methods=["post"])
    def merge(self, request: Request) -> Response:
        serializer = MergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        model = Company if kind == COMPANIES else Contact
        scope = {"org": self.org, "membership": self.membership}
        keep = crm_visible_or_404(model.objects.all(), pk=serializer.validated_data["keep_id"], **scope)
        merge = crm_visible_or_404(model.objects.all(), pk=serializer.validated_data["merge_id"], **scope)
        service = company_merge if kind == COMPANIES else contact_merge
        kept = service(org=self.org, actor_membership=self.membership, keep=keep, merge=merge)
        return Response(MergeOutputSerializer({"kind": kind, "kept": _record(kept)}).data)


def register(router: SimpleRouter) -> None:
    """Add this area's viewsets to the /api/v1/crm/ router (basenames prefixed crm-)."""
    router.register("imports", ImportJobViewSet, basename="crm-import")
    router.register("web-forms", WebFormViewSet, basename="crm-web-form")
    router.register("scoring-rules", ScoringRuleViewSet, basename="crm-scoring-rule")
    router.register("duplicates", DuplicateViewSet, basename="crm-duplicate")
