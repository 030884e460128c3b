from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "mizan.crm"
    label = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from mizan.core.services.organizations import register_organization_initializer
        from mizan.crm.services.pipelines import crm_organization_initializer

        # Every new organization starts with a usable pipeline and lost reasons.
        register_organization_initializer(crm_organization_initializer)

        from mizan.crm.search import register_crm_search_providers
        from mizan.crm.services.leads import lead_sources_install_defaults

        # Default lead sources (ar/en), and companies, contacts and leads in the global search.
        register_organization_initializer(lead_sources_install_defaults)
        register_crm_search_providers()

        from mizan.core.background import register_periodic
        from mizan.crm.services.timeline import follow_up_reminders_send

        # Follow-up reminders: every worker scans each minute; each reminder is claimed and sent once.
        register_periodic("crm.follow_up_reminders", 60, follow_up_reminders_send)

        from mizan.core.demo import register_demo_extension
        from mizan.crm.demo import crm_demo_seed

        # `manage.py seed_demo`: companies, contacts, leads, deals and their history for the demo organizations.
        register_demo_extension(crm_demo_seed)

        from mizan.crm.services.scoring import scoring_rules_install_defaults

        # Starter lead-scoring rules, labelled in the organization's language.
        register_organization_initializer(scoring_rules_install_defaults)
