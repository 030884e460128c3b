"""CRM settings: pipelines, their stages (order, probability, kind, going cold) and lost reasons."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.views.base import org_view, submit_form
from mizan.crm.forms.deals import LostReasonForm, PipelineForm, StageForm
from mizan.crm.models import LostReason, Pipeline, Stage
from mizan.crm.selectors.deals import lost_reason_list, pipeline_with_stages, stage_list
from mizan.crm.services.pipelines import (
    lost_reason_create,
    lost_reason_update,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_reorder,
    stage_update,
)


@org_view(capability=Capability.CRM_MANAGE)
@require_GET
def pipeline_list(request: HttpRequest) -> HttpResponse:
    context = {
        "pipelines": pipeline_with_stages(org=request.org),
        "lost_reasons": lost_reason_list(org=request.org),
        "pipeline_form": PipelineForm(initial={"is_active": True}),
        "lost_reason_form": LostReasonForm(initial={"is_active": True}),
    }
    return render(request, "crm/pipelines/list.html", context)


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def pipeline_create_view(request: HttpRequest) -> HttpResponse:
    form = PipelineForm(request.POST)
    done = submit_form(
        request,
        form,
        save=lambda: pipeline_create(org=request.org, actor_membership=request.membership, data=form.cleaned_data),
        success=_("The pipeline was created with the usual stages; adjust them below."),
        then=lambda pipeline: redirect("crm:pipeline_edit", pk=pipeline.pk),
    )
    if done is not None:
        return done
    context = {
        "pipelines": pipeline_with_stages(org=request.org),
        "lost_reasons": lost_reason_list(org=request.org),
        "pipeline_form": form,
        "lost_reason_form": LostReasonForm(initial={"is_active": True}),
    }
    return render(request, "crm/pipelines/list.html", context, status=400)


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = access_or_404(Pipeline, org=request.org, pk=pk)
    initial = {name: getattr(pipeline, name) for name in ("name_ar", "name_en", "is_default", "is_active")}
    form = PipelineForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        save=lambda: pipeline_update(
            org=request.org, actor_membership=request.membership, pipeline=pipeline, data=form.cleaned_data
        ),
        success=_("The pipeline was saved."),
        then=lambda _saved: redirect("crm:pipeline_edit", pk=pipeline.pk),
    )
    if done is not None:
        return done
    return _render_edit(request, pipeline, form=form, status=400 if form.errors else 200)


def _render_edit(
    request: HttpRequest,
    pipeline: Pipeline,
    *,
    form: PipelineForm | None = None,
    stage_form: StageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {name: getattr(pipeline, name) for name in ("name_ar", "name_en", "is_default", "is_active")}
    context = {
        "pipeline": pipeline,
        "form": form or PipelineForm(initial=initial),
        "stages": stage_list(org=request.org, pipeline=pipeline),
        "stage_form": stage_form or StageForm(),
    }
    return render(request, "crm/pipelines/edit.html", context, status=status)


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def pipeline_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = access_or_404(Pipeline, org=request.org, pk=pk)
    try:
        pipeline_delete(org=request.org, actor_membership=request.membership, pipeline=pipeline)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("crm:pipeline_edit", pk=pipeline.pk)
    messages.success(request, _("The pipeline was deleted."))
    return redirect("crm:pipeline_list")


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def stage_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = access_or_404(Pipeline, org=request.org, pk=pk)
    form = StageForm(request.POST)
    done = submit_form(
        request,
        form,
        save=lambda: stage_create(
            org=request.org, actor_membership=request.membership, pipeline=pipeline, data=form.cleaned_data
        ),
        success=_("The stage was added."),
        then=lambda _stage: redirect("crm:pipeline_edit", pk=pipeline.pk),
    )
    if done is not None:
        return done
    return _render_edit(request, pipeline, stage_form=form, status=400)


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = access_or_404(Stage.objects.select_related("pipeline"), org=request.org, pk=pk)
    fields = ("name_ar", "name_en", "probability", "kind", "cold_after_days")
    form = StageForm(request.POST or None, initial={name: getattr(stage, name) for name in fields})
    done = submit_form(
        request,
        form,
        save=lambda: stage_update(
            org=request.org, actor_membership=request.membership, stage=stage, data=form.cleaned_data
        ),
        success=_("The stage was saved."),
        then=lambda _saved: redirect("crm:pipeline_edit", pk=stage.pipeline_id),
    )
    if done is not None:
        return done
    context = {"stage": stage, "form": form}
    return render(request, "crm/pipelines/stage_edit.html", context, status=400 if form.errors else 200)


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def stage_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    stage = access_or_404(Stage, org=request.org, pk=pk)
    try:
        stage_delete(org=request.org, actor_membership=request.membership, stage=stage)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The stage was deleted."))
    return redirect("crm:pipeline_edit", pk=stage.pipeline_id)


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def stage_reorder_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Positions come as `position_<stage id>` numbers (typed, or set by dragging); sorted here."""
    pipeline = access_or_404(Pipeline, org=request.org, pk=pk)
    entries = []
    for key, value in request.POST.items():
        if key.startswith("position_"):
            try:
                entries.append((int(value), key.removeprefix("position_")))
            except ValueError:
                messages.error(request, _("Enter whole numbers as positions."))
                return redirect("crm:pipeline_edit", pk=pipeline.pk)
    ordered = [stage_id for _position, stage_id in sorted(entries, key=lambda item: (item[0], item[1]))]
    try:
        stage_reorder(org=request.org, actor_membership=request.membership, pipeline=pipeline, stage_ids=ordered)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The stages were reordered."))
    return redirect("crm:pipeline_edit", pk=pipeline.pk)


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def lost_reason_create_view(request: HttpRequest) -> HttpResponse:
    form = LostReasonForm(request.POST)
    done = submit_form(
        request,
        form,
        save=lambda: lost_reason_create(org=request.org, actor_membership=request.membership, data=form.cleaned_data),
        success=_("The lost reason was added."),
        then=lambda _reason: redirect("crm:pipeline_list"),
    )
    if done is not None:
        return done
    context = {
        "pipelines": pipeline_with_stages(org=request.org),
        "lost_reasons": lost_reason_list(org=request.org),
        "pipeline_form": PipelineForm(initial={"is_active": True}),
        "lost_reason_form": form,
    }
    return render(request, "crm/pipelines/list.html", context, status=400)


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def lost_reason_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reason = access_or_404(LostReason, org=request.org, pk=pk)
    initial = {name: getattr(reason, name) for name in ("name_ar", "name_en", "is_active")}
    form = LostReasonForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        save=lambda: lost_reason_update(
            org=request.org, actor_membership=request.membership, reason=reason, data=form.cleaned_data
        ),
        success=_("The lost reason was saved."),
        then=lambda _saved: redirect("crm:pipeline_list"),
    )
    if done is not None:
        return done
    context = {"reason": reason, "form": form}
    return render(request, "crm/pipelines/lost_reason_edit.html", context, status=400 if form.errors else 200)
