"""Writing the timeline: logged notes, calls, meetings and e-mails, e-mails sent from a record,
and follow-up tasks with their once-only reminders.

Every activity goes through `activity_log` (mizan.crm.services.activities), which keeps the deal's
`last_activity_at`; every follow-up change keeps the deal's `next_step_due_at`.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mizan.core.access import require_capability
from mizan.core.background import once
from mizan.core.errors import DomainError
from mizan.core.formatting import Formatter
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_record, audit_values
from mizan.core.services.email import email_send
from mizan.core.services.notifications import notification_create
from mizan.crm.models import Activity, Company, Contact, Deal, FollowUp, Lead
from mizan.crm.selectors.timeline import CrmRecord, target_type_of
from mizan.crm.selectors.visibility import crm_visible
from mizan.crm.services.activities import activity_log

logger = logging.getLogger("mizan.crm")

#: Kinds a member records by hand; stage changes and system events are written by the services.
LOGGABLE_KINDS = (Activity.Kind.NOTE, Activity.Kind.CALL, Activity.Kind.MEETING, Activity.Kind.EMAIL)


class CallOutcome:
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"


CALL_OUTCOMES = [
    (CallOutcome.ANSWERED, gettext_lazy("Answered")),
    (CallOutcome.NO_ANSWER, gettext_lazy("No answer")),
    (CallOutcome.BUSY, gettext_lazy("Busy")),
    (CallOutcome.VOICEMAIL, gettext_lazy("Left a voicemail")),
    (CallOutcome.WRONG_NUMBER, gettext_lazy("Wrong number")),
]
EMAIL_SENT = "sent"
EMAIL_LOGGED = "logged"
OUTCOME_LABELS = dict(CALL_OUTCOMES) | {
    EMAIL_SENT: gettext_lazy("Sent from Mizan"),
    EMAIL_LOGGED: gettext_lazy("Logged"),
}

MAX_DURATION_MINUTES = 24 * 60
#: Clocks drift: an activity may be dated this far in the future and still count as "happened".
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
SUBJECT_MAX_LENGTH = 250


def _links(target: CrmRecord) -> dict[str, Any]:
    return {"company": None, "contact": None, "deal": None, "lead": None, target_type_of(target): target}


def _require_visible(*, org: Organization, membership: Membership, target: CrmRecord) -> None:
    """The member may only write on a record they can see (another tenant's or hidden: not found)."""
    model = type(target)
    if target.organization_id != org.pk or not (
        crm_visible(model.objects.filter(pk=target.pk), org=org, membership=membership).exists()
    ):
        raise DomainError("not_found", _("Not found."))


def _clean_text(value: Any, *, limit: int | None = None) -> str:
    text = str(value or "").strip()
    return text[:limit] if limit else text


def _clean_duration(duration_minutes: Any) -> int | None:
    if duration_minutes in (None, ""):
        return None
    try:
        minutes = int(duration_minutes)
    except (TypeError, ValueError):
        minutes = -1
    if not 0 <= minutes <= MAX_DURATION_MINUTES:
        raise DomainError(
            "invalid_duration", _("Enter a duration between 0 and 1440 minutes."), field="duration_minutes"
        )
    return minutes


def _clean_occurred_at(occurred_at: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if occurred_at is None:
        return now
    if timezone.is_naive(occurred_at):
        raise DomainError("invalid_time", _("Enter a date and time."), field="occurred_at")
    if occurred_at > now + FUTURE_TOLERANCE:
        raise DomainError(
            "in_the_future",
            _("An activity is something that happened: use a follow-up for what is still to do."),
            field="occurred_at",
        )
    return occurred_at


def activity_record(
    *,
    org: Organization,
    actor_membership: Membership,
    target: CrmRecord,
    kind: str,
    subject: str = "",
    body: str = "",
    occurred_at: datetime.datetime | None = None,
    duration_minutes: Any = None,
    outcome: str = "",
    email_to: str = "",
) -> Activity:
    """Record on a record's timeline a note, call, meeting or e-mail that happened elsewhere."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    _require_visible(org=org, membership=actor_membership, target=target)
    if kind not in LOGGABLE_KINDS:
        raise DomainError("invalid_kind", _("Choose a note, a call, a meeting or an e-mail."), field="kind")
    subject = _clean_text(subject, limit=SUBJECT_MAX_LENGTH)
    body = _clean_text(body)
    when = _clean_occurred_at(occurred_at)
    minutes = _clean_duration(duration_minutes) if kind in (Activity.Kind.CALL, Activity.Kind.MEETING) else None
    outcome = _clean_text(outcome)
    if kind == Activity.Kind.NOTE and not body:
        raise DomainError("body_required", _("Write the note."), field="body")
    if kind == Activity.Kind.CALL and outcome not in {value for value, _label in CALL_OUTCOMES}:
        raise DomainError("invalid_outcome", _("Choose how the call went."), field="outcome")
    if kind == Activity.Kind.MEETING and not subject:
        raise DomainError("subject_required", _("Enter what the meeting was about."), field="subject")
    if kind == Activity.Kind.EMAIL:
        if not subject:
            raise DomainError("subject_required", _("Enter the e-mail's subject."), field="subject")
        outcome = EMAIL_LOGGED
    elif kind != Activity.Kind.CALL:
        outcome = ""
    with transaction.atomic():
        activity = activity_log(
            org=org,
            actor=actor_membership.user,
            kind=kind,
            subject=subject,
            body=body,
            occurred_at=when,
            duration_minutes=minutes,
            outcome=outcome,
            email_to=_clean_text(email_to, limit=500) if kind == Activity.Kind.EMAIL else "",
            **_links(target),
        )
        audit_created(org=org, actor=actor_membership.user, instance=activity)
    return activity


def email_recipient(
    *, org: Organization, membership: Membership, target: CrmRecord, contact: Contact | None = None
) -> tuple[str, Contact | None]:
    """Where an e-mail sent from the record goes: the chosen contact, else the record's own address,
    else (for a deal or company) its first contact with an address that the member may see: under
    "own" visibility another member's contact is never chosen (nor shown) as the recipient."""
    visible_contacts = crm_visible(Contact.objects.all(), org=org, membership=membership)
    if contact is not None:
        if (
            contact.organization_id != target.organization_id
            or not _contact_belongs(contact, target)
            or not visible_contacts.filter(pk=contact.pk).exists()
        ):
            raise DomainError("invalid_contact", _("Choose one of this record's contacts."), field="contact")
        if not contact.email:
            raise DomainError("no_address", _("This contact has no e-mail address."), field="contact")
        return contact.email, contact
    if isinstance(target, Contact | Lead | Company) and target.email:
        return target.email, target if isinstance(target, Contact) else None
    if isinstance(target, Deal | Company):
        first = visible_contacts.filter(pk__in=target.contacts.values("pk")).exclude(email="").order_by("pk").first()
        if first is not None:
            return first.email, first
    raise DomainError("no_address", _("This record has no e-mail address to write to."), field="contact")


def _contact_belongs(contact: Contact, target: CrmRecord) -> bool:
    if isinstance(target, Contact):
        return contact.pk == target.pk
    if isinstance(target, Company):
        return contact.company_id == target.pk
    if isinstance(target, Deal):
        return target.contacts.filter(pk=contact.pk).exists() or (
            target.company_id is not None and contact.company_id == target.company_id
        )
    return False


def activity_email_send(
    *,
    org: Organization,
    actor_membership: Membership,
    target: CrmRecord,
    subject: str,
    body: str,
    idempotency_key: str,
    contact: Contact | None = None,
) -> Activity:
    """Send an e-mail from the record (in the organization's language) and put it on the timeline.

    The activity ("sent") and the queued e-mail commit together; the same `idempotency_key` (one per
    form shown, or chosen by an API client) never sends twice: the second call is refused.
    """
    require_capability(actor_membership, Capability.CRM_EDIT)
    _require_visible(org=org, membership=actor_membership, target=target)
    subject = _clean_text(subject, limit=SUBJECT_MAX_LENGTH)
    body = _clean_text(body)
    key = _clean_text(idempotency_key, limit=100)
    if not subject:
        raise DomainError("subject_required", _("Enter the e-mail's subject."), field="subject")
    if not body:
        raise DomainError("body_required", _("Write the e-mail."), field="body")
    if not key:
        raise DomainError("key_required", _("This form has expired: open it again."), field="idempotency_key")
    address, recipient_contact = email_recipient(org=org, membership=actor_membership, target=target, contact=contact)
    links = _links(target)
    if recipient_contact is not None and links["contact"] is None:
        links["contact"] = recipient_contact
    with once(f"crm:email:{org.pk}:{key}") as first_time:
        if not first_time:
            raise DomainError("already_sent", _("This e-mail has already been sent."), field="idempotency_key")
        activity = activity_log(
            org=org,
            actor=actor_membership.user,
            kind=Activity.Kind.EMAIL,
            subject=subject,
            body=body,
            outcome=EMAIL_SENT,
            email_to=address,
            **links,
        )
        audit_created(org=org, actor=actor_membership.user, instance=activity)
        email_send(
            to=[address],
            template="crm_message",
            context={
                "subject": subject,
                "body": body,
                "sender_name": actor_membership.user.full_name or actor_membership.user.email,
                "sender_email": actor_membership.user.email,
                "organization_name": org.display_name(org.language),
            },
            language=org.language,
            key=f"crm:activity:{activity.pk}",
            organization=org,
        )
    return activity


# --- Follow-ups ---------------------------------------------------------------------------------


def deal_next_step_refresh(*, deal_id: int) -> None:
    """`next_step_due_at` = due time of the deal's earliest open follow-up, or null: one UPDATE."""
    earliest = (
        FollowUp.objects.filter(deal_id=OuterRef("pk"), completed_at__isnull=True).order_by("due_at").values("due_at")
    )
    Deal.objects.filter(pk=deal_id).update(next_step_due_at=Subquery(earliest[:1]))


def _check_assignee(*, org: Organization, assignee: Any) -> None:
    if assignee is None or not Membership.objects.filter(organization=org, user=assignee, is_active=True).exists():
        raise DomainError("invalid_assignee", _("Choose an active member of the organization."), field="assignee")


def follow_up_create(
    *,
    org: Organization,
    actor_membership: Membership,
    title: str,
    due_at: datetime.datetime | None,
    assignee: Any,
    remind_at: datetime.datetime | None = None,
    notes: str = "",
    company: Company | None = None,
    contact: Contact | None = None,
    deal: Deal | None = None,
    lead: Lead | None = None,
) -> FollowUp:
    """A dated next step on a record, given to an active member; keeps the deal's next step."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    targets = [target for target in (deal, contact, lead, company) if target is not None]
    if not targets:
        raise DomainError("no_target", _("A follow-up must belong to a company, contact, deal or lead."))
    for target in targets:
        _require_visible(org=org, membership=actor_membership, target=target)
    title = _clean_text(title, limit=250)
    if not title:
        raise DomainError("title_required", _("Say what is to be done."), field="title")
    if due_at is None or timezone.is_naive(due_at):
        raise DomainError("due_required", _("Enter when it is due."), field="due_at")
    if remind_at is not None and (timezone.is_naive(remind_at) or remind_at > due_at):
        raise DomainError("remind_after_due", _("The reminder must come before it is due."), field="remind_at")
    _check_assignee(org=org, assignee=assignee)
    if company is None:
        company = (deal.company if deal is not None else None) or (contact.company if contact is not None else None)
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            organization=org,
            title=title,
            notes=_clean_text(notes),
            due_at=due_at,
            remind_at=remind_at,
            assignee=assignee,
            company=company,
            contact=contact,
            deal=deal,
            lead=lead,
            created_by=actor_membership.user,
        )
        audit_created(org=org, actor=actor_membership.user, instance=follow_up)
        if deal is not None:
            deal_next_step_refresh(deal_id=deal.pk)
    return follow_up


def _follow_up_set_done(
    *, org: Organization, actor_membership: Membership, follow_up: FollowUp, done: bool
) -> FollowUp:
    require_capability(actor_membership, Capability.CRM_EDIT)
    if follow_up.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if (locked.completed_at is not None) == done:
            return locked  # already in that state: nothing to change, nothing to audit
        before = audit_values(locked)
        locked.completed_at = timezone.now() if done else None
        locked.save(update_fields=["completed_at", "updated_at"])
        after = audit_values(locked)
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=locked,
            action="update",
            changes={"completed_at": [before["completed_at"], after["completed_at"]]},
        )
        if locked.deal_id is not None:
            deal_next_step_refresh(deal_id=locked.deal_id)
    return locked


def follow_up_complete(*, org: Organization, actor_membership: Membership, follow_up: FollowUp) -> FollowUp:
    """Mark it done (done already: unchanged); the deal's next step moves to the next open one."""
    return _follow_up_set_done(org=org, actor_membership=actor_membership, follow_up=follow_up, done=True)


def follow_up_reopen(*, org: Organization, actor_membership: Membership, follow_up: FollowUp) -> FollowUp:
    """Undo "done"."""
    return _follow_up_set_done(org=org, actor_membership=actor_membership, follow_up=follow_up, done=False)


# --- Reminders ----------------------------------------------------------------------------------


def follow_up_reminders_due(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of open follow-ups whose reminder time has come and whose reminder was never sent."""
    return list(
        FollowUp.objects.filter(
            remind_at__lte=now or timezone.now(), reminder_sent_at__isnull=True, completed_at__isnull=True
        )
        .order_by("remind_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def follow_up_reminder_send(*, follow_up_id: int, now: datetime.datetime | None = None) -> bool:
    """Claim the reminder (a conditional UPDATE only one caller wins) and, in the same transaction,
    queue the e-mail and write the in-app notification. False when someone else already sent it."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = FollowUp.objects.filter(
            pk=follow_up_id, reminder_sent_at__isnull=True, completed_at__isnull=True
        ).update(reminder_sent_at=now)
        if not claimed:
            return False
        follow_up = FollowUp.objects.select_related(
            "organization", "assignee", "company", "contact", "deal", "lead"
        ).get(pk=follow_up_id)
        org, assignee = follow_up.organization, follow_up.assignee
        if not Membership.objects.filter(organization=org, user=assignee, is_active=True).exists():
            return True  # the assignee left: the reminder is spent, nobody to tell
        url = _record_path(follow_up)
        with once(f"crm:follow-up-reminder:{follow_up.pk}") as first_time:
            if not first_time:
                return False
            with translation.override(assignee.language):
                message = _("Reminder: {title}").format(title=follow_up.title)
            notification_create(org=org, user=assignee, message=message, url=url)
            email_send(
                to=[assignee.email],
                template="crm_follow_up_reminder",
                context={
                    "title": follow_up.title,
                    "notes": follow_up.notes,
                    "due_text": Formatter.for_org(org, assignee.language).datetime(follow_up.due_at),
                    "record_name": str(_follow_up_record(follow_up) or ""),
                    "record_url": url,
                    "organization_name": org.display_name(assignee.language),
                },
                language=assignee.language,
                key=f"crm:follow-up-reminder:{follow_up.pk}",
                organization=org,
            )
    return True


def follow_up_reminders_send(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The periodic scan (every worker runs it): send each due reminder once; returns how many."""
    sent = 0
    for follow_up_id in follow_up_reminders_due(now=now, limit=limit):
        try:
            if follow_up_reminder_send(follow_up_id=follow_up_id, now=now):
                sent += 1
        except Exception:
            logger.exception("Could not send the reminder of follow-up %s", follow_up_id)
    return sent


def _follow_up_record(follow_up: FollowUp) -> CrmRecord | None:
    return follow_up.deal or follow_up.contact or follow_up.lead or follow_up.company


def _record_path(follow_up: FollowUp) -> str:
    """The page of the record the follow-up is about ("" if that page does not exist)."""
    record = _follow_up_record(follow_up)
    if record is None:
        return ""
    try:
        return reverse(f"crm:{target_type_of(record)}_detail", args=[record.pk])
    except NoReverseMatch:
        try:
            return reverse("crm:my_day")
        except NoReverseMatch:
            return ""
