"""Likely duplicates and merging them."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.views.base import org_view
from mizan.crm.models import Company, Contact
from mizan.crm.selectors.duplicates import COMPANIES, CONTACTS, KINDS, duplicate_pair_ids, duplicate_pairs
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.duplicates import company_merge, contact_merge

PAGE_SIZE = 25


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or COMPANIES
    if kind not in KINDS:
        raise Http404(_("Not found."))
    return kind


@org_view(capability=Capability.CRM_EDIT)
@require_GET
def duplicate_list_view(request: HttpRequest) -> HttpResponse:
    kind = _kind(request)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    pairs, total = duplicate_pairs(
        org=request.org, membership=request.membership, kind=kind, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    page = Paginator(range(total), PAGE_SIZE).get_page(number)
    context = {"kind": kind, "pairs": pairs, "total": total, "page": page, "kinds": [COMPANIES, CONTACTS]}
    return render(request, "crm/tools/duplicate_list.html", context)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def duplicate_merge_view(request: HttpRequest) -> HttpResponse:
    """Both records side by side (GET ?kind=&first=&second=); POST keep=<id> merges the other into it."""
    kind = _kind(request)
    source = request.POST if request.method == "POST" else request.GET
    model = Company if kind == COMPANIES else Contact
    scope = {"org": request.org, "membership": request.membership}
    first = crm_visible_or_404(model.objects.all(), pk=source.get("first"), **scope)
    second = crm_visible_or_404(model.objects.all(), pk=source.get("second"), **scope)
    if request.method == "POST":
        keep_id = source.get("keep")
        if keep_id not in (str(first.pk), str(second.pk)):
            messages.error(request, _("Choose which record to keep."))
        else:
            keep, merge = (first, second) if keep_id == str(first.pk) else (second, first)
            service = company_merge if kind == COMPANIES else contact_merge
            try:
                kept = service(org=request.org, actor_membership=request.membership, keep=keep, merge=merge)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The records were merged."))
                return redirect("crm:company_detail" if kind == COMPANIES else "crm:contact_detail", pk=kept.pk)
    reasons = next(
        (found for low, high, found in duplicate_pair_ids(**scope, kind=kind) if {low, high} == {first.pk, second.pk}),
        [],
    )
    fields = _compare_fields(kind)
    rows = [(label, getattr(first, name), getattr(second, name), name in _LTR_FIELDS) for name, label in fields]
    context = {"kind": kind, "first": first, "second": second, "rows": rows, "reasons": reasons}
    return render(request, "crm/tools/duplicate_merge.html", context)


#: Values written left to right whatever the page language (a phone's "+" must stay in front).
_LTR_FIELDS = frozenset({"email", "phone", "mobile", "website", "vat_number"})


def _compare_fields(kind: str) -> list[tuple[str, str]]:
    model = Company if kind == COMPANIES else Contact
    names = (
        ["name_ar", "name_latin", "email", "phone", "website", "vat_number", "city", "owner"]
        if kind == COMPANIES
        else ["name_ar", "name_latin", "company", "job_title", "email", "phone", "mobile", "owner"]
    )
    return [(name, str(model._meta.get_field(name).verbose_name)) for name in names]
