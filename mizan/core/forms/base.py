"""What every web form shares: Bootstrap styling and field choices used by several areas."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from django import forms
from django.utils.translation import gettext


def capped_choices(
    queryset: Any,
    chosen: list[Any],
    *,
    blank: bool | str,
    cap: int,
    label: Callable[[Any], str] = str,
) -> list[tuple[Any, str]]:
    """The chosen records first, then up to `cap` more of the queryset. An organization has tens of
    thousands of companies and contacts: a select of all of them weighed megabytes and took
    seconds to render (docs/benchmarks.md).

    `blank` adds the empty choice: True for "---------", or the label to show."""
    chosen_ids = []
    for item in chosen:
        try:
            chosen_ids.append(int(getattr(item, "pk", item)))
        except (TypeError, ValueError):
            continue
    items = list(queryset.filter(pk__in=chosen_ids))
    if cap:
        items += list(queryset.exclude(pk__in=chosen_ids)[:cap])
    choices: list[tuple[Any, str]] = []
    if blank:
        choices.append(("", "---------" if blank is True else blank))
    return choices + [(item.pk, label(item)) for item in items]


#: A list page's filter select lists fewer: Django renders each option through a template, and
#: 200 options cost the invoice list 40 ms. The list's text search finds any record.
FILTER_CHOICES_CAP = 50


class CappedChoicesFilterMixin:
    """For a django-filter FilterSet: the selects named in `capped_filters` list at most
    FILTER_CHOICES_CAP records (the chosen one first); any record of the queryset still validates."""

    capped_filters: tuple[str, ...] = ()

    @property
    def form(self) -> Any:
        form = super().form  # type: ignore[misc]
        if not getattr(form, "choices_capped", False):
            for name in self.capped_filters:
                field = form.fields[name]
                value = form.data.get(name) if form.is_bound else None
                # A callable: the records are read only when the select is rendered (never by the
                # API), and once (the widget iterates its choices more than once).
                field.widget.choices = cache(
                    partial(
                        capped_choices,
                        field.queryset,
                        [value] if value else [],
                        blank=str(field.empty_label or "---------"),
                        cap=FILTER_CHOICES_CAP,
                    )
                )
            form.choices_capped = True
        return form


def remote_picker(
    form: forms.BaseForm, name: str, *, source: str, label: str = "display_name", depends: str = ""
) -> None:
    """Make the select `name` a type-ahead picker: it lists only its chosen records and
    `core/js/picker.js` searches the rest in `source`, an API list (`q`, `results[].id` and
    `results[].<label>`), filtered on the form's field `depends` when given. Any record of the
    field's queryset still validates. The chosen records are the field's value when the select
    is rendered (the submitted one, else the initial one, and always the initial one of a field
    disabled after this call), read then, once."""
    field = form.fields[name]
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    blank = False if multiple or field.empty_label is None else str(field.empty_label)

    def choices() -> list[tuple[Any, str]]:
        value = form[name].value()
        chosen = list(value) if multiple and value else [value]
        return capped_choices(
            field.queryset,
            [item for item in chosen if item not in (None, "")],
            blank=blank,
            cap=0,
            label=field.label_from_instance,
        )

    field.widget.choices = cache(choices)
    field.widget.attrs.update(
        {
            "data-picker-source": source,
            "data-picker-label": label,
            "data-picker-placeholder": gettext("Type to search…"),
            "data-picker-none": gettext("No matches."),
            "data-picker-error": gettext("The search failed. Try again."),
            "data-picker-remove": gettext("Remove"),
            "data-picker-empty": blank or "",
        }
    )
    if depends:
        field.widget.attrs["data-picker-depends"] = depends


class StyledFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields that carry an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
                    widget.attrs["aria-invalid"] = "true"


@cache
def timezone_choices() -> list[tuple[str, str]]:
    """Region/City zones (and UTC), sorted; the list never changes while the process runs."""
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]
