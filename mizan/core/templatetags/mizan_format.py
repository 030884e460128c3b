"""Locale-aware numbers, money and dates in templates (registered as a builtin: no {% load %}).

Filters use the formatter the shell context processor activated for this request (the
organization's digits, Hijri and time zone; the reader's language):

    {{ invoice.total|money:"SAR" }}   {{ count|number }}   {{ amount|number:2 }}
    {{ invoice.issued_on|localdate }}   {{ entry.created_at|localdatetime }}   {{ day|hijri }}

The tags do the same from the template context's `fmt`, for templates rendered with an explicit
formatter (e-mails, PDFs): {% money amount "SAR" %}, {% number x 2 %}, {% localdate d %}.
"""

from __future__ import annotations

from typing import Any

from django import template

from mizan.core.formatting import Formatter, active_formatter

register = template.Library()


def _formatter(context: template.Context | None = None) -> Formatter:
    if context is not None:
        formatter = context.get("fmt")
        if isinstance(formatter, Formatter):
            return formatter
    return active_formatter()


@register.filter(name="number", is_safe=True)
def number_filter(value: Any, decimals: Any = None) -> str:
    return _formatter().number(value, decimals=_decimals(decimals))


@register.filter(name="money", is_safe=True)
def money_filter(value: Any, currency: str = "") -> str:
    return _formatter().money(value, currency)


@register.filter(name="localdate", is_safe=True)
def localdate_filter(value: Any, date_format: str = "medium") -> str:
    return _formatter().date(value, date_format=date_format or "medium")


@register.filter(name="localdatetime", is_safe=True)
def localdatetime_filter(value: Any) -> str:
    return _formatter().datetime(value)


@register.filter(name="hijri", is_safe=True)
def hijri_filter(value: Any) -> str:
    return _formatter().hijri(value)


@register.simple_tag(takes_context=True, name="number")
def number_tag(context: template.Context, value: Any, decimals: Any = None) -> str:
    return _formatter(context).number(value, decimals=_decimals(decimals))


@register.simple_tag(takes_context=True, name="money")
def money_tag(context: template.Context, value: Any, currency: str) -> str:
    return _formatter(context).money(value, currency)


@register.simple_tag(takes_context=True, name="localdate")
def localdate_tag(context: template.Context, value: Any, date_format: str = "medium") -> str:
    return _formatter(context).date(value, date_format=date_format)


@register.simple_tag(takes_context=True, name="localdatetime")
def localdatetime_tag(context: template.Context, value: Any) -> str:
    return _formatter(context).datetime(value)


@register.simple_tag(takes_context=True, name="hijri")
def hijri_tag(context: template.Context, value: Any) -> str:
    return _formatter(context).hijri(value)


def _decimals(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return max(0, min(int(value), 6))
    except (TypeError, ValueError):
        return None
