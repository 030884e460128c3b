"""Bilingual e-mail: rendered in the recipient's language, sent only after the write commits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def email_render(*, template: str, context: dict[str, Any], language: str) -> EmailMultiAlternatives:
    """Render `emails/<template>_subject.txt`, `.txt` and `.html` in `language`."""
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, "language": language, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", full_context).strip().replace("\n", " ")
        text_body = render_to_string(f"emails/{template}.txt", full_context)
        html_body = render_to_string(f"emails/{template}.html", full_context)
    message = EmailMultiAlternatives(subject=subject, body=text_body, from_email=settings.DEFAULT_FROM_EMAIL)
    message.attach_alternative(html_body, "text/html")
    return message


def email_send(*, to: list[str], template: str, context: dict[str, Any], language: str) -> None:
    """Queue an e-mail to go out when the current transaction commits (never on rollback)."""
    message = email_render(template=template, context=context, language=language)
    message.to = list(to)
    transaction.on_commit(message.send)
