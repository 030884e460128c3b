"""Template filters for locale-aware numbers, money and dates (loaded as a builtin)."""

from __future__ import annotations

from django import template

register = template.Library()
