"""Bilingual e-mail: rendered in the recipient's language, delivered by a background task on commit.

`email_send` never talks to SMTP itself: it enqueues `email_deliver` when the caller's transaction
commits (nothing on rollback), so a slow or failing mail server never slows or breaks a request,
and a worker lost mid-send is retried (see mizan.core.background).

The context travels to the worker as JSON. Allowed values: JSON values (str, int, float, bool,
None, lists, dicts with str keys), plus `datetime`, `date` and `Decimal` (restored as such),
lazy translations (evaluated in the recipient's language), and model instances (sent as a
reference and read again from the database when the e-mail is rendered). Anything else raises
TypeError in the caller, before anything is enqueued.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise

from mizan.core.background import effect_done, effect_record, enqueue_run_on_commit, mizan_task


def email_render(*, template: str, context: dict[str, Any], language: str) -> EmailMultiAlternatives:
    """Render `emails/<template>_subject.txt`, `.txt` and `.html` in `language`."""
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, "language": language, **context}
        # One line: a CR or LF (e.g. in a subject typed by a member) makes the mail library refuse the header.
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", full_context).split())
        text_body = render_to_string(f"emails/{template}.txt", full_context)
        html_body = render_to_string(f"emails/{template}.html", full_context)
    message = EmailMultiAlternatives(subject=subject, body=text_body, from_email=settings.DEFAULT_FROM_EMAIL)
    message.attach_alternative(html_body, "text/html")
    return message


def email_send(
    *,
    to: list[str],
    template: str,
    context: dict[str, Any],
    language: str,
    key: str = "",
    organization: Any = None,
) -> None:
    """Deliver an e-mail in the background once the current transaction commits (never on rollback).

    `key` (optional, e.g. "invitation:42:sent") makes delivery idempotent: a re-run of the task,
    or a second `email_send` with the same key, sends nothing once it has been sent. `organization`
    (optional) lets that organization's owners and admins see a failed delivery on the status page.
    """
    with translation.override(language):
        encoded = context_encode(context)
    effect_key = f"email:{key}" if key else ""
    enqueue_run_on_commit(
        email_deliver,
        kwargs={"to": list(to), "template": template, "context": encoded, "language": language, "key": effect_key},
        key=effect_key,
        organization=organization,
    )


@mizan_task
def email_deliver(*, to: list[str], template: str, context: dict[str, Any], language: str, key: str = "") -> str:
    """Render and send one e-mail; with a key, at most one successful send per key.

    The key is recorded right after SMTP accepts the message: a worker lost between the two may
    send it again (at least once), but a finished send is never repeated.
    """
    if key and effect_done(key):
        return "already sent"
    message = email_render(template=template, context=context_decode(context), language=language)
    message.to = list(to)
    message.send()
    if key:
        effect_record(key)
    return "sent"


# --- Context transport ------------------------------------------------------------------------

_TAG = "__mizan__"


def context_encode(value: Any) -> Any:
    """Turn a template context into JSON, tagging the few richer types `context_decode` restores."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): context_encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [context_encode(v) for v in value]
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "value": str(value)}
    if isinstance(value, datetime.datetime):
        return {_TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, datetime.date):
        return {_TAG: "date", "value": value.isoformat()}
    if isinstance(value, models.Model):
        return {_TAG: "model", "model": value._meta.label, "pk": str(value.pk)}
    raise TypeError(
        f"E-mail context values must be JSON values, dates, decimals or model instances; got {type(value).__name__}."
    )


def context_decode(value: Any) -> Any:
    if isinstance(value, list):
        return [context_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get(_TAG)
    if kind == "decimal":
        return Decimal(value["value"])
    if kind == "datetime":
        return datetime.datetime.fromisoformat(value["value"])
    if kind == "date":
        return datetime.date.fromisoformat(value["value"])
    if kind == "model":
        return apps.get_model(value["model"])._default_manager.get(pk=value["pk"])
    return {k: context_decode(v) for k, v in value.items()}
