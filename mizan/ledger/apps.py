from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "mizan.ledger"
    label = "ledger"
    verbose_name = _("Accounting")

    def ready(self) -> None:
        from mizan.core.demo import register_demo_extension
        from mizan.core.services.organizations import register_organization_initializer
        from mizan.ledger.demo import ledger_demo_seed
        from mizan.ledger.services.setup import ledger_organization_initialize

        register_organization_initializer(ledger_organization_initialize)
        register_demo_extension(ledger_demo_seed)
