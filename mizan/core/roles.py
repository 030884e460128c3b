"""Roles and the one role -> capability map that services and views check."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    SALES = "sales", _("Sales")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    ACCOUNTANT = "accountant", _("Accountant")
    EMPLOYEE = "employee", _("Employee")


class Capability(models.TextChoices):
    """What a member may do. New modules add their capabilities here and to the map below."""

    ORGANIZATION_MANAGE = "organization.manage", _("Manage organization settings")
    MEMBERS_VIEW = "members.view", _("View members")
    MEMBERS_MANAGE = "members.manage", _("Invite and manage members")
    AUDIT_VIEW = "audit.view", _("View the audit log")
    SYSTEM_STATUS_VIEW = "system.view", _("View system status and background tasks")
    API_TOKENS_USE = "api_tokens.use", _("Create personal API tokens")
    CRM_VIEW = "crm.view", _("View clients and deals")
    CRM_EDIT = "crm.edit", _("Edit clients and deals")
    CRM_VIEW_ALL = "crm.view_all", _("See every member's clients and deals")
    CRM_MANAGE = "crm.manage", _("Configure pipelines, lead sources and scoring")
    LEDGER_VIEW = "ledger.view", _("View accounting")
    LEDGER_POST = "ledger.post", _("Post journal entries")
    LEDGER_MANAGE = "ledger.manage", _("Manage the chart of accounts, journals and exchange rates")
    LEDGER_CLOSE_PERIOD = "ledger.close_period", _("Close accounting periods and fiscal years")
    LEDGER_REOPEN_PERIOD = "ledger.reopen_period", _("Reopen closed accounting periods")
    BILLING_VIEW = "billing.view", _("View invoices and payments")
    BILLING_EDIT = "billing.edit", _("Issue invoices and record payments")
    SALES_MANAGE_CATALOG = "sales.manage_catalog", _("Manage products, services and price lists")
    BILLING_MANAGE_TAXES = "billing.manage_taxes", _("Manage taxes and billing settings")
    PROJECTS_VIEW = "projects.view", _("View projects")
    PROJECTS_EDIT = "projects.edit", _("Manage projects")


_EVERYONE = {Capability.MEMBERS_VIEW, Capability.API_TOKENS_USE}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Capability.values),
    Role.ADMIN: frozenset(Capability.values),
    Role.SALES: frozenset(_EVERYONE | {Capability.CRM_VIEW, Capability.CRM_EDIT, Capability.BILLING_VIEW}),
    Role.PROJECT_MANAGER: frozenset(
        _EVERYONE
        | {
            Capability.CRM_VIEW,
            Capability.CRM_VIEW_ALL,
            Capability.PROJECTS_VIEW,
            Capability.PROJECTS_EDIT,
            Capability.BILLING_VIEW,
        }
    ),
    Role.ACCOUNTANT: frozenset(
        _EVERYONE
        | {
            Capability.LEDGER_VIEW,
            Capability.LEDGER_POST,
            Capability.LEDGER_MANAGE,
            Capability.LEDGER_CLOSE_PERIOD,
            Capability.BILLING_VIEW,
            Capability.BILLING_EDIT,
            Capability.BILLING_MANAGE_TAXES,
            Capability.CRM_VIEW,
            Capability.CRM_VIEW_ALL,
            Capability.AUDIT_VIEW,
        }
    ),
    Role.EMPLOYEE: frozenset(_EVERYONE | {Capability.PROJECTS_VIEW}),
}


def role_has_capability(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
