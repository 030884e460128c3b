"""Report filters from a query string, shared by the report pages and the report API.

Ids resolve inside the organization (another organization's id answers 404); bad dates or
choices are a DomainError (a message on the page, 400 in the API), never a 500.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.forms.base import StyledFormMixin
from mizan.ledger.models import Account, AccountRole, AccountType, AnalyticAccount, AnalyticKind
from mizan.ledger.selectors.report_lines import SIDES, UNASSIGNED, LineFilters
from mizan.ledger.selectors.reports import Comparison, ReportFilters
from mizan.ledger.services.periods import fiscal_year_start_for

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AnalyticChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def default_period(org: Any) -> tuple[datetime.date, datetime.date]:
    """From the start of the current fiscal year to today."""
    today = org.today()
    return fiscal_year_start_for(org, today), today


class AsOfForm(StyledFormMixin, forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        self.org = org
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("as_of"):
            self.data = self.data.copy()
            self.data["as_of"] = org.today().isoformat()

    def as_of_date(self) -> datetime.date:
        return self.cleaned_data.get("as_of") or self.org.today()


class PeriodForm(StyledFormMixin, forms.Form):
    """Date range, transaction currency, cost center and project."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    currency = forms.ChoiceField(
        label=_("Currency"), required=False, choices=[("", _("All currencies")), *CURRENCY_CHOICES]
    )
    cost_center = AnalyticChoiceField(
        label=_("Department / cost center"),
        queryset=AnalyticAccount.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    project = AnalyticChoiceField(
        label=_("Project"), queryset=AnalyticAccount.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        self.org = org
        super().__init__(*args, **kwargs)
        self._show_default_period()
        analytic = AnalyticAccount.objects.filter(organization=org).order_by("code")
        if "cost_center" in self.fields:
            self.fields["cost_center"].queryset = analytic.filter(
                kind__in=[AnalyticKind.DEPARTMENT, AnalyticKind.COST_CENTER]
            )
        if "project" in self.fields:
            self.fields["project"].queryset = analytic.filter(kind=AnalyticKind.PROJECT)

    def _show_default_period(self) -> None:
        """Empty dates mean the default period: show it in the fields, not blank date inputs
        above a report of dates the accountant cannot see."""
        if not self.is_bound:
            return
        missing = [name for name in ("date_from", "date_to") if not self.data.get(name)]
        if missing:
            self.data = self.data.copy()
            defaults = dict(zip(("date_from", "date_to"), default_period(self.org), strict=True))
            for name in missing:
                self.data[name] = defaults[name].isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = default_period(self.org)
        data["date_from"] = data.get("date_from") or start
        data["date_to"] = data.get("date_to") or end
        if data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data

    def report_filters(self) -> ReportFilters:
        data = self.cleaned_data
        cost_center, project = data.get("cost_center"), data.get("project")
        return ReportFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            currency=data.get("currency") or None,
            cost_center_id=cost_center.pk if cost_center else None,
            project_id=project.pk if project else None,
        )


class ProfitAndLossForm(PeriodForm):
    comparison = forms.ChoiceField(label=_("Compare with"), required=False, choices=Comparison.choices)


class AnalyticReportForm(PeriodForm):
    """Per cost center or project: the dimension is the columns, so it is not a filter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["cost_center"]
        del self.fields["project"]


class GeneralLedgerForm(PeriodForm):
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.filter(organization=self.org).order_by("code")
        self.order_fields(["account"])


# --- The drill-down line list: plain query parameters --------------------------------------


def _date(params: Mapping[str, Any], name: str) -> datetime.date | None:
    value = params.get(name) or ""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(
            "ledger.report_filter_invalid", gettext("Enter a valid date (YYYY-MM-DD)."), field=name
        ) from None


def _many(params: Any, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        return [value for value in params.getlist(name) if value]
    value = params.get(name)
    return [value] if value else []


def _choices(params: Any, name: str, allowed: list[str]) -> tuple[str, ...]:
    values = _many(params, name)
    if any(value not in allowed for value in values):
        raise DomainError("ledger.report_filter_invalid", gettext("Choose a valid value."), field=name)
    return tuple(values)


def _record(params: Mapping[str, Any], name: str, model: Any, org: Any) -> int | str | None:
    """An id of the organization's record (404 otherwise), UNASSIGNED, or None."""
    value = params.get(name) or ""
    if not value:
        return None
    if value == UNASSIGNED:
        return UNASSIGNED
    return access_or_404(model, org=org, pk=value).pk


def line_filters_from_params(params: Any, *, org: Any) -> LineFilters:
    """The line list's filters from its query string (the drill-down links build it)."""
    from mizan.crm.models import Company

    account_id = _record(params, "account", Account, org)
    if account_id == UNASSIGNED:
        raise DomainError("ledger.report_filter_invalid", gettext("Choose a valid value."), field="account")
    currency = params.get("currency") or None
    if currency is not None and currency not in dict(CURRENCY_CHOICES):
        raise DomainError("ledger.report_filter_invalid", gettext("Choose a valid value."), field="currency")
    side = params.get("side") or None
    if side is not None and side not in SIDES:
        raise DomainError("ledger.report_filter_invalid", gettext("Choose a valid value."), field="side")
    return LineFilters(
        account_id=account_id,  # type: ignore[arg-type]
        account_types=_choices(params, "account_type", AccountType.values),
        account_roles=_choices(params, "account_role", AccountRole.values),
        partner_id=_record(params, "partner", Company, org),
        date_from=_date(params, "date_from"),
        date_to=_date(params, "date_to"),
        due_from=_date(params, "due_from"),
        due_to=_date(params, "due_to"),
        cost_center_id=_record(params, "cost_center", AnalyticAccount, org),
        project_id=_record(params, "project", AnalyticAccount, org),
        currency=currency,
        exclude_closing=str(params.get("exclude_closing") or "") in {"1", "true"},
        side=side,
    )
