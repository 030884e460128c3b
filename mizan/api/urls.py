"""Everything under /api/: the versioned REST API, its OpenAPI schema and its documentation."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from mizan.api import docs
from mizan.api.invitations import InvitationViewSet
from mizan.api.me import MeViewSet, MyOrganizationViewSet
from mizan.api.members import MemberViewSet
from mizan.api.organization import CurrentOrganizationViewSet
from mizan.api.tokens import ApiTokenViewSet

app_name = "api"

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("tokens", ApiTokenViewSet, basename="token")

v1 = [
    path("me/", MeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="me"),
    path("me/organizations/", MyOrganizationViewSet.as_view({"get": "list"}), name="my_organization_list"),
    path(
        "organization/",
        CurrentOrganizationViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="organization",
    ),
    *router.urls,
    path("crm/", include("mizan.crm.api_urls")),
    path("ledger/reports/", include("mizan.ledger.api_reports")),
    path("ledger/", include("mizan.ledger.api_urls")),
    path("sales/", include("mizan.sales.api_urls")),
    path("billing/", include("mizan.billing.api_urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    re_path(r"^(?P<path>.*)$", docs.api_not_found),
]
