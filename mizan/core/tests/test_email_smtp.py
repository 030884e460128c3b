"""One e-mail through a real SMTP server (aiosmtpd on 127.0.0.1): Arabic arrives intact."""

from __future__ import annotations

import copy
import socket
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from mizan.core.services.email import email_send


class _Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def arabic_template(settings, tmp_path: Path) -> str:
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "smtp_probe_subject.txt").write_text("فاتورة رقم {{ number }}", encoding="utf-8")
    (folder / "smtp_probe.txt").write_text("مرحبا {{ name }}، شكرا لتعاملكم معنا.", encoding="utf-8")
    (folder / "smtp_probe.html").write_text(
        '{% extends "emails/base.html" %}{% block body %}<p>مرحبا {{ name }}</p>{% endblock %}', encoding="utf-8"
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "smtp_probe"


def test_email_through_real_smtp_keeps_arabic_intact(
    db, smtp_server, arabic_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            to=["client@example.com", "finance@example.com"],
            template=arabic_template,
            context={"number": "INV-0042", "name": "أحمد"},
            language="ar",
        )
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["client@example.com", "finance@example.com"]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert str(message["Subject"]) == "فاتورة رقم INV-0042"
    assert message["To"] == "client@example.com, finance@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "مرحبا أحمد، شكرا لتعاملكم معنا." in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "مرحبا أحمد" in html and 'dir="rtl"' in html
