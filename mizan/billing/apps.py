from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "mizan.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from mizan.billing.services.taxes import billing_organization_initialize
        from mizan.core.services.organizations import register_organization_initializer

        # Runs after the ledger's initializer (app order), so the VAT payable account exists.
        register_organization_initializer(billing_organization_initialize)

        from mizan.billing.demo import billing_demo_seed
        from mizan.core.demo import register_demo_extension

        register_demo_extension(billing_demo_seed)

        from mizan.billing.tasks import register_billing_periodic_jobs

        # Recurring invoices (every 5 minutes) and payment reminders (hourly), run by every worker.
        register_billing_periodic_jobs()
