"""An e-mail sent from a record is delivered even when its subject holds line breaks (a header
with CR or LF is refused by the mail library, which would leave a "sent" activity never sent)."""

from __future__ import annotations

import pytest

from mizan.core.roles import Role
from mizan.crm.models import Contact
from mizan.crm.services.timeline import activity_email_send

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("subject", ["Hello\rBcc: probe@example.test", "Hello\nthere", "Hello\r\nthere"])
def test_subject_with_line_breaks_is_sent_on_one_line(tenant, subject, mailoutbox, django_capture_on_commit_callbacks):
    contact = Contact.objects.create(
        organization=tenant.org, name_latin="Sara", search_name="sara", email="sara@example.test", owner=tenant.owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        activity_email_send(
            org=tenant.org,
            actor_membership=tenant.members[Role.OWNER],
            target=contact,
            subject=subject,
            body="Our proposal is attached.",
            idempotency_key=f"subject-{subject!r}",
        )
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["sara@example.test"]
    assert "\r" not in sent.subject and "\n" not in sent.subject
    assert sent.subject.startswith("Hello ")
    assert sent.bcc == []
