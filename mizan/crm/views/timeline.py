"""The timeline panel's htmx endpoints, follow-up buttons and the "My day" page (thin: forms,
services and selectors do the work)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.views.base import apply_domain_error, org_view
from mizan.crm.forms.timeline import ACTIVITY_KIND_OF_FORM, FORM_CLASSES, EmailForm, FollowUpForm, TimelineForm
from mizan.crm.models import Contact, FollowUp
from mizan.crm.selectors.timeline import (
    TARGET_MODELS,
    CrmRecord,
    follow_ups_for_target,
    follow_ups_visible,
    my_day,
    target_type_of,
    timeline_for,
)
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.timeline import (
    OUTCOME_LABELS,
    activity_email_send,
    activity_record,
    email_recipient,
    follow_up_complete,
    follow_up_create,
    follow_up_reopen,
)

PANEL_TEMPLATE = "crm/timeline/_panel.html"

#: The filter buttons above the entries (kind value, label).
TIMELINE_FILTERS = [
    ("note", gettext_lazy("Notes")),
    ("call", gettext_lazy("Calls")),
    ("meeting", gettext_lazy("Meetings")),
    ("email", gettext_lazy("E-mails")),
    ("stage_change", gettext_lazy("Stage changes")),
    ("system", gettext_lazy("System")),
]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def target_or_404(request: HttpRequest, target_type: str, pk: Any) -> CrmRecord:
    """The company, contact, deal or lead, if this member may see it; else 404."""
    model = TARGET_MODELS.get(target_type)
    if model is None:
        raise Http404
    return crm_visible_or_404(model.objects.all(), org=request.org, membership=request.membership, pk=pk)


def record_url(target: CrmRecord) -> str:
    """The record's own page (the other CRM areas own them); My day if it is not there."""
    try:
        return reverse(f"crm:{target_type_of(target)}_detail", args=[target.pk])
    except NoReverseMatch:
        return reverse("crm:my_day")


def _email_address(*, org: Organization, membership: Membership, target: CrmRecord) -> str:
    try:
        address, _contact = email_recipient(org=org, membership=membership, target=target)
    except DomainError:
        return ""
    return address


def timeline_panel_context(
    *,
    org: Organization,
    membership: Membership,
    user: Any,
    target: CrmRecord,
    kinds: Any = None,
    bound_form: TimelineForm | None = None,
    active_form: str = "",
) -> dict[str, Any]:
    """Everything the panel shows: first page of entries, open follow-ups and the forms."""
    target_type = target_type_of(target)
    can_edit = has_capability(membership, Capability.CRM_EDIT)
    forms: dict[str, TimelineForm] = {}
    if can_edit:
        forms = {name: form_class(org=org) for name, form_class in FORM_CLASSES.items()}
        forms["follow_up"] = FollowUpForm(org=org, user=user)
        if bound_form is not None:
            forms[bound_form.form_name] = bound_form
    return {
        "target": target,
        "target_type": target_type,
        "page": timeline_for(org=org, membership=membership, target=target, kinds=kinds),
        "follow_ups": follow_ups_for_target(org=org, membership=membership, target=target),
        "forms": forms,
        "active_form": active_form or (bound_form.form_name if bound_form is not None else "note"),
        "can_edit": can_edit,
        "email_address": _email_address(org=org, membership=membership, target=target) if can_edit else "",
        "outcome_labels": OUTCOME_LABELS,
        "kind_choices": TIMELINE_FILTERS,
        "list_url": reverse("crm:timeline_entries", args=[target_type, target.pk]),
        "activity_url": reverse("crm:activity_create", args=[target_type, target.pk]),
        "follow_up_url": reverse("crm:follow_up_create", args=[target_type, target.pk]),
    }


def _panel_response(request: HttpRequest, target: CrmRecord, **extra: Any) -> HttpResponse:
    context = timeline_panel_context(
        org=request.org, membership=request.membership, user=request.user, target=target, **extra
    )
    return render(request, f"{PANEL_TEMPLATE}#panel", {"panel": context})


def _done(request: HttpRequest, target: CrmRecord, message: str) -> HttpResponse:
    """After a successful write: the fresh panel for htmx (the new entry says it all), else back
    to the record's page with a message."""
    if _is_htmx(request):
        return _panel_response(request, target)
    messages.success(request, message)
    return HttpResponseRedirect(record_url(target))


def _invalid(request: HttpRequest, target: CrmRecord, form: TimelineForm) -> HttpResponse:
    """The panel again with the form's errors (htmx swaps 200 responses only)."""
    if _is_htmx(request):
        return _panel_response(request, target, bound_form=form)
    errors = [str(error) for errors in form.errors.values() for error in errors]
    messages.error(request, " ".join(errors) or _("Check the form and try again."))
    return HttpResponseRedirect(record_url(target))


@require_GET
@org_view(Capability.CRM_VIEW)
def timeline_entries(request: HttpRequest, target_type: str, pk: int) -> HttpResponse:
    """A page of entries: the whole list when filtering (page 1), more rows for "Load more"."""
    target = target_or_404(request, target_type, pk)
    page = timeline_for(
        org=request.org,
        membership=request.membership,
        target=target,
        kinds=request.GET.getlist("kind"),
        page=request.GET.get("page", 1),
    )
    panel = {
        "target": target,
        "target_type": target_type,
        "page": page,
        "outcome_labels": OUTCOME_LABELS,
        "list_url": reverse("crm:timeline_entries", args=[target_type, target.pk]),
    }
    partial = "entries" if page.number == 1 else "rows"
    return render(request, f"{PANEL_TEMPLATE}#{partial}", {"panel": panel})


@require_POST
@org_view(Capability.CRM_EDIT)
def activity_create(request: HttpRequest, target_type: str, pk: int) -> HttpResponse:
    """Log a note, call, meeting or e-mail, or send an e-mail, from the panel's forms."""
    target = target_or_404(request, target_type, pk)
    form_name = request.POST.get("form", "")
    form_class = FORM_CLASSES.get(form_name)
    if form_class is None:
        return HttpResponseBadRequest(_("Unknown form."))
    form = form_class(request.POST, org=request.org)
    if not form.is_valid():
        return _invalid(request, target, form)
    data = form.cleaned_data
    try:
        if isinstance(form, EmailForm) and data["mode"] == EmailForm.MODE_SEND:
            activity_email_send(
                org=request.org,
                actor_membership=request.membership,
                target=target,
                subject=data["subject"],
                body=data["body"],
                idempotency_key=data["idempotency_key"],
                contact=_contact_from(request, target),
            )
            message = _("The e-mail is on its way.")
        else:
            activity_record(
                org=request.org,
                actor_membership=request.membership,
                target=target,
                kind=ACTIVITY_KIND_OF_FORM[form_name],
                subject=data.get("subject", ""),
                body=data.get("body", ""),
                occurred_at=data.get("occurred_at"),
                duration_minutes=data.get("duration_minutes"),
                outcome=data.get("outcome", ""),
                email_to=data.get("email_to", ""),
            )
            message = _("Added to the timeline.")
    except DomainError as error:
        apply_domain_error(form, request, error)
        return _invalid(request, target, form)
    return _done(request, target, message)


def _contact_from(request: HttpRequest, target: CrmRecord) -> Contact | None:
    """An explicitly chosen recipient contact (resolved inside the organization and visibility)."""
    contact_id = request.POST.get("contact")
    if not contact_id:
        return None
    return crm_visible_or_404(Contact.objects.all(), org=request.org, membership=request.membership, pk=contact_id)


@require_POST
@org_view(Capability.CRM_EDIT)
def follow_up_create_view(request: HttpRequest, target_type: str, pk: int) -> HttpResponse:
    target = target_or_404(request, target_type, pk)
    form = FollowUpForm(request.POST, org=request.org, user=request.user)
    if not form.is_valid():
        return _invalid(request, target, form)
    data = form.cleaned_data
    try:
        follow_up_create(
            org=request.org,
            actor_membership=request.membership,
            title=data["title"],
            due_at=data["due_at"],
            remind_at=data.get("remind_at"),
            assignee=data["assignee"],
            notes=data.get("notes", ""),
            **{target_type: target},
        )
    except DomainError as error:
        apply_domain_error(form, request, error)
        return _invalid(request, target, form)
    return _done(request, target, _("Follow-up added."))


def _follow_up_or_404(request: HttpRequest, pk: int) -> FollowUp:
    visible = follow_ups_visible(FollowUp.objects.all(), org=request.org, membership=request.membership)
    return access_or_404(visible.select_related("company", "contact", "deal", "lead"), org=request.org, pk=pk)


def _follow_up_target(follow_up: FollowUp) -> CrmRecord | None:
    return follow_up.deal or follow_up.contact or follow_up.lead or follow_up.company


def _follow_up_toggle(request: HttpRequest, pk: int, *, done: bool) -> HttpResponse:
    follow_up = _follow_up_or_404(request, pk)
    service = follow_up_complete if done else follow_up_reopen
    panel_target = _panel_target(request)
    try:
        service(org=request.org, actor_membership=request.membership, follow_up=follow_up)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if not (_is_htmx(request) and panel_target is not None):
            messages.success(request, _("Follow-up done.") if done else _("Follow-up reopened."))
    if _is_htmx(request) and panel_target is not None:
        return _panel_response(request, panel_target)
    fallback = record_url(target) if (target := _follow_up_target(follow_up)) else reverse("crm:my_day")
    next_url = request.POST.get("next")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(fallback)


def _panel_target(request: HttpRequest) -> CrmRecord | None:
    """The record whose panel sent the request (the panel posts its own type and id)."""
    target_type = request.POST.get("panel_type", "")
    target_id = request.POST.get("panel_id", "")
    if target_type not in TARGET_MODELS or not target_id:
        return None
    return target_or_404(request, target_type, target_id)


@require_POST
@org_view(Capability.CRM_EDIT)
def follow_up_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _follow_up_toggle(request, pk, done=True)


@require_POST
@org_view(Capability.CRM_EDIT)
def follow_up_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _follow_up_toggle(request, pk, done=False)


@require_GET
@org_view(Capability.CRM_VIEW)
def my_day_view(request: HttpRequest) -> HttpResponse:
    day = my_day(org=request.org, membership=request.membership)
    return render(
        request,
        "crm/timeline/my_day.html",
        {"day": day, "can_edit": has_capability(request.membership, Capability.CRM_EDIT)},
    )
