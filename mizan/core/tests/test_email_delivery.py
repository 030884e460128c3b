"""E-mail goes out through a background task on commit, once per key, in the recipient's language."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy

from mizan.core.models import TaskEffect, TaskRun, User
from mizan.core.services.email import context_decode, context_encode, email_deliver, email_send

SUBJECT = "{% load i18n %}{% if language == 'ar' %}مرحبا {{ name }}{% else %}Hello {{ name }}{% endif %}"
TEXT = (
    "{% if language == 'ar' %}عزيزي {{ name }}، فاتورتك جاهزة.{% else %}Dear {{ name }}, your invoice is ready."
    "{% endif %} {{ amount }} {{ due|date:'Y-m-d' }} {{ user.email }} {{ label }}"
)
HTML = '{% extends "emails/base.html" %}{% block body %}<p>' + TEXT + "</p>{% endblock %}"


@pytest.fixture
def email_templates(settings, tmp_path: Path) -> str:
    """A throwaway template "probe" next to the real e-mail templates."""
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "probe_subject.txt").write_text(SUBJECT, encoding="utf-8")
    (folder / "probe.txt").write_text(TEXT, encoding="utf-8")
    (folder / "probe.html").write_text(HTML, encoding="utf-8")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "probe"


def test_email_goes_out_after_commit_in_the_recipients_language(
    db, email_templates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_send(to=["a@example.com"], template=email_templates, context={"name": "سارة"}, language="ar")
        assert mailoutbox == []
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "مرحبا سارة"
    assert message.to == ["a@example.com"]
    assert "عزيزي سارة، فاتورتك جاهزة." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'dir="rtl"' in html
    run = TaskRun.objects.get()
    assert (run.task_name, run.status, run.attempts) == ("email_deliver", TaskRun.Status.SUCCEEDED, 1)


def test_rolled_back_write_sends_nothing(db, email_templates, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        email_send(to=["a@example.com"], template=email_templates, context={"name": "Sara"}, language="en")
        raise RuntimeError("rollback")
    assert mailoutbox == []
    assert TaskRun.objects.count() == 0


def test_a_key_sends_once(db, email_templates, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            email_send(
                to=["a@example.com"], template=email_templates, context={"name": "Sara"}, language="en", key="probe:1"
            )
    assert [m.subject for m in mailoutbox] == ["Hello Sara"]
    assert TaskEffect.objects.filter(key="email:probe:1").exists()
    # A re-run of the task itself (a worker lost after sending) sends nothing either.
    run = TaskRun.objects.filter(key="email:probe:1").first()
    assert email_deliver.call(**run.kwargs) == "already sent"
    assert len(mailoutbox) == 1


def test_context_dates_decimals_models_and_lazy_text_survive_the_queue(
    db, email_templates, mailoutbox, django_capture_on_commit_callbacks
):
    user = User.objects.create(email="client@example.com")
    context = {
        "name": "Sara",
        "amount": Decimal("1150.50"),
        "due": datetime.date(2025, 3, 31),
        "user": user,
        "label": gettext_lazy("Owner"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to=["a@example.com"], template=email_templates, context=context, language="en")
    assert "1150.50 2025-03-31 client@example.com Owner" in mailoutbox[0].body
    encoded = TaskRun.objects.get().kwargs["context"]
    assert encoded["user"] == {"__mizan__": "model", "model": "core.User", "pk": str(user.pk)}
    moment = datetime.datetime(2025, 1, 2, 3, 4, tzinfo=datetime.UTC)
    assert context_decode(context_encode({"at": moment, "n": [Decimal("1.5")]})) == {
        "at": moment,
        "n": [Decimal("1.5")],
    }


def test_context_that_cannot_travel_is_refused_before_anything_is_queued(db, email_templates, mailoutbox):
    with pytest.raises(TypeError, match="E-mail context values"):
        email_send(to=["a@example.com"], template=email_templates, context={"thing": object()}, language="en")
    assert TaskRun.objects.count() == 0
    assert mailoutbox == []
