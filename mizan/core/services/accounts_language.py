"""The user's interface language (kept apart from accounts.py, which another area owns)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError


def supported_language(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


def user_set_language(*, user: Any, language: str) -> Any:
    """Save the language the user reads Mizan in; it wins over cookie and browser from now on.

    A personal preference, not organization data: no organization, so no audit entry.
    """
    if not supported_language(language):
        raise DomainError("unknown_language", _("This language is not available."), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
