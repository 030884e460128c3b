"""Web form for payment terms; it only shapes input, the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import PaymentTerm
from mizan.billing.services.terms import MAX_DAYS
from mizan.core.forms.base import StyledFormMixin

TERM_FORM_FIELDS = ["name_ar", "name_en", "days", "is_default"]


class PaymentTermForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    days = forms.IntegerField(
        label=_("Days after the invoice date"),
        min_value=0,
        max_value=MAX_DAYS,
        help_text=_("0: due on receipt."),
    )
    is_default = forms.BooleanField(
        label=_("Default for new invoices"),
        required=False,
        help_text=_("Invoices created without payment terms get these."),
    )

    def __init__(self, *args: Any, instance: PaymentTerm | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in TERM_FORM_FIELDS}
        super().__init__(*args, **kwargs)
        if instance is not None and instance.is_default:
            # Unsetting the default happens by choosing another one.
            self.fields["is_default"].disabled = True
