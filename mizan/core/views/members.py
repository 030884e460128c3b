"""Members and invitations: the member list, one member's page, inviting and joining."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.forms.organizations import InvitationForm, InvitationSignUpForm, MemberRoleForm
from mizan.core.middleware import ORGANIZATION_SESSION_KEY
from mizan.core.models import Invitation, Membership, User
from mizan.core.roles import Capability, Role
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.selectors.organizations import (
    invitation_for_token,
    invitation_pending_list,
    membership_active_list,
    membership_detail_queryset,
)
from mizan.core.services.invitations import (
    invitation_accept,
    invitation_accept_with_new_account,
    invitation_check,
    invitation_create,
    invitation_revoke,
)
from mizan.core.services.organizations import membership_change_role, membership_deactivate
from mizan.core.views.base import apply_domain_error, org_view


@org_view(capability=Capability.MEMBERS_VIEW)
def member_list(request: HttpRequest) -> HttpResponse:
    can_manage = has_capability(request.membership, Capability.MEMBERS_MANAGE)
    context = {
        "members": membership_active_list(org=request.org),
        "invitations": invitation_pending_list(org=request.org) if can_manage else [],
        "can_manage": can_manage,
    }
    return render(request, "core/members/list.html", context)


@org_view(capability=Capability.MEMBERS_VIEW)
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One member; managers change the role (action=change_role) or remove them (action=deactivate)."""
    membership = access_or_404(membership_detail_queryset(org=request.org), org=request.org, pk=pk)
    can_manage = has_capability(request.membership, Capability.MEMBERS_MANAGE)
    actor_role = request.membership.role
    role_form = MemberRoleForm(initial={"role": membership.role}, actor_role=actor_role)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "change_role":
                role_form = MemberRoleForm(request.POST, actor_role=actor_role)
                if role_form.is_valid():
                    membership_change_role(
                        org=request.org,
                        actor_membership=request.membership,
                        membership=membership,
                        role=role_form.cleaned_data["role"],
                    )
                    messages.success(request, _("The role was changed."))
                    return redirect("core:member_detail", pk=membership.pk)
            elif action == "deactivate":
                membership_deactivate(org=request.org, actor_membership=request.membership, membership=membership)
                messages.success(request, _("{name} no longer has access.").format(name=membership.user))
                return redirect("core:member_list")
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            apply_domain_error(role_form if action == "change_role" else None, request, error)
        if action != "change_role":
            return redirect("core:member_detail", pk=membership.pk)
    show_history = has_capability(request.membership, Capability.AUDIT_VIEW)
    context = {
        "member": membership,
        "role_form": role_form,
        "can_manage": can_manage and membership.is_active and _may_touch(actor_role, membership.role),
        "show_history": show_history,
        "audit_entries": audit_entries_for(org=request.org, instance=membership) if show_history else [],
    }
    return render(request, "core/members/detail.html", context, status=400 if role_form.errors else 200)


def _may_touch(actor_role: str, member_role: str) -> bool:
    """Only owners may change or remove an owner (the service enforces it; this hides the buttons)."""
    return member_role != Role.OWNER or actor_role == Role.OWNER


@org_view(capability=Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def invitation_create_view(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, actor_role=request.membership.role)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _raw_token = invitation_create(
                org=request.org,
                actor_membership=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("An invitation was sent to {email}.").format(email=invitation.email))
            return redirect("core:member_list")
    context = {"form": form, "invitation_days": settings.INVITATION_DAYS}
    return render(request, "core/members/invite.html", context, status=400 if form.errors else 200)


@org_view(capability=Capability.MEMBERS_MANAGE)
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = access_or_404(Invitation, org=request.org, pk=pk)
    try:
        invitation_revoke(org=request.org, actor_membership=request.membership, invitation=invitation)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The invitation to {email} was withdrawn.").format(email=invitation.email))
    return redirect("core:member_list")


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """Open to everyone holding the link: signed in it joins, signed out it offers sign-in or sign-up."""
    invitation = invitation_for_token(raw_token=token)
    try:
        invitation_check(invitation)
    except DomainError as error:
        return _invitation_unusable(request, error)
    user = request.user
    if user.is_authenticated:
        return _accept_signed_in(request, token, invitation)
    return _accept_signed_out(request, token, invitation)


def _invitation_unusable(request: HttpRequest, error: DomainError) -> HttpResponse:
    status = 404 if error.code == "invitation_invalid" else 410
    return render(request, "core/members/invitation_unusable.html", {"error": error}, status=status)


def _accept_signed_in(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    email_matches = request.user.email.lower() == invitation.email.lower()
    if request.method == "POST":
        try:
            membership = invitation_accept(raw_token=token, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return _joined(request, membership)
    context = {"invitation": invitation, "email_matches": email_matches, "accept_url": _accept_url(token)}
    return render(request, "core/members/invitation_accept.html", context)


def _accept_signed_out(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = None if has_account else InvitationSignUpForm(request.POST or None)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            membership = invitation_accept_with_new_account(
                raw_token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                language=getattr(request, "LANGUAGE_CODE", "ar"),
            )
        except DomainError as error:
            if error.code.startswith("invitation_"):
                return _invitation_unusable(request, error)
            apply_domain_error(form, request, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership)
    context = {
        "invitation": invitation,
        "form": form,
        "has_account": has_account,
        "accept_url": _accept_url(token),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "core/members/invitation_accept.html", context, status=status)


def _accept_url(token: str) -> str:
    return reverse("core:invitation_accept", kwargs={"token": token})


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
    messages.success(request, _("Welcome to {name}.").format(name=membership.organization.display_name()))
    return redirect("core:home")
