"""The statement-of-account form of a client's account page (a GET form: period and language)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import DocumentLanguage
from mizan.core.forms.base import StyledFormMixin

#: The longest period one statement covers (its PDF stays a few pages, its query cheap).
MAX_STATEMENT_DAYS = 366 * 5
_DATE = {"type": "date"}


class StatementForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    language = forms.ChoiceField(label=_("Language of the PDF"), choices=DocumentLanguage.choices)

    @classmethod
    def defaults(cls, *, today: datetime.date, language: str) -> dict[str, Any]:
        """From the first day of the year to today, in the client's document language."""
        return {"date_from": today.replace(month=1, day=1), "date_to": today, "language": language}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", _("The end date must not be before the start date."))
            elif (date_to - date_from).days > MAX_STATEMENT_DAYS:
                self.add_error("date_to", _("A statement covers at most five years."))
        return cleaned
