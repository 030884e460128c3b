"""Saved list views: a named query string of a list's filters, private or shared with the team.

Any CRM list can use these (list_name is one of SavedView.ListName); the caller passes the keys its
FilterSet accepts, so a saved view never carries anything the list would not understand.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_deleted
from mizan.crm.models import SavedView


def saved_view_query(query: QueryDict, *, allowed_keys: Iterable[str]) -> str:
    """The query string restricted to the list's filter keys, without empty values or the page."""
    allowed = set(allowed_keys)
    kept = QueryDict(mutable=True)
    for key in sorted(query):
        if key in allowed:
            values = [value for value in query.getlist(key) if value.strip()]
            if values:
                kept.setlist(key, values)
    return kept.urlencode()


def saved_view_create(
    *,
    org: Organization,
    actor_membership: Membership,
    list_name: str,
    name: str,
    query: str,
    is_shared: bool = False,
) -> SavedView:
    require_capability(actor_membership, Capability.CRM_VIEW)
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", _("Give the view a name."), field="name")
    if list_name not in SavedView.ListName.values:
        raise DomainError("invalid_list", _("Unknown list."), field="list_name")
    if len(query) > SavedView._meta.get_field("query").max_length:
        raise DomainError("query_too_long", _("These filters are too long to save."), field="name")
    with transaction.atomic():
        view = SavedView.objects.create(
            organization=org,
            list_name=list_name,
            name=name[:100],
            query=query,
            owner=actor_membership.user,
            is_shared=bool(is_shared),
        )
        audit_created(org=org, actor=actor_membership.user, instance=view)
    return view


def saved_view_delete(*, org: Organization, actor_membership: Membership, view: SavedView) -> None:
    """Only the member who saved a view deletes it."""
    require_capability(actor_membership, Capability.CRM_VIEW)
    if view.organization_id != org.pk or view.owner_id != actor_membership.user_id:
        raise DomainError("not_found", _("Not found."))
    with transaction.atomic():
        audit_deleted(org=org, actor=actor_membership.user, instance=view)
        view.delete()
