"""The base every organization-owned business record inherits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from mizan.core.models.organizations import Organization


class OrganizationQuerySet(models.QuerySet):
    def for_org(self, org: Organization) -> OrganizationQuerySet:
        return self.filter(organization=org)


class OrganizationOwnedModel(models.Model):
    """Every tenant row carries its organization; reads go through `for_org` or `access_or_404`."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        abstract = True
