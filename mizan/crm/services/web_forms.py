"""Public web-to-lead forms: their settings, and turning a visitor's submission into a lead.

A public form has no session and no CSRF token (it is embedded in other sites), so spam is kept
out three ways, all before anything is written: a per-address and per-form rate limit in the
cache, a honeypot field people never see, and a signed timestamp issued with the form (a
submission without one, with a forged one, or faster than a person can type is not accepted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, model_update
from mizan.crm.models import Activity, Lead, LeadSource, WebForm
from mizan.crm.models.web_forms import web_form_key
from mizan.crm.services.activities import activity_log
from mizan.crm.services.clients import owner_user
from mizan.crm.services.leads import lead_create
from mizan.crm.services.scoring import lead_score_apply, scoring_rules_active

Field = WebForm.Field

DEFAULT_FIELDS = [Field.PERSON_NAME, Field.EMAIL, Field.PHONE, Field.COMPANY_NAME, Field.MESSAGE]
#: The visually hidden field that only robots fill in.
HONEYPOT_FIELD = "website_url"
TOKEN_FIELD = "form_token"
TOKEN_SALT = "mizan.crm.web_form"
#: A person needs at least this long to fill in a form; the token also expires after a day.
MINIMUM_SECONDS = 2
TOKEN_MAX_AGE = 60 * 60 * 24
RATE_LIMIT = getattr(settings, "WEB_FORM_RATE_LIMIT", 5)
RATE_WINDOW_SECONDS = 60
WEB_FORM_SETTINGS = ["name", "is_active", "source", "owner", "thank_you_message", "fields"]


class Outcome:
    CREATED = "created"
    SPAM = "spam"  # honeypot: answer as if it worked, so robots learn nothing
    RETRY = "retry"  # no valid token, or too fast: show the filled form again with a fresh token


@dataclass
class Submission:
    outcome: str
    lead: Lead | None = None


# --- settings -------------------------------------------------------------------------------


def _clean_fields(value: Any) -> list[str]:
    chosen = [str(name) for name in (value or [])]
    unknown = [name for name in chosen if name not in Field.values]
    if unknown:
        raise DomainError("invalid_field", _("Choose fields from the list."), field="fields")
    ordered = [name for name in Field.values if name in chosen and name != Field.PERSON_NAME]
    return [Field.PERSON_NAME, *ordered]


def _clean_settings(*, org: Organization, data: dict[str, Any], current: WebForm | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in data or current is None:
        values["name"] = (data.get("name") or "").strip()[:120]
        if not values["name"]:
            raise DomainError("name_required", _("Give the form a name."), field="name")
    if "is_active" in data:
        values["is_active"] = bool(data["is_active"])
    if "source" in data:
        source = data["source"]
        if source is not None and (not isinstance(source, LeadSource) or source.organization_id != org.pk):
            raise DomainError("not_found", _("Not found."), field="source")
        values["source"] = source
    if "owner" in data:
        values["owner"] = owner_user(org=org, owner=data["owner"])
    if "thank_you_message" in data:
        values["thank_you_message"] = (data["thank_you_message"] or "").strip()[:2000]
    if "fields" in data or current is None:
        values["fields"] = _clean_fields(data.get("fields") or DEFAULT_FIELDS)
    return values


def web_form_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> WebForm:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    values = _clean_settings(org=org, data=data, current=None)
    with transaction.atomic():
        web_form = WebForm.objects.create(organization=org, **values)
        audit_created(org=org, actor=actor_membership.user, instance=web_form)
    return web_form


def web_form_update(
    *, org: Organization, actor_membership: Membership, web_form: WebForm, data: dict[str, Any]
) -> WebForm:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    if web_form.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    values = _clean_settings(org=org, data=data, current=web_form)
    web_form, _changed = model_update(
        org=org, actor=actor_membership.user, instance=web_form, data=values, fields=list(values)
    )
    return web_form


def web_form_regenerate_key(*, org: Organization, actor_membership: Membership, web_form: WebForm) -> WebForm:
    """A new public address: the old embed code stops working (after a leak, or to stop spam)."""
    require_capability(actor_membership, Capability.CRM_MANAGE)
    if web_form.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    web_form, _changed = model_update(
        org=org, actor=actor_membership.user, instance=web_form, data={"key": web_form_key()}, fields=["key"]
    )
    return web_form


# --- submissions ----------------------------------------------------------------------------


def web_form_token(web_form: WebForm, *, issued_at: float | None = None) -> str:
    """The signed "this form was shown at" value the page embeds in a hidden field."""
    return signing.dumps({"f": web_form.pk, "t": time.time() if issued_at is None else issued_at}, salt=TOKEN_SALT)


def _token_is_human(web_form: WebForm, token: str) -> bool:
    try:
        payload = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    if not isinstance(payload, dict) or payload.get("f") != web_form.pk:
        return False
    issued_at = payload.get("t")
    return isinstance(issued_at, int | float) and time.time() - issued_at >= MINIMUM_SECONDS


def web_form_rate_limited(*, web_form: WebForm, client_ip: str) -> bool:
    """Count this submission; True when the address sent more than RATE_LIMIT in the window."""
    key = f"crm.web_form:{web_form.pk}:{client_ip}"
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > RATE_LIMIT


def web_form_owner_has_left(*, web_form: WebForm) -> bool:
    """True when the form names a default owner who is no longer an active member."""
    if not web_form.owner_id:
        return False
    return not Membership.objects.filter(
        organization_id=web_form.organization_id, user_id=web_form.owner_id, is_active=True
    ).exists()


def web_form_submit(*, web_form: WebForm, data: dict[str, Any], client_ip: str) -> Submission:
    """Create a lead from a visitor's submission, unless it looks like spam.

    Raises DomainError "rate_limited" (the view answers 429) or a field's validation error.
    """
    if not web_form.is_active:
        raise DomainError("not_found", _("Not found."))
    if web_form_rate_limited(web_form=web_form, client_ip=client_ip):
        raise DomainError("rate_limited", _("Too many submissions from your address. Please wait a minute."))
    if (data.get(HONEYPOT_FIELD) or "").strip():
        return Submission(Outcome.SPAM)
    if not _token_is_human(web_form, data.get(TOKEN_FIELD) or ""):
        return Submission(Outcome.RETRY)
    lead_data = {name: (data.get(name) or "").strip() for name in web_form.fields if name in Field.values}
    if not lead_data.get(Field.PERSON_NAME):
        raise DomainError("name_required", _("Please enter your name."), field=Field.PERSON_NAME)
    if not (lead_data.get(Field.EMAIL) or lead_data.get(Field.PHONE)):
        field = Field.EMAIL if Field.EMAIL in web_form.fields else Field.PHONE
        raise DomainError("contact_required", _("Please enter an e-mail address or a phone number."), field=field)
    if web_form.owner_id and not web_form_owner_has_left(web_form=web_form):
        # An owner who has left the organization must not turn away visitors: the lead then has
        # no owner, and the form's settings page warns the managers.
        lead_data["owner"] = web_form.owner_id
    org = web_form.organization
    with transaction.atomic():
        lead = lead_create(org=org, actor_membership=None, data=lead_data, source=web_form.source, score=False)
        activity_log(
            org=org,
            actor=None,
            kind=Activity.Kind.SYSTEM,
            subject=_("Received through the web form “{name}”").format(name=web_form.name),
            lead=lead,
        )
        lead_score_apply(lead=lead, rules=scoring_rules_active(org=org), activity_count=1)
        WebForm.objects.filter(pk=web_form.pk).update(submission_count=F("submission_count") + 1)
    return Submission(Outcome.CREATED, lead)
