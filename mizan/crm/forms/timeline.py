"""Forms of the timeline panel: log a note, call, meeting or e-mail, send an e-mail, add a follow-up.

Date-times are typed in the organization's time zone (a datetime-local input has none).
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mizan.core.forms.base import StyledFormMixin
from mizan.core.models import Organization
from mizan.crm.models import Activity
from mizan.crm.selectors.timeline import assignable_members
from mizan.crm.services.timeline import CALL_OUTCOMES

INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class OrgDateTimeField(forms.Field):
    """A datetime-local value read and shown in the organization's time zone (not the server's)."""

    widget = DateTimeLocalInput
    default_error_messages = {"invalid": _("Enter a valid date and time.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone: datetime.tzinfo = datetime.UTC

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value if timezone.is_aware(value) else value.replace(tzinfo=self.zone)
        text = str(value).strip()
        for pattern in INPUT_FORMATS:
            try:
                naive = datetime.datetime.strptime(text, pattern)
            except ValueError:
                continue
            return naive.replace(tzinfo=self.zone)
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return value.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")
        return value


class TimelineForm(StyledFormMixin, forms.Form):
    """Gives every date-time field the organization's zone and a form-unique id prefix."""

    form_name = ""

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.form_name)
        super().__init__(*args, **kwargs)
        self.org = org
        zone = zoneinfo.ZoneInfo(org.timezone)
        for field in self.fields.values():
            if isinstance(field, OrgDateTimeField):
                field.zone = zone


class NoteForm(TimelineForm):
    form_name = "note"
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class CallForm(TimelineForm):
    form_name = "call"
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CALL_OUTCOMES)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=0, max_value=1440, required=False)
    occurred_at = OrgDateTimeField(label=_("When"), required=False, help_text=_("Leave empty for now."))
    subject = forms.CharField(label=_("Subject"), max_length=250, required=False)
    body = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MeetingForm(TimelineForm):
    form_name = "meeting"
    subject = forms.CharField(label=_("Subject"), max_length=250)
    occurred_at = OrgDateTimeField(label=_("When"), required=False, help_text=_("Leave empty for now."))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=0, max_value=1440, required=False)
    body = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class EmailForm(TimelineForm):
    """Log an e-mail written elsewhere, or send one from Mizan to the record's address."""

    form_name = "email"
    MODE_LOG = "log"
    MODE_SEND = "send"
    mode = forms.ChoiceField(
        label=_("What to do"),
        choices=[(MODE_SEND, _("Send it from Mizan")), (MODE_LOG, _("Log an e-mail sent elsewhere"))],
        widget=forms.RadioSelect,
        initial=MODE_SEND,
    )
    email_to = forms.CharField(label=_("To"), max_length=500, required=False, help_text=_("When logging only."))
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    occurred_at = OrgDateTimeField(label=_("Sent at"), required=False, help_text=_("When logging; empty for now."))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class FollowUpForm(TimelineForm):
    form_name = "follow_up"
    title = forms.CharField(label=_("To do"), max_length=250)
    due_at = OrgDateTimeField(label=_("Due"))
    remind_at = OrgDateTimeField(label=_("Remind me at"), required=False)
    assignee = forms.TypedChoiceField(label=_("Assigned to"), coerce=int)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = assignable_members(org=self.org)
        self.members = {membership.user_id: membership.user for membership in members}
        self.fields["assignee"].choices = [
            (user_id, person.full_name or person.email) for user_id, person in self.members.items()
        ]
        if user is not None and not self.is_bound:
            self.initial.setdefault("assignee", user.pk)

    def clean_assignee(self) -> Any:
        return self.members.get(self.cleaned_data["assignee"])


FORM_CLASSES: dict[str, type[TimelineForm]] = {
    "note": NoteForm,
    "call": CallForm,
    "meeting": MeetingForm,
    "email": EmailForm,
}

ACTIVITY_KIND_OF_FORM = {
    "note": Activity.Kind.NOTE,
    "call": Activity.Kind.CALL,
    "meeting": Activity.Kind.MEETING,
    "email": Activity.Kind.EMAIL,
}
