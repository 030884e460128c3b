"""Routes of the organizations area (included by mizan.core.urls, namespace core)."""

from django.urls import path

from mizan.core.views import audit, members, organizations

urlpatterns = [
    path("organizations/new/", organizations.organization_create_view, name="organization_create"),
    path("organizations/switch/", organizations.organization_switch_view, name="organization_switch"),
    path("settings/organization/", organizations.organization_settings, name="organization_settings"),
    path("members/", members.member_list, name="member_list"),
    path("members/<int:pk>/", members.member_detail, name="member_detail"),
    path("members/invite/", members.invitation_create_view, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", members.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", members.invitation_accept_view, name="invitation_accept"),
    path("audit/", audit.audit_log, name="audit_log"),
]
