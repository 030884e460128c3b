from mizan.crm.models.clients import Company, Contact, Tag
from mizan.crm.models.imports import ImportJob
from mizan.crm.models.pipeline import Deal, DealStageChange, Lead, LeadSource, LostReason, Pipeline, Stage
from mizan.crm.models.settings import LeadScoringRule, SavedView
from mizan.crm.models.timeline import Activity, FollowUp
from mizan.crm.models.web_forms import WebForm

__all__ = [
    "Activity",
    "Company",
    "Contact",
    "Deal",
    "DealStageChange",
    "FollowUp",
    "ImportJob",
    "Lead",
    "LeadScoringRule",
    "LeadSource",
    "LostReason",
    "Pipeline",
    "SavedView",
    "Stage",
    "Tag",
    "WebForm",
]
