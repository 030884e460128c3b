"""Web-to-lead forms: the settings pages (CRM managers) and the public, embeddable form."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.views.base import apply_domain_error, org_view
from mizan.crm.forms.tools import WebFormSettingsForm, WebToLeadForm
from mizan.crm.models import WebForm
from mizan.crm.selectors.tools import web_form_list, web_form_public
from mizan.crm.services.web_forms import (
    HONEYPOT_FIELD,
    TOKEN_FIELD,
    Outcome,
    web_form_create,
    web_form_owner_has_left,
    web_form_regenerate_key,
    web_form_submit,
    web_form_token,
    web_form_update,
)

#: The site's policy, except that any site may frame this page (it is made to be embedded).
PUBLIC_FORM_CSP = settings.CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")


@org_view(capability=Capability.CRM_MANAGE)
def web_form_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/tools/web_form_list.html", {"web_forms": web_form_list(org=request.org)})


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def web_form_create_view(request: HttpRequest) -> HttpResponse:
    form = WebFormSettingsForm(request.POST or None, org=request.org, initial={"fields": ["email", "phone", "message"]})
    if request.method == "POST" and form.is_valid():
        try:
            web_form = web_form_create(org=request.org, actor_membership=request.membership, data=form.service_data())
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The form was created. Copy its embed code into your website."))
            return redirect("crm:web_form_detail", pk=web_form.pk)
    return render(request, "crm/tools/web_form_edit.html", {"form": form, "web_form": None})


def _initial(web_form: WebForm) -> dict:
    return {
        "name": web_form.name,
        "is_active": web_form.is_active,
        "fields": [name for name in web_form.fields if name != WebForm.Field.PERSON_NAME],
        "source": web_form.source_id,
        "owner": web_form.owner_id,
        "thank_you_message": web_form.thank_you_message,
    }


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def web_form_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Settings and embed code; POST action=save (settings) or action=regenerate (new public address)."""
    web_form = access_or_404(web_form_list(org=request.org), org=request.org, pk=pk)
    form = WebFormSettingsForm(org=request.org, initial=_initial(web_form))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "regenerate":
                web_form_regenerate_key(org=request.org, actor_membership=request.membership, web_form=web_form)
                messages.success(request, _("The form has a new address. Replace the embed code on your website."))
                return redirect("crm:web_form_detail", pk=web_form.pk)
            form = WebFormSettingsForm(request.POST, org=request.org)
            if form.is_valid():
                web_form_update(
                    org=request.org, actor_membership=request.membership, web_form=web_form, data=form.service_data()
                )
                messages.success(request, _("The form was saved."))
                return redirect("crm:web_form_detail", pk=web_form.pk)
        except DomainError as error:
            apply_domain_error(form, request, error)
    if web_form_owner_has_left(web_form=web_form):
        messages.warning(
            request,
            _(
                "The default owner of this form is no longer a member of the organization: new leads from it "
                "have no owner. Choose another owner."
            ),
        )
    labels = dict(WebForm.Field.choices)
    public_url = request.build_absolute_uri(reverse("crm:web_form_public", args=[web_form.key]))
    context = {
        "web_form": web_form,
        "form": form,
        "public_url": public_url,
        "embed_fields": [(name, labels[name]) for name in web_form.fields if name in labels],
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, "crm/tools/web_form_edit.html", context)


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _public_language(request: HttpRequest, web_form: WebForm) -> str:
    """The organization's language unless the visitor switched (?lang=ar|en)."""
    choice = request.GET.get("lang", "")
    return choice if choice in dict(settings.LANGUAGES) else web_form.organization.language


@csrf_exempt  # embedded in other sites: the honeypot, the signed timestamp and the rate limit protect it
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def web_form_public_view(request: HttpRequest, key: str) -> HttpResponse:
    web_form = web_form_public(key=key)
    if web_form is None:
        raise Http404(_("Not found."))
    language = _public_language(request, web_form)
    with translation.override(language):
        response = _public_form(request, web_form, language)
        response.headers["Content-Security-Policy"] = PUBLIC_FORM_CSP
        response.headers["Content-Language"] = language
    return response


def _public_form(request: HttpRequest, web_form: WebForm, language: str) -> HttpResponse:
    form = WebToLeadForm(request.POST or None, web_form=web_form)
    status = 200
    notice = ""
    if request.method == "POST":
        try:
            submission = web_form_submit(web_form=web_form, data=request.POST.dict(), client_ip=_client_ip(request))
        except DomainError as error:
            if error.code == "rate_limited":
                status = 429
                notice = error.message
            else:
                form.is_valid()  # show the field errors of the input next to the service's
                apply_domain_error(form, request, error)
        else:
            if submission.outcome in (Outcome.CREATED, Outcome.SPAM):
                return _render_public(request, web_form, language, form=None, thanks=True)
            notice = _("Please check your details and send the form again.")
    return _render_public(request, web_form, language, form=form, notice=notice, status=status)


def _render_public(
    request: HttpRequest,
    web_form: WebForm,
    language: str,
    *,
    form: WebToLeadForm | None,
    thanks: bool = False,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "web_form": web_form,
        "organization": web_form.organization,
        "form": form,
        "thanks": thanks,
        "notice": notice,
        "language": language,
        "switch_language": "en" if language == "ar" else "ar",
        "text_direction": "rtl" if language == "ar" else "ltr",
        "language_code": language,
        "honeypot_field": HONEYPOT_FIELD,
        "token_field": TOKEN_FIELD,
        "token": web_form_token(web_form),
    }
    return render(request, "crm/tools/web_form_public.html", context, status=status)
