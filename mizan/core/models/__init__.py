from mizan.core.models.audit import AuditEntry, Notification
from mizan.core.models.background import TaskEffect, TaskRun, WorkerHeartbeat
from mizan.core.models.base import OrganizationOwnedModel, OrganizationQuerySet
from mizan.core.models.numbering import Sequence
from mizan.core.models.organizations import ApiToken, Invitation, Membership, Organization
from mizan.core.models.users import RecoveryCode, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Invitation",
    "Membership",
    "Notification",
    "Organization",
    "OrganizationOwnedModel",
    "OrganizationQuerySet",
    "RecoveryCode",
    "Sequence",
    "TaskEffect",
    "TaskRun",
    "User",
    "WorkerHeartbeat",
]
