"""CRM timeline API: activities (list, read, log or send) and follow-ups (list, create, done,
reopen). Writes go through mizan.crm.services.timeline; reads through the timeline selectors."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.core.errors import DomainError
from mizan.core.models import Membership
from mizan.core.roles import Capability
from mizan.crm.filters.timeline import ActivityFilterSet, FollowUpFilterSet
from mizan.crm.models import Activity, Contact, FollowUp
from mizan.crm.selectors.timeline import TARGET_MODELS, CrmRecord, activities_visible, follow_ups_visible
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.timeline import (
    CALL_OUTCOMES,
    LOGGABLE_KINDS,
    activity_email_send,
    activity_record,
    follow_up_complete,
    follow_up_create,
    follow_up_reopen,
)

TARGET_FIELDS = tuple(TARGET_MODELS)  # company, contact, deal, lead

# --- Serializers ----------------------------------------------------------------------------------


class ActivityOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    created_by_email = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "body",
            "occurred_at",
            "duration_minutes",
            "outcome",
            "email_to",
            "company",
            "contact",
            "deal",
            "lead",
            "created_by",
            "created_by_email",
            "created_at",
        ]
        read_only_fields = fields

    def get_kind_label(self, activity: Activity) -> str:
        return str(activity.get_kind_display())

    def get_created_by_email(self, activity: Activity) -> str | None:
        return activity.created_by.email if activity.created_by_id else None


class TargetInputMixin(serializers.Serializer):
    company = serializers.IntegerField(required=False, help_text="The company's id.")
    contact = serializers.IntegerField(required=False, help_text="The contact's id.")
    deal = serializers.IntegerField(required=False, help_text="The deal's id.")
    lead = serializers.IntegerField(required=False, help_text="The lead's id.")


class ActivityInputSerializer(TargetInputMixin):
    kind = serializers.ChoiceField(choices=[(kind.value, kind.label) for kind in LOGGABLE_KINDS])
    subject = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    body = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False, help_text="When it happened; default now.")
    duration_minutes = serializers.IntegerField(min_value=0, max_value=1440, required=False)
    outcome = serializers.ChoiceField(
        choices=CALL_OUTCOMES, required=False, allow_blank=True, default="", help_text="Calls only."
    )
    email_to = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    send = serializers.BooleanField(
        default=False,
        help_text="E-mails only: send it from Mizan (in the organization's language) instead of logging it.",
    )
    recipient_contact = serializers.IntegerField(
        required=False, help_text="When sending: which of the record's contacts receives it (default: its address)."
    )
    idempotency_key = serializers.CharField(
        max_length=100,
        required=False,
        help_text="When sending: the same key never sends twice (a retry answers 400 `already_sent`).",
    )


class FollowUpOutputSerializer(serializers.ModelSerializer):
    assignee_email = serializers.SerializerMethodField()
    is_done = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "title",
            "notes",
            "due_at",
            "remind_at",
            "reminder_sent_at",
            "assignee",
            "assignee_email",
            "completed_at",
            "is_done",
            "company",
            "contact",
            "deal",
            "lead",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_assignee_email(self, follow_up: FollowUp) -> str:
        return follow_up.assignee.email

    def get_is_done(self, follow_up: FollowUp) -> bool:
        return follow_up.completed_at is not None


class FollowUpInputSerializer(TargetInputMixin):
    title = serializers.CharField(max_length=250)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField()
    remind_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    assignee = serializers.IntegerField(required=False, help_text="A member's user id; default: you.")


# --- Helpers --------------------------------------------------------------------------------------


def _targets(view: OrganizationViewSet, data: dict[str, Any]) -> dict[str, CrmRecord]:
    """The records named in the payload, each resolved inside the organization and visibility."""
    found = {}
    for name in TARGET_FIELDS:
        if data.get(name) is not None:
            found[name] = crm_visible_or_404(
                TARGET_MODELS[name].objects.all(), org=view.org, membership=view.membership, pk=data[name]
            )
    return found


def _single_target(view: OrganizationViewSet, data: dict[str, Any]) -> CrmRecord:
    targets = _targets(view, data)
    if len(targets) != 1:
        raise DomainError("one_target", _("Name exactly one company, contact, deal or lead."), field="deal")
    return next(iter(targets.values()))


# --- Viewsets -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="Timeline entries you may see, newest first. `company` includes its contacts' and deals'.",
        responses={200: ActivityOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: ActivityOutputSerializer, **error_responses(401, 403, 404)}),
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = ActivityOutputSerializer
    queryset = Activity.objects.none()
    filterset_class = ActivityFilterSet
    ordering_fields = {"occurred_at": "occurred_at", "created_at": "created_at"}
    ordering = ["-occurred_at", "-id"]
    required_capability = Capability.CRM_VIEW
    action_capabilities = {"create": Capability.CRM_EDIT}

    def get_org_queryset(self) -> Any:
        return activities_visible(Activity.objects.all(), org=self.org, membership=self.membership).select_related(
            "created_by"
        )

    @extend_schema(
        request=ActivityInputSerializer,
        responses={201: ActivityOutputSerializer, **error_responses(400, 401, 403, 404)},
        description=(
            "Record a note, call, meeting or e-mail on exactly one record (company, contact, deal or lead). "
            "With `kind=email` and `send=true` the e-mail is sent from Mizan to the record's address."
        ),
    )
    def create(self, request: Request) -> Response:
        serializer = ActivityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = _single_target(self, data)
        if data["kind"] == Activity.Kind.EMAIL and data["send"]:
            recipient = None
            if data.get("recipient_contact") is not None:
                recipient = crm_visible_or_404(
                    Contact.objects.all(), org=self.org, membership=self.membership, pk=data["recipient_contact"]
                )
            activity = activity_email_send(
                org=self.org,
                actor_membership=self.membership,
                target=target,
                subject=data["subject"],
                body=data["body"],
                idempotency_key=data.get("idempotency_key") or uuid.uuid4().hex,
                contact=recipient,
            )
        else:
            activity = activity_record(
                org=self.org,
                actor_membership=self.membership,
                target=target,
                kind=data["kind"],
                subject=data["subject"],
                body=data["body"],
                occurred_at=data.get("occurred_at"),
                duration_minutes=data.get("duration_minutes"),
                outcome=data["outcome"],
                email_to=data["email_to"],
            )
        return Response(ActivityOutputSerializer(activity).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        description="Follow-ups you may see, soonest first. `assignee=me&status=open` is your to-do list.",
        responses={200: FollowUpOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: FollowUpOutputSerializer, **error_responses(401, 403, 404)}),
)
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = FollowUpOutputSerializer
    queryset = FollowUp.objects.none()
    filterset_class = FollowUpFilterSet
    ordering_fields = {"due_at": "due_at", "created_at": "created_at"}
    ordering = ["due_at", "id"]
    required_capability = Capability.CRM_VIEW
    action_capabilities = {
        "create": Capability.CRM_EDIT,
        "complete": Capability.CRM_EDIT,
        "reopen": Capability.CRM_EDIT,
    }

    def get_org_queryset(self) -> Any:
        return follow_ups_visible(FollowUp.objects.all(), org=self.org, membership=self.membership).select_related(
            "assignee"
        )

    @extend_schema(
        request=FollowUpInputSerializer,
        responses={201: FollowUpOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="A dated next step on a record, given to an active member (default: you); "
        "`remind_at` e-mails and notifies the assignee once.",
    )
    def create(self, request: Request) -> Response:
        serializer = FollowUpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        targets = _targets(self, data)
        assignee_id = data.get("assignee", self.membership.user_id)
        member = (
            Membership.objects.filter(organization=self.org, user_id=assignee_id, is_active=True)
            .select_related("user")
            .first()
        )
        follow_up = follow_up_create(
            org=self.org,
            actor_membership=self.membership,
            title=data["title"],
            notes=data["notes"],
            due_at=data["due_at"],
            remind_at=data["remind_at"],
            assignee=member.user if member else None,
            **targets,
        )
        return Response(FollowUpOutputSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: FollowUpOutputSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        follow_up = follow_up_complete(org=self.org, actor_membership=self.membership, follow_up=self.get_object())
        return Response(FollowUpOutputSerializer(follow_up).data)

    @extend_schema(request=None, responses={200: FollowUpOutputSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        follow_up = follow_up_reopen(org=self.org, actor_membership=self.membership, follow_up=self.get_object())
        return Response(FollowUpOutputSerializer(follow_up).data)


def register(router: SimpleRouter) -> None:
    """Add this area's viewsets to the /api/v1/crm/ router (basenames prefixed crm-)."""
    router.register("activities", ActivityViewSet, basename="crm-activity")
    router.register("follow-ups", FollowUpViewSet, basename="crm-follow-up")
