"""Web forms of the cost center and project pages; they only shape input, the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.core.forms.base import StyledFormMixin
from mizan.ledger.models import AnalyticAccount, AnalyticKind

STATUS_ACTIVE = "active"
STATUS_INACTIVE = "inactive"


class AnalyticAccountForm(StyledFormMixin, forms.Form):
    """Kind only when adding: the services keep an analytic account's kind for good."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AnalyticKind.choices)
    code = forms.CharField(label=_("Code"), max_length=30)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)

    def __init__(self, *args: Any, instance: AnalyticAccount | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {"code": instance.code, "name_ar": instance.name_ar, "name_en": instance.name_en}
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["kind"]
        self.fields["code"].widget.attrs["dir"] = "ltr"
        self.fields["name_en"].widget.attrs["dir"] = "ltr"


class AnalyticFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *AnalyticKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Active and inactive")), (STATUS_ACTIVE, _("Active")), (STATUS_INACTIVE, _("Inactive"))],
        required=False,
    )

    def selected_kind(self) -> str | None:
        return (self.cleaned_data.get("kind") or None) if self.is_valid() else None

    def selected_is_active(self) -> bool | None:
        status = self.cleaned_data.get("status") if self.is_valid() else None
        return {STATUS_ACTIVE: True, STATUS_INACTIVE: False}.get(status or "")
