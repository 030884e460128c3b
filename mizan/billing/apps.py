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
