"""Export of a CRM list as CSV or XLSX, exactly as filtered on the page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mizan.core.errors import DomainError
from mizan.core.exports import FORMATS, export_response
from mizan.core.roles import Capability
from mizan.core.views.base import org_view
from mizan.crm.selectors.exports import EXPORT_LISTS, export_columns, export_list_rows


@org_view(capability=Capability.CRM_VIEW)
@require_GET
def export_list_view(request: HttpRequest, list_name: str) -> HttpResponse:
    """`?export=csv|xlsx` plus the list page's own filter and ordering parameters."""
    if list_name not in EXPORT_LISTS:
        raise Http404(_("Not found."))
    file_format = request.GET.get("export", "csv")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or Excel."), content_type="text/plain; charset=utf-8")
    try:
        spec, rows = export_list_rows(
            org=request.org, membership=request.membership, list_name=list_name, data=request.GET, request=request
        )
    except DomainError as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    return export_response(
        filename=f"{spec.filename}-{request.org.today().isoformat()}",
        columns=export_columns(spec, request.org),
        rows=rows,
        file_format=file_format,
        timezone_name=request.org.timezone,
        sheet_title=str(spec.title),
    )
