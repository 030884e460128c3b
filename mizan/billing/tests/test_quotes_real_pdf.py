"""The quote e-mail carries the real PDF (rendered by mizan.billing.pdf in the worker)."""

from __future__ import annotations

import pytest

from mizan.billing.services.quotes import quote_send
from mizan.billing.tests.factories import billing_member
from mizan.billing.tests.test_quotes_support import client_with_contact, make_quote, three_lines

pytestmark = pytest.mark.django_db


def test_sent_quote_has_its_pdf_attached(tenant, mailoutbox, django_capture_on_commit_callbacks):
    org = tenant.org
    company, _contact = client_with_contact(org, language="ar")
    quote = make_quote(tenant, company=company, lines=three_lines(org), title="تجهيز المكتب")
    with django_capture_on_commit_callbacks(execute=True):
        quote_send(org=org, actor_membership=billing_member(tenant), quote=quote)
    (name, content, mimetype) = mailoutbox[0].attachments[0]
    assert (name, mimetype) == ("Q-00001.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
