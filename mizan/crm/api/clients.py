"""/api/v1/crm/ companies, contacts, leads and lead sources: the same FilterSets, selectors and
services as the web pages. Ids in the path or the payload resolve inside the organization and the
CRM visibility rule; anything else is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.core.access import access_or_404
from mizan.core.roles import Capability
from mizan.crm.filters.clients import CompanyFilterSet, ContactFilterSet, LeadFilterSet
from mizan.crm.models import Company, Contact, Lead, LeadSource, Pipeline, Stage
from mizan.crm.selectors.clients import COMPANY_ORDERING, CONTACT_ORDERING, company_list, contact_list
from mizan.crm.selectors.leads import (
    LEAD_ORDERING,
    LEAD_SOURCE_ORDERING,
    lead_detail_queryset,
    lead_list,
    lead_source_list,
)
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.clients import (
    company_create,
    company_deactivate,
    company_update,
    contact_create,
    contact_deactivate,
    contact_update,
)
from mizan.crm.services.leads import (
    EDITABLE_STATUSES,
    lead_convert,
    lead_create,
    lead_disqualify,
    lead_source_create,
    lead_source_deactivate,
    lead_source_update,
    lead_update,
)

_READ = {"list": Capability.CRM_VIEW, "retrieve": Capability.CRM_VIEW}
_WRITE = {
    "create": Capability.CRM_EDIT,
    "partial_update": Capability.CRM_EDIT,
    "deactivate": Capability.CRM_EDIT,
}


class TagNamesField(serializers.ListField):
    child = serializers.CharField(max_length=60)


# --- serializers ---------------------------------------------------------------------------------


class CompanyOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    owner_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "display_name",
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
            "language",
            "tags",
            "owner_id",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_display_name(self, company: Company) -> str:
        return company.display_name()


class CompanyInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_latin = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Any usual form; stored in E.164."
    )
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    vat_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    commercial_registration = serializers.CharField(max_length=30, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, help_text="ISO 3166 code.")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=["ar", "en"],
        required=False,
        allow_blank=True,
        help_text="Language of documents; empty: the organization's.",
    )
    tags = TagNamesField(required=False, help_text="Tag names; missing tags are created.")
    owner_id = serializers.IntegerField(required=False, help_text="A member's user id (default: you).")
    notes = serializers.CharField(required=False, allow_blank=True)


class ContactOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    company_id = serializers.IntegerField(allow_null=True, read_only=True)
    owner_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "display_name",
            "name_ar",
            "name_latin",
            "company_id",
            "job_title",
            "email",
            "phone",
            "mobile",
            "tags",
            "owner_id",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_display_name(self, contact: Contact) -> str:
        return contact.display_name()


class ContactInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_latin = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company_id = serializers.IntegerField(required=False, allow_null=True)
    job_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=40, required=False, allow_blank=True)
    tags = TagNamesField(required=False)
    owner_id = serializers.IntegerField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class LeadSourceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadSource
        fields = ["id", "name_ar", "name_en", "is_active", "created_at"]
        read_only_fields = fields


class LeadSourceInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ScoreReasonOutputSerializer(serializers.Serializer):
    label = serializers.CharField()
    points = serializers.IntegerField()


class LeadOutputSerializer(serializers.ModelSerializer):
    source_id = serializers.IntegerField(allow_null=True, read_only=True)
    owner_id = serializers.IntegerField(allow_null=True, read_only=True)
    score_reasons = ScoreReasonOutputSerializer(many=True, read_only=True)
    converted_company_id = serializers.IntegerField(allow_null=True, read_only=True)
    converted_contact_id = serializers.IntegerField(allow_null=True, read_only=True)
    converted_deal_id = serializers.IntegerField(allow_null=True, read_only=True)
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code.")

    class Meta:
        model = Lead
        fields = [
            "id",
            "title",
            "person_name",
            "company_name",
            "email",
            "phone",
            "website",
            "job_title",
            "country",
            "source_id",
            "status",
            "owner_id",
            "estimated_value",
            "currency",
            "message",
            "score",
            "score_reasons",
            "converted_at",
            "converted_company_id",
            "converted_contact_id",
            "converted_deal_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LeadInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    person_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    job_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    source_id = serializers.IntegerField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[s for s in Lead.Status.choices if s[0] in EDITABLE_STATUSES], required=False
    )
    owner_id = serializers.IntegerField(required=False)
    estimated_value = serializers.DecimalField(
        max_digits=20, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    currency = serializers.CharField(
        max_length=3, required=False, allow_blank=True, help_text="ISO 4217 code (default: the organization's)."
    )
    message = serializers.CharField(required=False, allow_blank=True)


class LeadDisqualifyInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LeadConvertDealInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=3, min_value=0, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, help_text="ISO 4217 code.")
    pipeline_id = serializers.IntegerField(required=False, allow_null=True)
    stage_id = serializers.IntegerField(required=False, allow_null=True)
    expected_close_date = serializers.DateField(required=False, allow_null=True)


class LeadConvertInputSerializer(serializers.Serializer):
    company_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing company to use (default: create one)."
    )
    contact_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing contact to use (default: create one)."
    )
    deal = LeadConvertDealInputSerializer(required=False)


class LeadConversionOutputSerializer(serializers.Serializer):
    lead = LeadOutputSerializer()
    company_id = serializers.IntegerField(allow_null=True)
    contact_id = serializers.IntegerField(allow_null=True)
    deal_id = serializers.IntegerField()


# --- helpers -------------------------------------------------------------------------------------


def _service_data(validated: dict[str, Any], *, ids: dict[str, str]) -> dict[str, Any]:
    """Serializer output as service data: `owner_id` -> `owner` etc. (resolved by the caller)."""
    data = dict(validated)
    for id_name, name in ids.items():
        if id_name in data:
            data[name] = data.pop(id_name)
    return data


class _ClientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    action_capabilities = {**_READ, **_WRITE}

    def visible(self, model: type, pk: Any) -> Any:
        """A record id from the payload: this organization's and visible to the member, else 404."""
        return crm_visible_or_404(model.objects.all(), org=self.org, membership=self.membership, pk=pk)


# --- companies -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: CompanyOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: CompanyOutputSerializer, **error_responses(401, 403, 404)}),
)
class CompanyViewSet(_ClientViewSet):
    serializer_class = CompanyOutputSerializer
    queryset = Company.objects.none()
    filterset_class = CompanyFilterSet
    ordering_fields = COMPANY_ORDERING
    ordering = ["search_name"]

    def get_org_queryset(self) -> QuerySet[Company]:
        return company_list(org=self.org, membership=self.membership)

    @extend_schema(
        request=CompanyInputSerializer,
        responses={201: CompanyOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="A name in Arabic or Latin script is required; the phone is stored in E.164.",
    )
    def create(self, request: Request) -> Response:
        serializer = CompanyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _service_data(serializer.validated_data, ids={"owner_id": "owner"})
        company = company_create(org=self.org, actor_membership=self.membership, data=data)
        return Response(CompanyOutputSerializer(company).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CompanyInputSerializer,
        responses={200: CompanyOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Change the fields sent; `tags` replaces the tags.",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        company = self.get_object()
        serializer = CompanyInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = _service_data(serializer.validated_data, ids={"owner_id": "owner"})
        company = company_update(org=self.org, actor_membership=self.membership, company=company, data=data)
        return Response(CompanyOutputSerializer(company).data)

    @extend_schema(request=None, responses={200: CompanyOutputSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        company = company_deactivate(org=self.org, actor_membership=self.membership, company=self.get_object())
        return Response(CompanyOutputSerializer(company).data)


# --- contacts ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: ContactOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: ContactOutputSerializer, **error_responses(401, 403, 404)}),
)
class ContactViewSet(_ClientViewSet):
    serializer_class = ContactOutputSerializer
    queryset = Contact.objects.none()
    filterset_class = ContactFilterSet
    ordering_fields = CONTACT_ORDERING
    ordering = ["search_name"]

    def get_org_queryset(self) -> QuerySet[Contact]:
        return contact_list(org=self.org, membership=self.membership)

    def _data(self, serializer: ContactInputSerializer, contact: Contact | None = None) -> dict[str, Any]:
        """The company must be one the member sees, or the one the contact already has (resent on edit)."""
        data = _service_data(serializer.validated_data, ids={"owner_id": "owner", "company_id": "company"})
        if data.get("company") is not None:
            if contact is not None and data["company"] == contact.company_id:
                data["company"] = access_or_404(Company, org=self.org, pk=data["company"])
            else:
                data["company"] = self.visible(Company, data["company"])
        return data

    @extend_schema(
        request=ContactInputSerializer,
        responses={201: ContactOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        serializer = ContactInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = contact_create(org=self.org, actor_membership=self.membership, data=self._data(serializer))
        return Response(ContactOutputSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ContactInputSerializer,
        responses={200: ContactOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        contact = self.get_object()
        serializer = ContactInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        contact = contact_update(
            org=self.org, actor_membership=self.membership, contact=contact, data=self._data(serializer, contact)
        )
        return Response(ContactOutputSerializer(contact).data)

    @extend_schema(request=None, responses={200: ContactOutputSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        contact = contact_deactivate(org=self.org, actor_membership=self.membership, contact=self.get_object())
        return Response(ContactOutputSerializer(contact).data)


# --- leads ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: LeadOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: LeadOutputSerializer, **error_responses(401, 403, 404)}),
)
class LeadViewSet(_ClientViewSet):
    serializer_class = LeadOutputSerializer
    queryset = Lead.objects.none()
    filterset_class = LeadFilterSet
    ordering_fields = LEAD_ORDERING
    ordering = ["-created_at"]
    action_capabilities = {**_READ, **_WRITE, "disqualify": Capability.CRM_EDIT, "convert": Capability.CRM_EDIT}

    def get_org_queryset(self) -> QuerySet[Lead]:
        if self.action == "list":
            return lead_list(org=self.org, membership=self.membership)
        return lead_detail_queryset(org=self.org, membership=self.membership)

    def _data(self, serializer: LeadInputSerializer) -> dict[str, Any]:
        data = _service_data(serializer.validated_data, ids={"owner_id": "owner", "source_id": "source"})
        if data.get("source") is not None:
            data["source"] = access_or_404(LeadSource, org=self.org, pk=data["source"])
        return data

    @extend_schema(
        request=LeadInputSerializer,
        responses={201: LeadOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="At least a person's name, a company name, an e-mail or a phone is required.",
    )
    def create(self, request: Request) -> Response:
        serializer = LeadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self._data(serializer)
        source = data.pop("source", None)
        lead = lead_create(org=self.org, actor_membership=self.membership, data=data, source=source)
        return Response(LeadOutputSerializer(lead).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=LeadInputSerializer,
        responses={200: LeadOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        lead = self.get_object()
        serializer = LeadInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lead = lead_update(org=self.org, actor_membership=self.membership, lead=lead, data=self._data(serializer))
        return Response(LeadOutputSerializer(lead).data)

    @extend_schema(
        request=LeadDisqualifyInputSerializer,
        responses={200: LeadOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def disqualify(self, request: Request, pk: str) -> Response:
        lead = self.get_object()
        serializer = LeadDisqualifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = lead_disqualify(
            org=self.org,
            actor_membership=self.membership,
            lead=lead,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(LeadOutputSerializer(lead).data)

    @extend_schema(
        request=LeadConvertInputSerializer,
        responses={201: LeadConversionOutputSerializer, **error_responses(400, 401, 403, 404)},
        description=(
            "Convert the lead into company + contact + deal in one step. Pass `company_id`/`contact_id` "
            "to reuse existing records; otherwise they are created from the lead. A lead converts once."
        ),
    )
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str) -> Response:
        lead = self.get_object()
        serializer = LeadConvertInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        company = self.visible(Company, values["company_id"]) if values.get("company_id") else None
        contact = self.visible(Contact, values["contact_id"]) if values.get("contact_id") else None
        deal_data = dict(values.get("deal", {}))
        if deal_data.get("pipeline_id"):
            deal_data["pipeline"] = access_or_404(Pipeline, org=self.org, pk=deal_data.pop("pipeline_id"))
        if deal_data.get("stage_id"):
            deal_data["stage"] = access_or_404(Stage, org=self.org, pk=deal_data.pop("stage_id"))
        company, contact, deal = lead_convert(
            org=self.org,
            actor_membership=self.membership,
            lead=lead,
            company=company,
            contact=contact,
            deal_data=deal_data,
        )
        lead.refresh_from_db()
        body = {
            "lead": LeadOutputSerializer(lead).data,
            "company_id": company.pk if company else None,
            "contact_id": contact.pk if contact else None,
            "deal_id": deal.pk,
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- lead sources --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: LeadSourceOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: LeadSourceOutputSerializer, **error_responses(401, 403, 404)}),
)
class LeadSourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = LeadSourceOutputSerializer
    queryset = LeadSource.objects.none()
    ordering_fields = LEAD_SOURCE_ORDERING
    required_capability = Capability.CRM_VIEW
    action_capabilities = {
        "create": Capability.CRM_MANAGE,
        "partial_update": Capability.CRM_MANAGE,
        "deactivate": Capability.CRM_MANAGE,
    }

    def get_org_queryset(self) -> QuerySet[LeadSource]:
        return lead_source_list(org=self.org)

    @extend_schema(
        request=LeadSourceInputSerializer,
        responses={201: LeadSourceOutputSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        serializer = LeadSourceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        source = lead_source_create(org=self.org, actor_membership=self.membership, data=serializer.validated_data)
        return Response(LeadSourceOutputSerializer(source).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=LeadSourceInputSerializer,
        responses={200: LeadSourceOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        source = self.get_object()
        serializer = LeadSourceInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        source = lead_source_update(
            org=self.org, actor_membership=self.membership, source=source, data=serializer.validated_data
        )
        return Response(LeadSourceOutputSerializer(source).data)

    @extend_schema(request=None, responses={200: LeadSourceOutputSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        source = lead_source_deactivate(org=self.org, actor_membership=self.membership, source=self.get_object())
        return Response(LeadSourceOutputSerializer(source).data)


def register(router: SimpleRouter) -> None:
    """Add this area's viewsets to the /api/v1/crm/ router (basenames prefixed crm-)."""
    router.register("companies", CompanyViewSet, basename="crm-company")
    router.register("contacts", ContactViewSet, basename="crm-contact")
    router.register("leads", LeadViewSet, basename="crm-lead")
    router.register("lead-sources", LeadSourceViewSet, basename="crm-lead-source")
