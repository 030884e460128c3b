from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "mizan.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from mizan.core.demo import register_demo_extension
        from mizan.sales.demo import sales_demo_seed

        # `manage.py seed_demo`: a few services with SAR/EGP/AED prices.
        register_demo_extension(sales_demo_seed)
