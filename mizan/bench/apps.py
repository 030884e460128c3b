from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """No models: the app exists for its `bench` management command."""

    name = "mizan.bench"
    label = "bench"
    verbose_name = _("Benchmarks")
